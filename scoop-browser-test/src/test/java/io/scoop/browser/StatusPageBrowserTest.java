package io.scoop.browser;

import io.scoop.DistributedExecutor;
import io.scoop.TaskOptions;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The status page in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, driven by
 * Selenium), loaded during a run of two real worker JVMs: it must show two workers and a done count that rises.
 * It saves a screenshot to {@code target/status-page.png}, and to the path in {@code -Dscoop.screenshot} too
 * (how the README's {@code docs/status-page.png} is made).
 *
 * <p>Tagged {@code browser}: left out of the default {@code mvn verify} (it needs the Debian packages), run by
 * {@code .ci/run}, which installs them.
 */
@Tag("browser")
@Timeout(180)
class StatusPageBrowserTest {
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private DistributedExecutor pool;
    private ChromeDriverService service;
    private ChromeDriver driver;
    private Thread load;
    private final AtomicBoolean loading = new AtomicBoolean(true);
    private Path profile;

    @BeforeEach
    void start() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
                "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)");
        pool = DistributedExecutor.builder().workers(2).jvmOptions("-Xshare:auto", "-XX:TieredStopAtLevel=1")
                .statusPage(true).build();
        // A steady run: labelled tasks of 150 ms each, a few at a time, and now and then one that throws.
        load = new Thread(this::load, "status-page-load");
        load.setDaemon(true);
        load.start();

        profile = Files.createTempDirectory("scoop-chromium-");
        // Debian's chromedriver at a free port; Selenium Manager is never asked (it would download a driver).
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .withLogFile(new File("target/chromedriver.log")).build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1400", "--no-first-run", "--disable-extensions", "--disable-background-networking",
                "--user-data-dir=" + profile);
        driver = new ChromeDriver(service, options);
    }

    private void load() {
        int n = 0;
        while (loading.get()) {
            List<Future<?>> batch = new ArrayList<>();
            for (int i = 0; i < 4 && loading.get(); i++, n++) {
                int k = n;
                if (k % 40 == 7) {
                    batch.add(pool.with(TaskOptions.defaults().label("fit " + k)).submit(() -> {
                        throw new IllegalArgumentException("fit " + k + ": the matrix is singular");
                    }));
                } else {
                    batch.add(pool.with(TaskOptions.defaults().label("fit " + k)).submit(() -> {
                        long until = System.nanoTime() + 150_000_000L;
                        double x = 0;
                        while (System.nanoTime() < until) {
                            x += Math.sqrt(x + k);
                        }
                        return x;
                    }));
                }
            }
            for (Future<?> f : batch) {
                try {
                    f.get();
                } catch (ExecutionException expected) {
                    // the failing ones
                } catch (InterruptedException | java.util.concurrent.CancellationException e) {
                    return;
                }
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        loading.set(false);
        try {
            if (driver != null) {
                driver.quit();
            }
        } finally {
            if (service != null) {
                service.stop();
            }
            if (pool != null) {
                pool.shutdownNow();
                assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
            }
            if (load != null) {
                load.join(10_000);
            }
            // Nothing the test started may outlive it: chromedriver, chromium and its helpers, the workers.
            await().atMost(Duration.ofSeconds(20)).until(() -> ProcessHandle.current().descendants()
                    .noneMatch(ProcessHandle::isAlive));
            if (profile != null) {
                try (var files = Files.walk(profile)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private String text(String id) {
        return driver.findElement(By.id(id)).getText().strip();
    }

    private long number(String id) {
        String t = text(id);
        return t.matches("\\d+") ? Long.parseLong(t) : -1;
    }

    /** The cells' text of a table's body, row by row. */
    @SuppressWarnings("unchecked")
    private List<List<String>> rows(String tableId) {
        return (List<List<String>>) driver.executeScript("return Array.from(document.querySelectorAll('#' + arguments[0]"
                + " + ' tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent));", tableId);
    }

    @Test
    void thePage_showsTheWorkers_andARisingDoneCount() throws Exception {
        long started = System.nanoTime();
        driver.get(pool.statusPageUrl().orElseThrow());
        // The token went into a cookie, and out of the address bar.
        assertFalse(driver.getCurrentUrl().contains("t="), driver.getCurrentUrl());

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> "live".equals(text("conn")) && number("workers-count") == 2);
        long first = number("done-count");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> number("done-count") > first);
        long second = number("done-count");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> number("done-count") > second);

        // The page redraws its tables every second: each is read whole, in one script run between two redraws.
        List<List<String>> workers = rows("workers");
        assertEquals(2, workers.size(), workers.toString());
        assertEquals(List.of("w1", "w2"), workers.stream().map(r -> r.get(0)).sorted().toList());
        // Workers report their heap and the labels of the tasks they run; recent tasks carry their labels; a
        // failure shows its trace.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> driver.findElements(By.cssSelector("#failures details")).size() > 0
                        && rows("workers").stream().allMatch(r -> r.get(6).contains("MiB"))
                        && rows("workers").stream().anyMatch(r -> r.get(4).startsWith("fit ")));
        assertTrue(rows("tasks").stream().anyMatch(r -> r.get(1).startsWith("fit ") && r.get(2).equals("ok")),
                rows("tasks").toString());
        WebElement failure = driver.findElement(By.cssSelector("#failures details"));
        String key = failure.getAttribute("data-key");
        assertTrue(failure.getText().contains("the matrix is singular"), failure.getText());
        failure.findElement(By.tagName("summary")).click();
        // Opened, it stays open through the next polls, and shows the trace.
        By opened = By.cssSelector("#failures details[data-key='" + key + "']");
        long polls = System.nanoTime() + 2_500_000_000L;
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
                .until(() -> System.nanoTime() > polls && driver.findElement(opened).getAttribute("open") != null);
        String trace = driver.findElement(opened).findElement(By.tagName("pre")).getText();
        assertTrue(trace.contains("IllegalArgumentException: fit ") && trace.contains("at io.scoop.browser.StatusPageBrowserTest"),
                trace);

        byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        Path shot = Path.of("target", "status-page.png");
        Files.write(shot, png);
        String copy = System.getProperty("scoop.screenshot");
        if (copy != null && !copy.isBlank()) {
            Files.copy(shot, Path.of(copy), StandardCopyOption.REPLACE_EXISTING);
        }
        System.out.println("status page in Chromium: " + (System.nanoTime() - started) / 1_000_000 + " ms from load"
                + " to screenshot; done " + number("done-count") + ", failed " + number("failed-count"));
    }
}
