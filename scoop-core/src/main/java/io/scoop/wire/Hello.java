package io.scoop.wire;

/**
 * The first message a peer's receiving socket sends: it tells the broker who is behind that routing id.
 *
 * @param role    {@link #ROOT} or {@link #WORKER}
 * @param name    the peer's name, also its receiving socket's routing id
 * @param threads task threads (workers) or 0
 * @param credit  how many tasks the worker asks for at first (0 for roots)
 * @param pid     the peer's process id
 * @param host    the peer's host name
 */
public record Hello(int role, String name, int threads, int credit, long pid, String host) {
    public static final int ROOT = 1;
    public static final int WORKER = 2;

    public boolean isWorker() {
        return role == WORKER;
    }
}
