package io.scoop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Named task classes for tests. They share no memory with the test JVM: what a test observes is the value
 * a task returns, or a file it creates (the one thing a worker JVM and the test JVM share on one machine).
 */
final class Tasks {
    private Tasks() {
    }

    /** Returns its value. */
    static final class Value<T> implements Callable<T> {
        final T value;

        Value(T value) {
            this.value = value;
        }

        @Override
        public T call() {
            return value;
        }
    }

    /** Sleeps, then returns its value; an interrupt ends it with InterruptedException. */
    static final class Sleep implements Callable<Integer> {
        final long millis;
        final int value;

        Sleep(long millis, int value) {
            this.millis = millis;
            this.value = value;
        }

        @Override
        public Integer call() throws InterruptedException {
            Thread.sleep(millis);
            return value;
        }
    }

    /** Throws an IllegalStateException with the given message. */
    static final class Fail implements Callable<Object> {
        final String message;

        Fail(String message) {
            this.message = message;
        }

        @Override
        public Object call() {
            throw new IllegalStateException(message);
        }
    }

    /** Creates a file when it starts, then sleeps; creates {@code <file>.interrupted} if interrupted. */
    static final class Mark implements Callable<String>, Runnable {
        final String file;
        final long sleepMillis;

        Mark(Path file, long sleepMillis) {
            this.file = file.toString();
            this.sleepMillis = sleepMillis;
        }

        @Override
        public String call() throws Exception {
            Files.writeString(Path.of(file), "ran in " + ProcessHandle.current().pid());
            try {
                Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
                Files.writeString(Path.of(file + ".interrupted"), "interrupted");
                throw e;
            }
            return file;
        }

        @Override
        public void run() {
            try {
                call();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Returns a new mutable list holding the pid of the JVM it ran in. */
    static final class PidList implements Callable<List<Long>> {
        @Override
        public List<Long> call() {
            List<Long> l = new ArrayList<>();
            l.add(ProcessHandle.current().pid());
            return l;
        }
    }

    /** The pid of the JVM it ran in. */
    static final class Pid implements Callable<Long> {
        @Override
        public Long call() {
            return ProcessHandle.current().pid();
        }
    }
}
