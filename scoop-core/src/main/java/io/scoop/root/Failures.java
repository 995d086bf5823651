package io.scoop.root;

import io.scoop.MissingClassException;
import io.scoop.RemoteTaskException;
import io.scoop.ResultNotSerializableException;
import io.scoop.wire.TaskFailure;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;

/** Turns a worker's {@link TaskFailure} back into the exception the user sees as a cause. */
final class Failures {
    private Failures() {
    }

    static Throwable toThrowable(TaskFailure f, long taskId) {
        switch (f.kind) {
            case TaskFailure.MISSING_CLASS:
                return new MissingClassException(f.missingClass, "task " + taskId + " needs class " + f.missingClass
                        + ", which is not on the classpath of worker " + f.worker
                        + ": put the jar that holds it on the workers' classpath (under the launcher, pass the"
                        + " application jar; an embedded executor forks workers with the root's classpath)");
            case TaskFailure.RESULT_NOT_SERIALIZABLE:
                return new ResultNotSerializableException("task " + taskId + " ran on worker " + f.worker
                        + " but " + f.message, remote(f));
            case TaskFailure.TIMED_OUT:
                return new io.scoop.TaskTimeoutException("task " + taskId + " " + f.message);
            case TaskFailure.NOT_DECODABLE:
                return new RemoteTaskException(f.className, "task " + taskId + " could not be decoded: " + f.message,
                        f.worker, f.cause == null ? null : remote(f.cause));
            default:
                Throwable original = javaDeserialize(f.serialized);
                return original != null ? original : remote(f);
        }
    }

    /** The failure as a RemoteTaskException chain, with the remote stack traces. */
    static RemoteTaskException remote(TaskFailure f) {
        RemoteTaskException cause = f.cause == null ? null : remote(f.cause);
        RemoteTaskException e = new RemoteTaskException(f.className, f.message, f.worker, cause);
        if (f.stack != null) {
            e.setStackTrace(f.stack);
        }
        return e;
    }

    private static Throwable javaDeserialize(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        try (ObjectInputStream in = new LoaderObjectInputStream(new ByteArrayInputStream(bytes), cl)) {
            return (Throwable) in.readObject();
        } catch (IOException | ClassNotFoundException | RuntimeException | StackOverflowError | OutOfMemoryError e) {
            // the exception's own readObject misbehaved here: the text of the failure describes it instead
            return null;
        }
    }

    private static final class LoaderObjectInputStream extends ObjectInputStream {
        private final ClassLoader loader;

        LoaderObjectInputStream(InputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            try {
                return Class.forName(desc.getName(), false, loader);
            } catch (ClassNotFoundException e) {
                return super.resolveClass(desc);
            }
        }
    }
}
