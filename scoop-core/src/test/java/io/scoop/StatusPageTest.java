package io.scoop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The embedded default's live status page, over real HTTP to a real broker with two worker JVMs: who is
 * admitted, what the JSON says of the run, and requests meant to break it.
 */
@Timeout(120)
class StatusPageTest {
    private static DistributedExecutor pool;
    private static String url;
    private static String base;
    private static String token;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    static void start() {
        pool = DistributedExecutor.builder().workers(2).jvmOptions("-Xshare:auto", "-XX:TieredStopAtLevel=1")
                .statusPage(true).build();
        url = pool.statusPageUrl().orElseThrow();
        Matcher m = Pattern.compile("^(http://127\\.0\\.0\\.1:\\d+)/\\?t=([A-Za-z0-9_-]{43})$").matcher(url);
        assertTrue(m.matches(), url);
        base = m.group(1);
        token = m.group(2);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (pool != null) {
            pool.shutdownNow();
            pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private static HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String status() throws Exception {
        HttpResponse<String> r = get("/api/status?t=" + token);
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(-?\\d+)").matcher(json);
        assertTrue(m.find(), field + " in " + json);
        return Long.parseLong(m.group(1));
    }

    @Test
    void withoutTheToken_403AndNothingElse() throws Exception {
        String wrong = token.substring(0, 42) + (token.charAt(42) == 'A' ? 'B' : 'A');
        for (String path : List.of("/", "/api/status", "/app.js", "/index.html", "/?t=", "/?t=" + wrong,
                "/api/status?t=" + wrong, "/api/status?t=" + token.substring(1), "/nothing-here")) {
            HttpResponse<String> r = get(path);
            assertEquals(403, r.statusCode(), path);
            assertEquals("", r.body(), path);
            assertFalse(r.headers().firstValue("Set-Cookie").isPresent(), path);
        }
        String cookie = "scoop_status_" + URI.create(base).getPort();
        assertEquals(403, get("/api/status", "Cookie", cookie + "=" + wrong).statusCode());
        // The token under another port's cookie name: cookies do not tell ports apart, names do.
        assertEquals(403, get("/api/status", "Cookie", "scoop_status_1=" + token).statusCode());
    }

    @Test
    void theToken_setsAStrictCookie_andTheCookieAdmits() throws Exception {
        HttpResponse<String> r = get("/?t=" + token);
        assertEquals(303, r.statusCode());
        assertEquals("/", r.headers().firstValue("Location").orElseThrow());
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), setCookie);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));

        HttpResponse<String> page = get("/", "Cookie", cookie);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("id=\"workers-count\""), page.body());
        assertEquals("no-store", page.headers().firstValue("Cache-Control").orElseThrow());
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElseThrow());
        String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertTrue(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"), csp);
        assertTrue(get("/app.js", "Cookie", "a=b; " + cookie).body().contains("/api/status"));
        HttpResponse<String> json = get("/api/status", "Cookie", cookie);
        assertEquals(200, json.statusCode());
        assertTrue(json.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
    }

    @Test
    void theJson_showsTheWorkers_andARisingDoneCount() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> number(status(), "workerCount") == 2);
        long before = number(status(), "done");
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int k = i;
            fs.add(pool.with(TaskOptions.defaults().label("square " + k)).submit(() -> k * k));
        }
        for (Future<Integer> f : fs) {
            f.get();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> number(status(), "done") >= before + 20);
        String s = status();
        assertTrue(s.contains("\"label\":\"square 19\""), s);
        assertTrue(s.contains("\"name\":\"w1\"") && s.contains("\"name\":\"w2\""), s);
        assertTrue(s.contains("\"secret\":\"token\""), s);
        // Workers report their heap in heartbeats (every second).
        await().atMost(Duration.ofSeconds(10)).until(() -> number(status(), "heapMax") > 0);
        long perSecond = 0;
        Matcher m = Pattern.compile("\"perSecond\":\\[([0-9,]*)]").matcher(s);
        assertTrue(m.find(), s);
        for (String v : m.group(1).split(",")) {
            perSecond += Long.parseLong(v);
        }
        assertTrue(perSecond >= 20, s);
    }

    @Test
    void aFailure_showsItsTrace() throws Exception {
        Future<Object> f = pool.with(TaskOptions.defaults().label("doomed <b>")).submit(() -> {
            throw new IllegalStateException("boom for the status page");
        });
        try {
            f.get();
        } catch (ExecutionException expected) {
            // the point
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> status().contains("boom for the status page"));
        String s = status();
        assertTrue(s.contains("java.lang.IllegalStateException: boom for the status page\\n\\tat "), s);
        // Markup characters travel escaped.
        assertTrue(s.contains("doomed \\u003cb\\u003e"), s);
        assertTrue(number(s, "failed") >= 1, s);
    }

    @Test
    void hostileRequests_breakNeitherThePageNorTheRun() throws Exception {
        // Other methods, with and without the token: refused, and nothing of them is echoed.
        for (String method : List.of("POST", "PUT", "DELETE", "OPTIONS", "TRACE")) {
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/status?t=" + token))
                    .method(method, HttpRequest.BodyPublishers.ofString("x=1")).build();
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            assertEquals(405, r.statusCode(), method);
            assertEquals("", r.body());
            HttpRequest big = HttpRequest.newBuilder(URI.create(base + "/api/status?t=" + token))
                    .method(method, HttpRequest.BodyPublishers.ofString("x".repeat(1 << 20))).build();
            try {
                HttpClient once = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                assertEquals(405, once.send(big, HttpResponse.BodyHandlers.ofString()).statusCode(), method);
            } catch (IOException closed) {
                // The body is never read: the server may close the connection under it instead of answering.
            }
            HttpRequest anon = HttpRequest.newBuilder(URI.create(base + "/api/status"))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build();
            assertEquals(403, http.send(anon, HttpResponse.BodyHandlers.ofString()).statusCode(), method);
        }
        // Odd paths: not found, not reflected.
        for (String path : List.of("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%00", "/api/status/../../x",
                "/" + "a".repeat(6000), "/<script>alert(1)</script>".replace("<", "%3C").replace(">", "%3E"))) {
            HttpResponse<String> r = get(path + "?t=" + token);
            assertTrue(r.statusCode() == 404 || r.statusCode() == 400 || r.statusCode() == 414, path + ": "
                    + r.statusCode());
            assertFalse(r.body().contains("script") || r.body().contains("passwd"), r.body());
        }
        // A query too long to be a token, and one with many parts.
        assertEquals(403, get("/api/status?t=" + "x".repeat(10_000)).statusCode());
        assertEquals(403, get("/api/status?" + "a=1&".repeat(2000) + "t=" + token).statusCode());

        // Raw sockets: a huge header, garbage, a request line that never ends, and many idle connections.
        InetSocketAddress at = new InetSocketAddress("127.0.0.1", URI.create(base).getPort());
        List<Socket> held = new ArrayList<>();
        try {
            try (Socket s = new Socket()) {
                s.connect(at, 5000);
                s.setSoTimeout(20_000);
                OutputStream out = s.getOutputStream();
                byte[] line = ("X-Big: " + "y".repeat(8000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                out.write(("GET /api/status?t=" + token + " HTTP/1.1\r\nHost: x\r\n").getBytes(StandardCharsets.US_ASCII));
                try {
                    for (int i = 0; i < 250; i++) { // 2 MB of headers
                        out.write(line);
                    }
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    String answer = readSome(s.getInputStream());
                    assertFalse(answer.contains("\"workers\""), "a 2 MB header was served: " + answer);
                } catch (IOException closed) {
                    // The server closed the connection on it: what we want.
                }
            }
            for (int i = 0; i < 3; i++) {
                try (Socket s = new Socket()) {
                    s.connect(at, 5000);
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write(new byte[] {0, 1, 2, (byte) 0xff, '\r', '\n', '\r', '\n'});
                    try {
                        readSome(s.getInputStream());
                    } catch (IOException closed) {
                        // fine
                    }
                }
            }
            for (int i = 0; i < 200; i++) {
                Socket s = new Socket();
                held.add(s);
                s.connect(at, 5000);
                if (i % 50 == 0) {
                    // A request line that never ends.
                    s.getOutputStream().write("GET /api/sta".getBytes(StandardCharsets.US_ASCII));
                }
            }
            // With all of that open, the page still answers and the run still runs. A request may wait out the
            // JDK server's request time (10 s) behind the stalled ones, as the class says: hence 30 s, and a retry.
            long before = await("the page answers with 200 connections open").atMost(Duration.ofSeconds(30))
                    .until(StatusPageTest::doneOrMinusOne, n -> n >= 0);
            assertEquals(49, (int) pool.submit(() -> 7 * 7).get());
            await().atMost(Duration.ofSeconds(30)).until(() -> doneOrMinusOne() > before);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        assertEquals(2, number(status(), "workerCount"));
    }

    /** The page's count of done tasks, or -1 if it did not answer within the request's timeout. */
    private static long doneOrMinusOne() {
        try {
            HttpResponse<String> r = get("/api/status?t=" + token);
            return r.statusCode() == 200 ? number(r.body(), "done") : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    private static String readSome(InputStream in) throws IOException {
        byte[] buf = new byte[4096];
        int n = in.read(buf);
        return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.ISO_8859_1);
    }

    @Test
    void thePage_isTheEmbeddedDefaults() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> DistributedExecutor.builder().connect("tcp://127.0.0.1:1").statusPage(true).build());
    }
}
