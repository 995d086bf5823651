package io.scoop.broker;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.scoop.RunKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The broker's live status page: one static page, its script and style, and {@code /api/status}, the JSON the
 * page polls every second. Served by the JDK's own HTTP server (no dependency), on loopback by default.
 *
 * <pre>
 * Security model. Any local user can connect to a loopback port, so the socket is treated as hostile:
 *
 *   The page token  HMAC-SHA256 of the run's secret (RunKeys: the token, or the members' CURVE secret key),
 *                   so the URL shows nothing that admits a peer to the broker; a random one for a broker
 *                   without keys. The launcher prints the URL with it once; only the run's user sees that.
 *   Admission       ?t=TOKEN on any path, compared in constant time; then a cookie (HttpOnly, SameSite=Strict,
 *                   named after the port, since cookies do not tell ports apart) holds it, and the token
 *                   leaves the address bar by a redirect. Anything else: 403 with no body, before the method
 *                   or the path is even looked at.
 *   Responses       Cache-Control: no-store; a Content-Security-Policy that allows only this origin's own
 *                   script, style and fetches (no inline code, no frames, no forms); nosniff; no referrer.
 *                   Only GET; nothing of a request is ever echoed; the page sets text, never markup.
 *   Resources       at most 8 handler threads (none while idle) and a queue of 64 requests; requests past
 *                   that are dropped unread. The JDK server takes a connection's request only once it sends
 *                   data, so idle connections cost a socket and no thread; a thread reads the request line
 *                   and headers (at most 200 headers) and is freed after sun.net.httpserver.maxReqTime,
 *                   which this class sets to 10 s unless it was set (it applies to the JDK server as a
 *                   whole, and only to the time to receive a request's headers). So a local user can slow
 *                   the page down with 8 connections that stall, for 10 s at a time; never the broker. The
 *                   broker's loop is never called from here: a request asks it for a snapshot, which it
 *                   copies between two bursts of messages (see Broker), and the JSON is built here.
 *                   Snapshots are shared by the requests of the same quarter of a second.
 * </pre>
 */
final class StatusPage implements AutoCloseable {
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
            + " img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final int MAX_QUERY = 256;
    private static final long CACHE_NANOS = 250_000_000L;
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final int THREADS_MAX = 8;
    private static final String MAX_REQ_TIME = "sun.net.httpserver.maxReqTime";

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final byte[] token;
    private final String tokenText;
    private final String cookieName;
    private final String url;
    private final Supplier<StatusSnapshot> source;
    private final byte[] html;
    private final byte[] js;
    private final byte[] css;
    private final Object cacheLock = new Object();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private byte[] cachedJson;
    private long cachedAt;

    private StatusPage(InetSocketAddress bind, RunKeys keys, Supplier<StatusSnapshot> source) throws IOException {
        this.source = source;
        this.tokenText = pageToken(keys);
        this.token = tokenText.getBytes(StandardCharsets.US_ASCII);
        this.html = resource("index.html");
        this.js = resource("app.js");
        this.css = resource("app.css");
        if (System.getProperty(MAX_REQ_TIME) == null) {
            // Read once, by the first HttpServer of this JVM: a stalled request frees its thread after this.
            System.setProperty(MAX_REQ_TIME, "10");
        }
        this.server = HttpServer.create(bind, 64);
        this.executor = new ThreadPoolExecutor(THREADS_MAX, THREADS_MAX, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(64), r -> {
            Thread t = new Thread(r, "scoop-status-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.DiscardPolicy());
        executor.allowCoreThreadTimeOut(true);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        InetSocketAddress at = server.getAddress();
        this.cookieName = "scoop_status_" + at.getPort();
        this.url = "http://" + hostOf(bind.getAddress()) + ":" + at.getPort() + "/?t=" + tokenText;
    }

    /**
     * Serves the page on {@code bindHost} (an address or name; port 0 picks a free one).
     *
     * @throws UncheckedIOException if it cannot bind
     */
    static StatusPage start(String bindHost, int port, RunKeys keys, Supplier<StatusSnapshot> source) {
        try {
            return new StatusPage(new InetSocketAddress(InetAddress.getByName(bindHost), port), keys, source);
        } catch (IOException e) {
            throw new UncheckedIOException("could not serve the status page on " + bindHost + ":" + port + ": "
                    + e.getMessage(), e);
        }
    }

    /** The page's URL with its token: whoever has it sees the run. */
    String url() {
        return url;
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private static String hostOf(InetAddress a) {
        if (a.isAnyLocalAddress()) {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                return "127.0.0.1";
            }
        }
        String h = a.getHostAddress();
        return h.contains(":") ? "[" + h + "]" : h;
    }

    /** The page token: derived from the run's secret (never the secret itself), or random without keys. */
    static String pageToken(RunKeys keys) {
        byte[] raw;
        if (keys == null) {
            raw = new byte[32];
            new SecureRandom().nextBytes(raw);
        } else {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(keys.memberLine().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                raw = mac.doFinal("scoop status page".getBytes(StandardCharsets.UTF_8));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
            }
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = StatusPage.class.getResourceAsStream("status/" + name)) {
            if (in == null) {
                throw new IOException("the status page's " + name + " is missing from scoop-core's jar");
            }
            return in.readAllBytes();
        }
    }

    /* ---------------- requests ---------------- */

    private void handle(HttpExchange ex) {
        try (ex) {
            Headers h = ex.getResponseHeaders();
            h.set("Cache-Control", "no-store");
            h.set("Content-Security-Policy", CSP);
            h.set("X-Content-Type-Options", "nosniff");
            h.set("Referrer-Policy", "no-referrer");
            h.set("X-Frame-Options", "DENY");
            boolean byQuery = tokenInQuery(ex);
            if (!byQuery && !tokenInCookie(ex)) {
                empty(ex, 403);
                return;
            }
            if (!"GET".equals(ex.getRequestMethod())) {
                h.set("Allow", "GET");
                empty(ex, 405);
                return;
            }
            String path = ex.getRequestURI().getRawPath();
            if (byQuery && "/".equals(path)) {
                // The cookie holds the token from now on, and the token leaves the address bar (and its history).
                h.add("Set-Cookie", cookieName + "=" + tokenText + "; Path=/; HttpOnly; SameSite=Strict");
                h.set("Location", "/");
                empty(ex, 303);
                return;
            }
            switch (path == null ? "" : path) {
                case "/", "/index.html" -> send(ex, "text/html; charset=utf-8", html);
                case "/app.js" -> send(ex, "text/javascript; charset=utf-8", js);
                case "/app.css" -> send(ex, "text/css; charset=utf-8", css);
                case "/api/status" -> {
                    byte[] json = json();
                    if (json == null) {
                        empty(ex, 503);
                    } else {
                        send(ex, "application/json; charset=utf-8", json);
                    }
                }
                default -> empty(ex, 404);
            }
        } catch (IOException | RuntimeException e) {
            // A client that went away, or a request the server could not read: its connection is closed, no more.
        }
    }

    /** The JSON of a fresh snapshot, shared with the other requests of the same quarter second; null if none came. */
    private byte[] json() {
        synchronized (cacheLock) {
            long now = System.nanoTime();
            if (cachedJson != null && now - cachedAt < CACHE_NANOS) {
                return cachedJson;
            }
            StatusSnapshot s = source.get();
            if (s == null) {
                return null;
            }
            cachedJson = StatusJson.of(s).getBytes(StandardCharsets.UTF_8);
            cachedAt = System.nanoTime();
            return cachedJson;
        }
    }

    private boolean tokenInQuery(HttpExchange ex) {
        String q = ex.getRequestURI().getRawQuery();
        if (q == null || q.length() > MAX_QUERY) {
            return false;
        }
        for (String part : q.split("&", 8)) {
            if (part.startsWith("t=") && matches(part.substring(2))) {
                return true;
            }
        }
        return false;
    }

    private boolean tokenInCookie(HttpExchange ex) {
        List<String> cookies = ex.getRequestHeaders().get("Cookie");
        if (cookies == null) {
            return false;
        }
        String prefix = cookieName + "=";
        for (String header : cookies) {
            if (header.length() > 4096) {
                continue;
            }
            for (String c : header.split(";", 32)) {
                String v = c.strip();
                if (v.startsWith(prefix) && matches(v.substring(prefix.length()))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Constant time for a candidate of the token's length (the length itself is no secret). */
    private boolean matches(String candidate) {
        return MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.US_ASCII));
    }

    /** An answer without a body; a refusal (4xx) also ends the connection, whatever the request had left unread. */
    private static void empty(HttpExchange ex, int code) throws IOException {
        if (code >= 400) {
            ex.getResponseHeaders().set("Connection", "close");
        }
        ex.sendResponseHeaders(code, -1);
    }

    private static void send(HttpExchange ex, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
