package io.scoop.launcher;

import io.scoop.DistributedExecutor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A root program for the status page's launcher test: it prints the status page URL its executor knows (or
 * "none"), runs a few tasks, and prints what the page's JSON says then.
 */
public final class StatusApp {
    private StatusApp() {
    }

    public static void main(String[] args) throws Exception {
        DistributedExecutor ex = new DistributedExecutor();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> ex.workerCount() >= 1);
            String url = ex.statusPageUrl().orElse("none");
            System.out.println("status=" + url);
            for (int i = 0; i < 5; i++) {
                int k = i;
                ex.submit(() -> k * k).get(30, TimeUnit.SECONDS);
            }
            if (!url.equals("none")) {
                String api = url.replace("/?t=", "/api/status?t=");
                HttpClient http = HttpClient.newHttpClient();
                HttpRequest req = HttpRequest.newBuilder(URI.create(api)).timeout(Duration.ofSeconds(10)).build();
                Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                        .until(() -> http.send(req, HttpResponse.BodyHandlers.ofString()).body().contains("\"done\":5,"));
                String json = http.send(req, HttpResponse.BodyHandlers.ofString()).body();
                System.out.println("json workerCount=" + json.replaceAll("(?s).*\"workerCount\":(\\d+).*", "$1"));
            }
        } finally {
            ex.shutdown();
        }
    }
}
