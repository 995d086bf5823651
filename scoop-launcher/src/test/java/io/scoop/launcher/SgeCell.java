package io.scoop.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real Grid Engine cell on this machine, from nothing, for one test class: src/test/sched/sge-up.sh starts
 * sge_qmaster and one sge_execd per exec host {@code node1..nodeN}, each host in its own network, UTS and mount
 * namespaces on a private bridge, every file under one temporary directory; {@link #close()} ends the daemons by
 * their PID files, deletes the namespaces, veths and bridge, and removes the directory.
 */
final class SgeCell implements AutoCloseable {
    final Path dir;
    final int nodes;
    /** Names the namespaces ({@code scoop-sge-TAG-I}), the bridge and the subnet of this cell. */
    final int tag;
    /** What a Grid Engine client (qsub, qdel, qstat) needs: SGE_ROOT, SGE_CELL, the ports, PATH. */
    final Map<String, String> env;

    private SgeCell(Path dir, int nodes, int tag, int port) {
        this.dir = dir;
        this.nodes = nodes;
        this.tag = tag;
        Map<String, String> e = new HashMap<>();
        e.put("SGE_ROOT", dir.resolve("root").toString());
        e.put("SGE_CELL", "default");
        e.put("SGE_QMASTER_PORT", Integer.toString(port));
        e.put("SGE_EXECD_PORT", Integer.toString(port + 1));
        e.put("PATH", "/usr/lib/gridengine:" + System.getenv("PATH"));
        this.env = Map.copyOf(e);
    }

    /** Starts a cell of {@code nodes} exec hosts; on failure, whatever started is ended again. */
    static SgeCell start(int nodes) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("scoop-sge-");
        int tag = freeTag();
        int port = SchedCommands.freePorts(2);
        SgeCell c = new SgeCell(dir, nodes, tag, port);
        try {
            SchedCommands.ok(Map.of(), 180, SchedCommands.SCRIPTS.resolve("sge-up.sh").toString(), dir.toString(),
                    Integer.toString(nodes), Integer.toString(tag), Integer.toString(port));
        } catch (AssertionError | IOException | InterruptedException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** A tag from 1 to 99 whose bridge does not exist yet, starting from one derived from this JVM's pid. */
    private static int freeTag() {
        int start = (int) (ProcessHandle.current().pid() % 99);
        for (int i = 0; i < 99; i++) {
            int tag = (start + i) % 99 + 1;
            if (!Files.exists(Path.of("/sys/class/net/sgebr" + tag))) {
                return tag;
            }
        }
        throw new AssertionError("every sgebrN bridge (1-99) exists: an earlier run left them behind");
    }

    /** Runs a Grid Engine client command against this cell. */
    SchedCommands.Result client(long seconds, Map<String, String> extraEnv, String... cmd)
            throws IOException, InterruptedException {
        Map<String, String> all = new HashMap<>(env);
        all.putAll(extraEnv);
        return SchedCommands.run(all, seconds, cmd);
    }

    /** The pids in this cell's PID files (the qmaster and every execd). */
    List<Long> daemonPids() throws IOException {
        List<Long> pids = new ArrayList<>();
        Path spool = dir.resolve("spool");
        if (!Files.isDirectory(spool)) {
            return pids;
        }
        try (var s = Files.walk(spool)) {
            for (Path f : s.filter(p -> p.getFileName().toString().endsWith(".pid")).toList()) {
                try {
                    pids.add(Long.parseLong(Files.readString(f).strip()));
                } catch (NumberFormatException e) {
                    // a daemon that did not finish writing it: nothing to watch
                }
            }
        }
        return pids;
    }

    /** This cell's network namespaces that still exist. */
    List<String> namespaces() throws IOException, InterruptedException {
        String list = SchedCommands.ok(Map.of(), 30, "ip", "netns", "list");
        return list.lines().map(l -> l.split("\\s+")[0]).filter(n -> n.startsWith("scoop-sge-" + tag + "-")).toList();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        SchedCommands.ok(Map.of(), 60, SchedCommands.SCRIPTS.resolve("sge-down.sh").toString(), dir.toString());
    }
}
