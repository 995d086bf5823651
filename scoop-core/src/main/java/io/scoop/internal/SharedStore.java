package io.scoop.internal;

import io.scoop.wire.KryoCodec;
import java.lang.ref.WeakReference;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * This JVM's shared values ({@code io.scoop.Shared}): those it shared itself, by key, and, on a worker, those
 * it fetched from the broker and decoded, kept up to a bound (least recently used go first). A value fetched
 * by two task threads at once is fetched once.
 */
public final class SharedStore {
    /** The most bytes (encoded) of fetched values kept: a quarter of the heap, or {@code scoop.sharedCacheBytes}. */
    static final long MAX_CACHED_BYTES = Long.getLong("scoop.sharedCacheBytes", Runtime.getRuntime().maxMemory() / 4);

    private static final Map<String, WeakReference<Object>> OWN = new ConcurrentHashMap<>();
    private static final LinkedHashMap<String, Cached> CACHE = new LinkedHashMap<>(16, 0.75f, true);
    private static final Map<String, CompletableFuture<Object>> LOADING = new ConcurrentHashMap<>();
    private static long cachedBytes;
    private static volatile Function<String, byte[]> fetcher;

    private SharedStore() {
    }

    private record Cached(Object value, long bytes) {
    }

    /** The key of an encoded value: its SHA-256, in hex. */
    public static String keyOf(byte[] encoded) {
        return keyOf(encoded, 0, encoded.length);
    }

    /** The key of {@code length} bytes of {@code encoded} from {@code offset}. */
    public static String keyOf(byte[] encoded, int offset, int length) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(encoded, offset, length);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** A value this JVM shares: found here without a fetch while the handle that holds it lives. */
    public static void own(String key, Object value) {
        OWN.put(key, new WeakReference<>(value));
    }

    /** How a worker gets a shared value's bytes from its broker (null if the broker has none). */
    public static void fetchWith(Function<String, byte[]> f) {
        fetcher = f;
    }

    /**
     * The value of {@code key}: this JVM's own, a cached copy, or fetched from the broker and decoded. Threads
     * that want it while another loads it wait for that load (interruptibly); if the load fails, they fail with
     * it, unless it failed because its thread was interrupted (its task cancelled or past its time limit): then
     * the next of them loads it again.
     *
     * @throws IllegalStateException if this JVM cannot have it, or this thread is interrupted while it waits
     */
    public static Object resolve(String key) {
        return resolve(key, false);
    }

    /**
     * The encoded bytes of {@code key} (a captured array sent once), kept as {@link #resolve} keeps values, under
     * the same bound; the caller decodes its own copy from them and must not change them.
     *
     * @throws IllegalStateException as {@link #resolve}
     */
    public static byte[] bytesOf(String key) {
        return (byte[]) resolve(key, true);
    }

    private static Object resolve(String key, boolean raw) {
        String slot = raw ? "raw:" + key : key;
        while (true) {
            WeakReference<Object> own = raw ? null : OWN.get(key);
            Object value = own == null ? null : own.get();
            if (value != null) {
                return value;
            }
            synchronized (CACHE) {
                Cached c = CACHE.get(slot);
                if (c != null) {
                    return c.value;
                }
            }
            CompletableFuture<Object> mine = new CompletableFuture<>();
            CompletableFuture<Object> loading = LOADING.putIfAbsent(slot, mine);
            if (loading != null) {
                try {
                    return loading.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while another task of this worker loaded it");
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RetryLoad) {
                        continue;
                    }
                    throw new IllegalStateException(e.getCause() instanceof IllegalStateException i
                            ? i.getMessage() : "loading it failed: " + e.getCause(), e.getCause());
                }
            }
            try {
                Object v = load(key, slot, raw);
                LOADING.remove(slot, mine);
                mine.complete(v);
                return v;
            } catch (Throwable e) {
                // Whatever ended the load (an OutOfMemoryError or StackOverflowError while decoding, too), the
                // threads that wait for it must hear of it. Out of the map first, so that a retry loads anew.
                LOADING.remove(slot, mine);
                mine.completeExceptionally(interrupted(e) ? new RetryLoad() : e);
                throw e;
            }
        }
    }

    /** Whether a load failed because its thread was interrupted: its own failure, not the waiters'. */
    private static boolean interrupted(Throwable e) {
        if (Thread.currentThread().isInterrupted()) {
            return true;
        }
        for (int depth = 0; e != null && depth < 16; e = e.getCause(), depth++) {
            if (e instanceof InterruptedException || e instanceof java.io.InterruptedIOException
                    || e instanceof java.nio.channels.ClosedByInterruptException) {
                return true;
            }
        }
        return false;
    }

    /** Tells the threads waiting for a load that it was interrupted, and that one of them should load again. */
    private static final class RetryLoad extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RetryLoad() {
            super(null, null, false, false);
        }
    }

    private static Object load(String key, String slot, boolean raw) {
        Function<String, byte[]> f = fetcher;
        if (f == null) {
            throw new IllegalStateException(raw ? "this JVM is not a worker that could fetch it"
                    : "it was shared by another JVM, and this one is not a worker that could fetch it: return"
                    + " results, not Shared handles, to the root");
        }
        byte[] bytes = f.apply(key);
        if (bytes == null) {
            throw new IllegalStateException("the broker no longer has it: the executor that shared it has ended");
        }
        Object value = raw ? bytes : KryoCodec.decode(bytes);
        synchronized (CACHE) {
            Cached previous = CACHE.put(slot, new Cached(value, bytes.length));
            if (previous != null) {
                // loaded twice (a load that ended as another began): counted once
                cachedBytes -= previous.bytes;
            }
            cachedBytes += bytes.length;
            Iterator<Map.Entry<String, Cached>> it = CACHE.entrySet().iterator();
            while (cachedBytes > MAX_CACHED_BYTES && it.hasNext()) {
                Map.Entry<String, Cached> e = it.next();
                if (e.getKey().equals(slot)) {
                    continue;
                }
                cachedBytes -= e.getValue().bytes;
                it.remove();
            }
        }
        return value;
    }

    /**
     * The raw bytes of {@code key} from the broker, not decoded nor kept (a staged file's content).
     *
     * @throws IllegalStateException if this JVM is not a worker, or the broker has no such value
     */
    public static byte[] fetchBytes(String key) {
        Function<String, byte[]> f = fetcher;
        if (f == null) {
            throw new IllegalStateException("this JVM is not a worker that could fetch it");
        }
        byte[] bytes = f.apply(key);
        if (bytes == null) {
            throw new IllegalStateException("the broker no longer has it: the executor that staged it has ended");
        }
        return bytes;
    }

    /** Fetched values kept now, and their bytes (for tests and diagnostics). */
    public static long[] cacheSize() {
        synchronized (CACHE) {
            return new long[] {CACHE.size(), cachedBytes};
        }
    }
}
