package io.scoop.worker;

import java.io.IOException;
import java.io.InputStream;

/**
 * The entry point of a worker JVM:
 * {@code java -cp ... io.scoop.worker.WorkerMain --broker tcp://host:port --name w1 [--threads 1]
 * [--heartbeat 1000] [--expiry 5000] [--watch-stdin]}.
 *
 * <p>With {@code --watch-stdin} the worker exits as soon as its standard input closes: the process that
 * started it holds the other end, so the worker ends within moments of its parent, even after a
 * {@code kill -9}. Without it (or as well), it exits when the broker has been silent for the expiry.
 */
public final class WorkerMain {
    private WorkerMain() {
    }

    public static void main(String[] args) {
        String broker = null;
        String name = "w" + ProcessHandle.current().pid();
        int threads = 1;
        long heartbeat = 1000;
        long expiry = 5000;
        boolean watchStdin = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--broker" -> broker = args[++i];
                case "--name" -> name = args[++i];
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--heartbeat" -> heartbeat = Long.parseLong(args[++i]);
                case "--expiry" -> expiry = Long.parseLong(args[++i]);
                case "--watch-stdin" -> watchStdin = true;
                default -> {
                    System.err.println("scoop worker: unknown argument '" + args[i] + "'; expected --broker URL"
                            + " --name NAME [--threads N] [--heartbeat MS] [--expiry MS] [--watch-stdin]");
                    System.exit(2);
                }
            }
        }
        if (broker == null) {
            System.err.println("scoop worker: --broker tcp://HOST:PORT is required");
            System.exit(2);
        }
        if (watchStdin) {
            Thread watcher = new Thread(WorkerMain::exitOnStdinClose, "scoop-stdin-watch");
            watcher.setDaemon(true);
            watcher.start();
        }
        Worker worker = new Worker(broker, name, threads, heartbeat, expiry);
        TaskContext.setProcessWorker(worker);
        boolean orderly = worker.run(30_000);
        System.out.flush();
        System.exit(orderly ? 0 : 3);
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
        Runtime.getRuntime().halt(0);
    }
}
