package io.scoop;

import java.io.Serializable;

/**
 * The function of {@link DistributedExecutor#map}: a lambda passed where this type is expected is
 * serializable, and, like {@link java.util.concurrent.Callable}, it may throw checked exceptions (an
 * exception surfaces at the item's position in the result stream).
 */
@FunctionalInterface
public interface SerializableFunction<T, R> extends Serializable {
    R apply(T t) throws Exception;
}
