package io.scoop;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A {@link Callable} that a lambda can be shipped as: pass a lambda to
 * {@link DistributedExecutor#submit(SerializableCallable)} and javac makes it serializable.
 */
@FunctionalInterface
public interface SerializableCallable<V> extends Callable<V>, Serializable {
}
