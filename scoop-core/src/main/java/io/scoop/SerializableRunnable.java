package io.scoop;

import java.io.Serializable;

/** A {@link Runnable} that a lambda can be shipped as (see {@link SerializableCallable}). */
@FunctionalInterface
public interface SerializableRunnable extends Runnable, Serializable {
}
