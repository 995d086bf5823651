package io.scoop;

import java.time.Duration;
import java.util.Optional;

/**
 * How far an executor's work has come: counts since it was created, of tasks and of {@code map} items (a
 * {@code map} chunk counts as its items), as {@link DistributedExecutor#progress()} returns them. A snapshot:
 * the counts are read one after another, not under one lock, so a task may finish between two reads.
 *
 * <pre>{@code
 * Progress p = pool.progress();
 * System.err.printf("%d done, %d failed, %d in flight, %.0f/s%n", p.succeeded(), p.failed(), p.inFlight(), p.rate());
 * }</pre>
 *
 * @param submitted tasks (and map items) handed to the executor and admitted
 * @param succeeded of those, completed with a value
 * @param failed    of those, completed with an exception, or cancelled
 * @param inFlight  of those, not completed yet: {@code submitted - succeeded - failed}
 * @param elapsed   time since the first submit (zero before it)
 */
public record Progress(long submitted, long succeeded, long failed, long inFlight, Duration elapsed) {
    /** Completed, either way: {@code succeeded + failed}. */
    public long completed() {
        return succeeded + failed;
    }

    /** Completions per second since the first submit; 0 before any. */
    public double rate() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds <= 0 ? 0 : completed() / seconds;
    }

    /** At the rate so far, how long until what is in flight now completes; empty before any completion. */
    public Optional<Duration> eta() {
        double rate = rate();
        if (rate <= 0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis(Math.round(inFlight / rate * 1000)));
    }
}
