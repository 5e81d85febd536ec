package dev.dynamo.it;

import dev.dynamo.it.apps.ManySeriesApp;
import dev.dynamo.it.apps.ServerAbuseApp;
import dev.dynamo.it.apps.WideLabelValuesApp;
import dev.dynamo.it.support.Artifacts;
import dev.dynamo.it.support.Jdk;
import dev.dynamo.it.support.Jdks;
import dev.dynamo.it.support.JvmLauncher;
import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.Polling;
import dev.dynamo.it.support.Processes;
import dev.dynamo.it.support.RawHttpConnection;
import dev.dynamo.it.support.Timeouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8: the agent's HTTP server against clients that abort, stall, flood it or send garbage,
 * and against a page that does not fit in the heap. The application must not notice: no
 * descriptor leaked, liveness always answered, no reset, no log line per request.
 */
@Timeout(240)
class ServerAbuseIT {
    private static final Pattern REJECTED = Pattern.compile(
            "dynamo_system_server_rejected_requests_total\\{reason=\"(\\w+)\",?} (\\S+)");

    @RegisterExtension
    final Processes processes = new Processes();

    static List<Jdk> installedJdks() {
        return Jdks.installed();
    }

    private ManagedProcess app(Jdk jdk, int pageMegabytes, String... environment) {
        JvmLauncher launcher = JvmLauncher.withAgent("abuse-app").jdk(jdk).env("DYN_SYSTEM_PORT", "0")
                .env("DYN_LOG", "info").classpath(Artifacts.appsJar(), Artifacts.apiJar())
                .mainClass(ServerAbuseApp.class.getName()).args("--page-mb", String.valueOf(pageMegabytes));
        for (int i = 0; i < environment.length; i += 2) {
            if (environment[i].startsWith("-")) {
                launcher.jvmArgs(environment[i] + environment[i + 1]);
            } else {
                launcher.env(environment[i], environment[i + 1]);
            }
        }
        ManagedProcess app = processes.start(launcher);
        app.awaitStdoutLine("abuse app: ready", Timeouts.STARTUP);
        app.awaitMetricsPort(Timeouts.STARTUP);
        return app;
    }

    /**
     * The sockets held once the server has served a request and settled: the JDK opens a socket or
     * two of its own at the first requests (once per JVM, not per connection).
     */
    private static int settledSocketDescriptors(ManagedProcess app, int port) throws IOException {
        try (RawHttpConnection warmUp = new RawHttpConnection(port)) {
            assertEquals(200, warmUp.get("/live").status());
            assertEquals(200, warmUp.get("/metrics").status());
        }
        int[] last = {-1};
        return Polling.await(Timeouts.SCRAPE, () -> "socket count never settled: " + last[0], () -> {
            int count = app.socketDescriptors();
            boolean settled = count == last[0];
            last[0] = count;
            try {
                Thread.sleep(200);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            return settled ? count : null;
        });
    }

    private static void awaitSocketDescriptors(ManagedProcess app, int expected, Duration timeout) {
        Polling.await(timeout, () -> "the app holds " + app.socketDescriptors() + " sockets, expected " + expected,
                () -> app.socketDescriptors() <= expected ? Boolean.TRUE : null);
    }

    private static double rejected(String page, String reason) {
        Matcher matcher = REJECTED.matcher(page);
        while (matcher.find()) {
            if (matcher.group(1).equals(reason)) {
                return Double.parseDouble(matcher.group(2));
            }
        }
        throw new AssertionError("no rejected-requests counter for " + reason + " in:\n" + page);
    }

    private static String rejectionsPage(int port) throws IOException {
        try (RawHttpConnection connection = new RawHttpConnection(port)) {
            return connection.get("/metrics?name[]=dynamo_system_server_rejected_requests_total").text();
        }
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    @Test
    void abortedScrapesLeakNoDescriptor() throws IOException {
        ManagedProcess app = app(Jdk.current(), 16);
        int port = app.awaitMetricsPort(Timeouts.STARTUP);
        try (RawHttpConnection warmUp = new RawHttpConnection(port)) {
            assertTrue(warmUp.get("/metrics").body().length > 16_000_000, "the page must outgrow socket buffers");
        }
        int before = settledSocketDescriptors(app, port);

        for (int i = 0; i < 100; i++) {
            // A small receive buffer, a few bytes read, then a close with the rest unread: the
            // server's write is cut mid-page by a reset, as when Prometheus times a scrape out.
            try (RawHttpConnection aborted = new RawHttpConnection(port, 4096)) {
                aborted.send("GET /metrics HTTP/1.1\r\n\r\n");
                assertTrue(aborted.readSome(1024) > 0);
            }
        }

        awaitSocketDescriptors(app, before, Duration.ofSeconds(20));
        try (RawHttpConnection after = new RawHttpConnection(port)) {
            assertEquals(200, after.get("/live").status());
        }
        assertTrue(app.isAlive(), app.describe());
        assertFalse(app.stderr().contains("WARN"), "an aborted scrape is no warning: " + app.stderr());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("installedJdks")
    void stalledClientsLeaveLivenessAndMetricsAnsweringAndAreClosedAtTheDeadline(Jdk jdk) throws IOException {
        int timeoutMillis = 3000;
        ManagedProcess app = app(jdk, 1, "DYN_SYSTEM_REQUEST_TIMEOUT_MS", String.valueOf(timeoutMillis));
        int port = app.awaitMetricsPort(Timeouts.STARTUP);
        int before = settledSocketDescriptors(app, port);
        List<RawHttpConnection> stalled = new ArrayList<>();
        try {
            long stallStart = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                stalled.add(new RawHttpConnection(port).send("GET /metr"));
            }

            for (String path : Arrays.asList("/live", "/metrics", "/health")) {
                long start = System.nanoTime();
                try (RawHttpConnection fresh = new RawHttpConnection(port)) {
                    int status = fresh.get(path).status();
                    long took = millisSince(start);
                    assertTrue(status == 200 || (path.equals("/health") && status == 503), path + ": " + status);
                    assertTrue(took < 1000, path + " took " + took + " ms behind 200 stalled connections");
                }
            }

            for (RawHttpConnection connection : stalled) {
                connection.setReadTimeout(timeoutMillis + 10_000);
                assertTrue(connection.closedByServer());
            }
            long closedAfter = millisSince(stallStart);
            assertTrue(closedAfter >= timeoutMillis - 500 && closedAfter < timeoutMillis + 8000,
                    "all closed after " + closedAfter + " ms, deadline " + timeoutMillis + " ms");
        } finally {
            for (RawHttpConnection connection : stalled) {
                connection.close();
            }
        }
        assertEquals(200.0, rejected(rejectionsPage(port), "request_timeout"));
        awaitSocketDescriptors(app, before, Timeouts.SCRAPE);
        long timeoutLines = app.stderrLines().stream().filter(line -> line.contains("no complete request")).count();
        assertEquals(1, timeoutLines, "one line for 200 stalled clients: " + app.stderr());
    }

    /**
     * The server keeps little direct memory between scrapes: JDKs before 23 cache, per thread and for good,
     * a temporary direct buffer the size of each heap buffer written to a channel, counted against
     * {@code -XX:MaxDirectMemorySize}. After scrapes of a 1 MB page the application still gets 1,000 KiB of
     * its limit of 1 MiB. Before, the server's 64 KiB write slices, each written with the response head, kept
     * 72–128 KiB, and a re-tester's 952 KiB failed (JDK 17); now one buffer of 16 KiB stays.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("installedJdks")
    void scrapesLeaveTheApplicationItsDirectMemory(Jdk jdk) throws IOException {
        ManagedProcess app = app(jdk, 1, "-XX:MaxDirectMemorySize=", "1m");
        int port = app.awaitMetricsPort(Timeouts.STARTUP);
        for (int i = 0; i < 5; i++) {
            try (RawHttpConnection scrape = new RawHttpConnection(port)) {
                assertEquals(200, scrape.get("/metrics").status());
            }
        }
        app.send("direct 1000");
        assertEquals("abuse app: direct ok", app.awaitStdoutLine("abuse app: direct ", Timeouts.SCRAPE), app.describe());
    }

    @Test
    void concurrentScrapersSeeNoReset() throws Exception {
        ManagedProcess app = app(Jdk.current(), 0);
        int port = app.awaitMetricsPort(Timeouts.STARTUP);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger overloaded = new AtomicInteger();
        AtomicInteger livenessFailures = new AtomicInteger();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        ExecutorService scrapers = Executors.newFixedThreadPool(201);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                running.add(scrapers.submit(() -> {
                    RawHttpConnection connection = null;
                    try {
                        while (System.nanoTime() < end) {
                            if (connection == null) {
                                connection = new RawHttpConnection(port);
                            }
                            RawHttpConnection.Reply reply = connection.get("/metrics");
                            if (reply.status() == 200) {
                                ok.incrementAndGet();
                            } else if (reply.status() == 503 && "1".equals(reply.header("Retry-After"))) {
                                overloaded.incrementAndGet();
                                Thread.sleep(1000);
                            } else {
                                throw new AssertionError("answered " + reply.status());
                            }
                            if ("close".equals(reply.header("Connection"))) {
                                connection.close();
                                connection = null;
                            }
                        }
                    } catch (Throwable failed) {
                        failures.add(failed);
                    } finally {
                        if (connection != null) {
                            connection.close();
                        }
                    }
                    return null;
                }));
            }
            running.add(scrapers.submit(() -> {
                while (System.nanoTime() < end) {
                    long start = System.nanoTime();
                    try (RawHttpConnection probe = new RawHttpConnection(port)) {
                        if (probe.get("/live").status() != 200 || millisSince(start) > 1000) {
                            livenessFailures.incrementAndGet();
                        }
                    } catch (IOException failed) {
                        livenessFailures.incrementAndGet();
                    }
                    Thread.sleep(200);
                }
                return null;
            }));
            for (Future<?> task : running) {
                task.get(60, TimeUnit.SECONDS);
            }
        } finally {
            scrapers.shutdownNow();
        }

        assertEquals(List.of(), failures.stream().map(Throwable::toString).distinct().toList(),
                "resets or errors among " + ok.get() + " scrapes");
        assertTrue(ok.get() > 200, "scrapes served: " + ok.get());
        assertEquals(0, livenessFailures.get(), "liveness probes failed or took over 1 s");
        double counted = rejected(rejectionsPage(port), "overloaded");
        assertEquals(overloaded.get(), counted, 0.0, "every 503 is counted");
        System.out.printf("200 scrapers for 15 s: %d served, %d answered 503%n", ok.get(), overloaded.get());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("installedJdks")
    void keepAliveScrapesTakeWellUnder40Milliseconds(Jdk jdk) throws IOException {
        // Without the JVM collectors, whose cost is not the server's, a scrape is the server's round trip.
        ManagedProcess app = app(jdk, 0, "DYN_SYSTEM_JVM_METRICS", "false");
        int port = app.awaitMetricsPort(Timeouts.STARTUP);
        List<Long> micros = new ArrayList<>();
        try (RawHttpConnection connection = new RawHttpConnection(port)) {
            for (int i = 0; i < 60; i++) {
                long start = System.nanoTime();
                RawHttpConnection.Reply reply = connection.get("/metrics");
                long took = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
                assertEquals(200, reply.status());
                assertEquals("keep-alive", reply.header("Connection"));
                if (i >= 10) {
                    micros.add(took);
                }
            }
        }
        micros.sort(null);
        long median = micros.get(micros.size() / 2);
        long p90 = micros.get(micros.size() * 9 / 10);
        System.out.printf("keep-alive scrape on %s: median %.2f ms, p90 %.2f ms%n", jdk, median / 1000.0, p90 / 1000.0);
        // A delayed-ACK stall costs 40 ms on every scrape; the median stays far below it.
        assertTrue(median < 20_000, "median " + median + " µs: " + micros);
    }

    @Test
    void malformedRequestsAreAnsweredWithoutALogLinePerRequest() throws IOException {
        ManagedProcess app = app(Jdk.current(), 0);
        int port = app.awaitMetricsPort(Timeouts.STARTUP);
        int linesAtStart = app.stderrLines().size();

        try (RawHttpConnection connection = new RawHttpConnection(port)) {
            for (int i = 0; i < 200; i++) {
                RawHttpConnection.Reply reply = connection.send("GET /metrics HTTP/1.1\r\nAccept-Encoding: ;\r\n\r\n")
                        .read();
                assertEquals(200, reply.status());
                assertEquals(null, reply.header("Content-Encoding"));
            }
        }
        assertEquals(linesAtStart, app.stderrLines().size(), "no log line for 'Accept-Encoding: ;': " + app.stderr());

        for (int i = 0; i < 50; i++) {
            for (String garbage : Arrays.asList("GARBAGE\r\n\r\n", "GET /metrics HTTP/1.1\r\nno colon\r\n\r\n",
                    "GET /metrics HTTP/1.1\r\nHost\u0001: x\r\n\r\n", "\u0000\u0001\u0002\r\n\r\n")) {
                try (RawHttpConnection connection = new RawHttpConnection(port)) {
                    RawHttpConnection.Reply reply = connection.send(garbage).read();
                    assertEquals(400, reply.status(), garbage);
                    assertTrue(reply.text().startsWith("Bad Request: "), reply.text());
                    assertFalse(reply.text().contains("GARBAGE") || reply.text().contains("no colon"), reply.text());
                    assertTrue(connection.closedByServer());
                }
            }
        }
        List<String> newLines = app.stderrLines().subList(linesAtStart, app.stderrLines().size());
        assertEquals(1, newLines.size(), "one line for 200 malformed requests: " + newLines);
        assertEquals(200.0, rejected(rejectionsPage(port), "bad_request"));
    }

    /**
     * Finding F1 of a re-tester: 100,000 series of the application's own take most of a 48 MB heap, and the
     * JVM runs with -XX:+ExitOnOutOfMemoryError, as containers often do. One scrape, plain or gzip, ran out
     * of memory rendering the page and so ended the JVM (exit code 3). The page is now weighed against the
     * free heap first: 503 with what to do, the application runs on, and a scrape of a small family works.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("installedJdks")
    void aPageTheFreeHeapCannotSpareIs503AndTheApplicationRunsOnUnderExitOnOutOfMemoryError(Jdk jdk)
            throws IOException {
        ManagedProcess app = processes.start(JvmLauncher.withAgent("many-series").jdk(jdk)
                .jvmArgs("-Xmx48m", "-XX:+ExitOnOutOfMemoryError").env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info")
                .env("DYN_METRICS_MAX_SERIES", "1000000").classpath(Artifacts.appsJar(), Artifacts.apiJar())
                .mainClass(ManySeriesApp.class.getName()).args("100000"));
        app.awaitStdoutLine("many series: ready", Timeouts.STARTUP.multipliedBy(2));
        int port = app.awaitMetricsPort(Timeouts.STARTUP);

        for (String encoding : Arrays.asList("identity", "gzip")) {
            try (RawHttpConnection connection = new RawHttpConnection(port)) {
                RawHttpConnection.Reply reply = connection.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Accept-Encoding: " + encoding + "\r\n\r\n").read();
                assertEquals(503, reply.status(), encoding + ": " + reply.text());
                assertTrue(reply.text().startsWith("Service Unavailable: not enough free heap to render 100"),
                        reply.text());
                assertTrue(reply.text().contains("raise -Xmx, ask for fewer metrics with ?name[]=, or lower"
                        + " DYN_METRICS_MAX_SERIES"), reply.text());
                assertTrue(reply.header("Retry-After") != null, reply.headers().toString());
            }
        }
        try (RawHttpConnection connection = new RawHttpConnection(port)) {
            RawHttpConnection.Reply own = connection.get("/metrics?name[]=dynamo_component_started_total");
            assertEquals(200, own.status(), own.text());
            assertTrue(own.text().contains("dynamo_component_started_total{"), own.text());
            RawHttpConnection.Reply jvm = connection.get("/metrics?name[]=jvm_threads_current");
            assertEquals(200, jvm.status(), jvm.text());
            assertTrue(jvm.text().contains("jvm_threads_current "), jvm.text());
            assertEquals(200, connection.get("/live").status());
        }
        assertEquals(2.0, rejected(rejectionsPage(port), "heap_headroom"));

        assertTrue(app.isAlive(), app.describe());
        app.sendAndClose("");
        assertEquals(0, app.awaitExit(Timeouts.STARTUP), app.describe());
        assertTrue(app.stdout().contains("many series: main returns"), app.describe());
        assertFalse(app.stdout().contains("Terminating due to") || app.stderr().contains("OutOfMemoryError"),
                app.describe());
        long warnings = app.stderrLines().stream().filter(line -> line.contains("not enough free heap")).count();
        assertEquals(1, warnings, "logged once at warn, then at debug: " + app.stderr());
    }

    /**
     * Finding F2 of a re-tester: one histogram vec of 4 labels whose values are 4,096 CJK characters, each
     * within every documented limit, in the default 2,000 label sets, made a page of 1.3 GB. Every scrape of
     * a 512 MB heap answered 503, and every family was lost with it, the agent's and the JVM's included. The
     * family now keeps as many label sets as the page bytes of their values allow, folds the rest, and the
     * page answers 200 with every family.
     */
    @Test
    void aVecOfTheLongestLabelValuesKeepsThePageWithEveryFamily() throws IOException {
        ManagedProcess app = processes.start(JvmLauncher.withAgent("wide-labels").jdk(Jdk.current())
                .jvmArgs("-Xmx512m").env("DYN_SYSTEM_PORT", "0").classpath(Artifacts.appsJar(), Artifacts.apiJar())
                .mainClass(WideLabelValuesApp.class.getName()).args("2000"));
        app.awaitStdoutLine("wide labels: ready", Timeouts.STARTUP.multipliedBy(2));
        int port = app.awaitMetricsPort(Timeouts.STARTUP);

        for (int scrape = 0; scrape < 2; scrape++) {
            try (RawHttpConnection connection = new RawHttpConnection(port)) {
                RawHttpConnection.Reply page = connection.get("/metrics");
                assertEquals(200, page.status(), page.text().substring(0, Math.min(500, page.text().length())));
                assertTrue(page.body().length < 10_000_000, page.body().length + " bytes");
                String text = page.text();
                assertTrue(text.contains("dynamo_component_started_total{"), "the application's other family");
                assertTrue(text.contains("jvm_threads_current "), "the JVM's metrics");
                assertTrue(text.contains("dynamo_component_wide_count{dynamo_namespace=\"wide\",dynamo_component="
                        + "\"labels\",dynamo_endpoint=\"main\",l0=\"__overflow__\",l1=\"__overflow__\",l2="
                        + "\"__overflow__\",l3=\"__overflow__\",} 1989.0"), "11 label sets kept, the rest folded");
                assertTrue(text.contains("dynamo_metrics_folded_label_sets_total{family=\"dynamo_component_wide\",}"
                        + " 1989.0"), "every folded label set counted");
            }
        }
        long warnings = app.stderrLines().stream()
                .filter(line -> line.contains("metric 'dynamo_component_wide' reached its limit of 8192000 bytes"))
                .count();
        assertEquals(1, warnings, app.stderr());
        app.sendAndClose("");
        assertEquals(0, app.awaitExit(Timeouts.STARTUP), app.describe());
    }

    @Test
    void aPageThatDoesNotFitInTheHeapIsAnErrorAndTheNextScrapeWorks() throws IOException {
        ManagedProcess app = app(Jdk.current(), 0, "-Xmx", "128m");
        int port = app.awaitMetricsPort(Timeouts.STARTUP);
        int before = settledSocketDescriptors(app, port);
        app.send("huge");
        app.awaitStdoutLine("abuse app: huge page", Timeouts.STARTUP);

        long start = System.nanoTime();
        try (RawHttpConnection connection = new RawHttpConnection(port)) {
            try {
                RawHttpConnection.Reply reply = connection.get("/metrics");
                assertEquals(500, reply.status(), "a page larger than the heap");
                assertEquals("close", reply.header("Connection"));
            } catch (SocketException closed) {
                // A closed connection is an acceptable answer too; a hanging one is not.
            }
        }
        long took = millisSince(start);
        assertTrue(took < 10_000, "answered after " + took + " ms");

        app.send("normal");
        app.awaitStdoutLine("abuse app: normal page", Timeouts.STARTUP);
        // The page's foreign copy is known by its last collection, the huge one, until it has been measured
        // that way 10 times (ForeignCopies.MEASURES_PER_COLLECTION): refused for the heap until then.
        for (int refused = 0; ; refused++) {
            try (RawHttpConnection connection = new RawHttpConnection(port)) {
                RawHttpConnection.Reply reply = connection.get("/metrics");
                if (reply.status() == 503 && refused < 10) {
                    assertTrue(reply.text().contains("not enough free heap"), reply.text());
                    continue;
                }
                assertEquals(200, reply.status(), reply.text());
                assertTrue(reply.text().contains("dynamo_component_started_total"), reply.text());
                break;
            }
        }
        assertTrue(app.isAlive(), app.describe());
        assertTrue(app.stderr().contains("OutOfMemoryError"), "the failure is logged: " + app.stderr());
        awaitSocketDescriptors(app, before, Timeouts.SCRAPE);
    }
}
