package io.scoop;

import java.io.Serializable;

/**
 * The reducer of {@link DistributedExecutor#mapReduce} and {@link DistributedExecutor#mapScan}: a lambda
 * passed where this type is expected is serializable. It must be associative, as for
 * {@link java.util.stream.Stream#reduce}: the results are combined in input order, but grouped as they
 * arrive. It may throw checked exceptions.
 */
@FunctionalInterface
public interface SerializableBinaryOperator<T> extends Serializable {
    T apply(T left, T right) throws Exception;
}
