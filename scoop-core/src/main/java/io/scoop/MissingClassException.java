package io.scoop;

/**
 * A worker could not load a class the task needs: the worker's classpath lacks it. The message names the
 * class and the worker.
 */
public class MissingClassException extends RuntimeException {
    private final String missingClass;

    public MissingClassException(String missingClass, String message) {
        super(message);
        this.missingClass = missingClass;
    }

    /** The name of the class the worker could not load. */
    public String missingClass() {
        return missingClass;
    }
}
