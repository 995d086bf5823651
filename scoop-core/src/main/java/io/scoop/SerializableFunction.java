package io.scoop;

import java.io.Serializable;
import java.util.function.Function;

/** The function of {@link DistributedExecutor#map}: a {@link Function} a lambda can be shipped as. */
@FunctionalInterface
public interface SerializableFunction<T, R> extends Function<T, R>, Serializable {
}
