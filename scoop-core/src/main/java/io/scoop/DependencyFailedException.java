package io.scoop;

/**
 * A task never ran because a future it {@linkplain TaskOptions#dependsOn depends on} failed or was
 * cancelled. The message names the dependency; the cause is the dependency's own failure (a
 * {@code DependencyFailedException} in turn, down a chain).
 */
public class DependencyFailedException extends RuntimeException {
    public DependencyFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
