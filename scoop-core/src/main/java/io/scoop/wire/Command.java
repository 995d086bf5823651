package io.scoop.wire;

/**
 * Every command that crosses a Scoop socket, defined once (the zguide's {@code MDP} shape).
 *
 * <p>The first byte of every message body is one of these codes. The direction column says who sends
 * it to whom; {@link Messages} is the only class that knows the layout that follows the code.
 *
 * <pre>
 *   command     direction                 body after the code
 *   HELLO       root|worker rx -> broker  role, name, threads, credit, pid, host
 *   TASKS       root tx -> broker         root name, count, {root task id, priority, attempts made, attempt
 *                                         limit, target, payload}*
 *   DISPATCH    broker -> worker rx       count, {broker task id, priority, attempt, attempt limit, "", payload}*
 *   RESULTS     worker tx -> broker       worker name, count, {broker task id, status, nanos, payload}*
 *   RESULTS     broker -> root rx         (same layout; ids are the root's own task ids)
 *   CREDIT      worker tx -> broker       worker name, delta
 *   CANCEL      root tx -> broker         root name, count, {root task id, interrupt}*
 *   CANCEL      broker -> worker rx       count, {broker task id, interrupt}*
 *   HEARTBEAT   any -> broker             name, role; a worker's adds its load for the status page: CPU in
 *                                         thousandths, heap used, heap max, count, {task id, label}*
 *               broker -> any             workers, threads
 *   BYE         root|worker -> broker     name;  broker -> root rx: (nothing), the answer
 *   LOST        control -> broker         worker name, reason   (control: only from the broker's own process)
 *   SHUTDOWN    broker -> worker rx       (nothing): the worker exits
 *   STOP        control -> broker         (nothing): the broker loop ends   (control, likewise)
 *   DROPPED     broker -> root rx         reason: the broker gave this root up (silent past the expiry,
 *                                         or unknown to it); its futures fail, it is never re-registered
 *   WORKERS     root tx -> broker         root name, tag: which workers are there?
 *   WORKERS     broker -> root rx         tag, count, {name, host, pid, threads}*
 *   SHARE       root tx -> broker         root name, key, bytes: keep this shared value for the run
 *   SHARE       broker -> root rx         key, refusal ("" when kept)
 *   FETCH       worker tx -> broker       worker name, key: send me this shared value
 *   FETCH       broker -> worker rx       key, found, bytes
 *   HOLD        root tx -> broker         root name, count: a worker's nested root holds this many children unsent
 *   STEAL       broker -> root rx         count: send that many held children (oldest first), a thread is idle
 *   LEND        worker tx -> broker       worker name, +1 / -1: a task thread waits on a child (its slot is lent:
 *                                         one more credit) or stopped waiting
 * </pre>
 */
public enum Command {
    HELLO(1), TASKS(2), DISPATCH(3), RESULTS(4), CREDIT(5), CANCEL(6), HEARTBEAT(7), BYE(8), LOST(9),
    SHUTDOWN(10), STOP(11), DROPPED(12), WORKERS(13), SHARE(14), FETCH(15), HOLD(16), STEAL(17), LEND(18);

    private static final Command[] BY_CODE = new Command[32];

    static {
        for (Command c : values()) {
            BY_CODE[c.code] = c;
        }
    }

    public final byte code;

    Command(int code) {
        this.code = (byte) code;
    }

    /**
     * Whether this is a control message (STOP, LOST): the broker obeys it only from its owner in its own
     * process, never from a peer on the network.
     */
    public boolean isControl() {
        return this == STOP || this == LOST;
    }

    /** Returns the command whose code starts {@code body}, or null if the body is empty or unknown. */
    public static Command of(byte[] body) {
        if (body == null || body.length == 0 || body[0] < 0 || body[0] >= BY_CODE.length) {
            return null;
        }
        return BY_CODE[body[0]];
    }
}
