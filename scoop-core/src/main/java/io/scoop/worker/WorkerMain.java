package io.scoop.worker;

import io.scoop.ClusterBrokenException;
import io.scoop.RunKeys;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The entry point of a worker JVM:
 * {@code java -cp ... io.scoop.worker.WorkerMain --broker tcp://host:port --name w1 [--threads 1]
 * [--heartbeat 1000] [--expiry 5000] [--keys-stdin] [--watch-stdin]}.
 *
 * <p>With {@code --keys-stdin} the worker first reads one line from its standard input: the run's key line
 * ({@link RunKeys#memberLine()}), with which it connects to a broker that uses CURVE or a token (for
 * instance the embedded default's, which always hands its workers a token). Keys never appear on
 * the command line. A missing or malformed line ends the worker with exit code 2 and a message that says
 * why; a broker that refuses the keys, with exit code 4.
 *
 * <p>With {@code --watch-stdin} the worker exits as soon as its standard input closes: the process that
 * started it holds the other end, so the worker ends within moments of its parent, even after a
 * {@code kill -9}. Without it (or as well), it exits when the broker has been silent for the expiry.
 */
public final class WorkerMain {
    /** The longest key line read from stdin; the real ones have about 140 (CURVE) or 54 (token) characters. */
    private static final int MAX_KEY_LINE = 1024;

    private WorkerMain() {
    }

    public static void main(String[] args) {
        String broker = null;
        String name = "w" + ProcessHandle.current().pid();
        int threads = 1;
        long heartbeat = 1000;
        long expiry = 5000;
        boolean watchStdin = false;
        boolean keysStdin = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--broker" -> broker = args[++i];
                case "--name" -> name = args[++i];
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--heartbeat" -> heartbeat = Long.parseLong(args[++i]);
                case "--expiry" -> expiry = Long.parseLong(args[++i]);
                case "--watch-stdin" -> watchStdin = true;
                case "--keys-stdin" -> keysStdin = true;
                default -> {
                    System.err.println("scoop worker: unknown argument '" + args[i] + "'; expected --broker URL"
                            + " --name NAME [--threads N] [--heartbeat MS] [--expiry MS] [--keys-stdin]"
                            + " [--watch-stdin]");
                    System.exit(2);
                }
            }
        }
        if (broker == null) {
            System.err.println("scoop worker: --broker tcp://HOST:PORT is required");
            System.exit(2);
        }
        RunKeys keys = null;
        if (keysStdin) {
            try {
                keys = RunKeys.parse(readKeyLine(System.in));
            } catch (IOException | IllegalArgumentException e) {
                System.err.println("scoop worker " + name + ": --keys-stdin: " + e.getMessage());
                System.exit(2);
            }
        }
        if (watchStdin) {
            Thread watcher = new Thread(WorkerMain::exitOnStdinClose, "scoop-stdin-watch");
            watcher.setDaemon(true);
            watcher.start();
        }
        TaskOutput.install();
        Worker worker = new Worker(broker, name, threads, heartbeat, expiry, keys);
        io.scoop.internal.SharedStore.fetchWith(worker::fetchShared);
        TaskContext.setProcessWorker(worker);
        // Whatever escapes below (even from the handler of an out-of-memory error, whose own strings may not fit)
        // ends the worker with the code that says why.
        Thread.currentThread().setUncaughtExceptionHandler(worker::threadDied);
        boolean orderly;
        try {
            orderly = worker.run(30_000);
        } catch (ClusterBrokenException e) {
            io.scoop.internal.Log.error(io.scoop.internal.Log.WORKER, "scoop worker " + worker.describe() + ": "
                    + e.getMessage());
            System.exit(4);
            return;
        } catch (RuntimeException | Error e) {
            // A task that fills the heap makes every thread of this JVM fail to allocate, the receiving loop
            // included, which may then have lost a message: the worker ends, saying so, and the broker requeues or
            // fails its tasks.
            if (Worker.causedByOutOfMemory(e)) {
                Worker.dropReserve(); // before the strings below, which may be allocated now for the first time
                try {
                    worker.outOfMemory("in its receiving loop", "a task most likely used the heap up");
                } finally {
                    Runtime.getRuntime().halt(Worker.OUT_OF_MEMORY_EXIT_CODE);
                }
            }
            throw e;
        }
        System.out.flush();
        System.exit(orderly ? 0 : 3);
    }

    /**
     * Reads the key line: the bytes up to the first line feed, read one at a time so that nothing after it is
     * taken from the stream.
     *
     * @throws IOException if the stream ends first, or the line is too long to be a key line
     */
    static String readKeyLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(160);
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("standard input ended before a whole key line was read (" + line.size()
                        + " bytes): whoever starts the worker with --keys-stdin must write the run's key line"
                        + " (RunKeys.memberLine()) and a line feed to its standard input");
            }
            if (line.size() >= MAX_KEY_LINE) {
                throw new IOException("the first line of standard input is longer than " + MAX_KEY_LINE
                        + " bytes, so it is not a key line: with --keys-stdin, the first line must be the run's"
                        + " key line (RunKeys.memberLine())");
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    private static void exitOnStdinClose() {
        InputStream in = System.in;
        byte[] buf = new byte[256];
        try {
            while (in.read(buf) >= 0) {
                // the parent writes nothing; we only wait for the end of the stream
            }
        } catch (IOException e) {
            // a broken pipe means the same: the parent is gone
        }
        System.out.flush();
        if (io.scoop.internal.CdsArchive.makes(
                java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())) {
            // This JVM writes a class-data sharing archive (Scoop's, or one its options ask for), which HotSpot
            // does on an orderly exit only. Shutdown hooks run then: one that a task left hanging does not keep
            // this worker alive past 10 s.
            Thread guard = new Thread(() -> {
                try {
                    Thread.sleep(10_000);
                } catch (InterruptedException e) {
                    // halt anyway
                }
                Runtime.getRuntime().halt(0);
            }, "scoop-exit-guard");
            guard.setDaemon(true);
            guard.start();
            System.exit(0);
        }
        Runtime.getRuntime().halt(0);
    }
}
