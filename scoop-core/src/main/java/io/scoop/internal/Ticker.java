package io.scoop.internal;

/** A source of nanosecond time, injected so that liveness can be tested without waiting (Caffeine's Ticker). */
@FunctionalInterface
public interface Ticker {
    Ticker SYSTEM = System::nanoTime;

    long nanos();
}
