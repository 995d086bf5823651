package io.scoop;

import io.scoop.internal.Sockets;
import io.scoop.wire.Hello;
import io.scoop.wire.Messages;
import io.scoop.wire.TaskItem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Peers that try a secured broker without the run's secret, for the CURVE and token tests. Each rogue has two
 * sockets, each in a context of its own: one says HELLO as a worker; the other says HELLO as a root and then
 * sends a task. {@link #close()} ends them all.
 */
final class Rogues implements AutoCloseable {
    private final List<ZContext> contexts = new ArrayList<>();
    private final List<ZMQ.Socket> sockets = new ArrayList<>();

    /**
     * Connects one rogue to {@code address}, its sockets set up by {@code credentials} (nothing, another run's
     * keys, forged keys...), and sends its HELLOs and a task whose Kryo encoding is {@code payload}.
     */
    void add(String address, String name, Consumer<ZMQ.Socket> credentials, byte[] payload) {
        ZContext ctx = Sockets.context();
        contexts.add(ctx);
        ZMQ.Socket asWorker = Sockets.create(ctx, SocketType.DEALER, "rogue-" + name + "-w");
        ZMQ.Socket asRoot = Sockets.create(ctx, SocketType.DEALER, "rogue-" + name + "-r");
        for (ZMQ.Socket s : List.of(asWorker, asRoot)) {
            credentials.accept(s);
            s.connect(address);
        }
        // Without waiting: once the broker has refused a rogue, JeroMQ drops its connection and pipe for good,
        // and a blocking send would wait forever. A message that cannot be queued is not sent, which is the point.
        asWorker.send(Messages.hello(new Hello(Hello.WORKER, "rogue-" + name + "-w", 4, 8, 1, "rogue")), ZMQ.DONTWAIT);
        asRoot.send(Messages.hello(new Hello(Hello.ROOT, "rogue-" + name + "-r", 0, 0, 1, "rogue")), ZMQ.DONTWAIT);
        asRoot.send(Messages.tasks("rogue-" + name + "-r", List.of(new TaskItem(1, 0, 0, payload))), ZMQ.DONTWAIT);
        sockets.add(asWorker);
        sockets.add(asRoot);
    }

    /** Whether no rogue socket has received anything (a task, a result, a heartbeat) so far. */
    boolean heardNothing() {
        for (ZMQ.Socket s : sockets) {
            if (s.recv(ZMQ.DONTWAIT) != null) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        contexts.forEach(ZContext::close);
    }

    /** A task that writes a marker file where it runs: a rogue's must never run; the real root's does. */
    static final class MarkerTask implements Callable<String>, java.io.Serializable {
        final String path;

        MarkerTask(String path) {
            this.path = path;
        }

        @Override
        public String call() throws IOException {
            Files.writeString(Path.of(path), "ran");
            return "ran";
        }
    }
}
