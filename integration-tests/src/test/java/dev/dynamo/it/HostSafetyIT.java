package dev.dynamo.it;

import dev.dynamo.it.support.Artifacts;
import dev.dynamo.it.support.Exposition;
import dev.dynamo.it.support.Jdk;
import dev.dynamo.it.support.Jdks;
import dev.dynamo.it.support.JvmLauncher;
import dev.dynamo.it.support.Labels;
import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.MetricsScraper;
import dev.dynamo.it.support.Polling;
import dev.dynamo.it.support.Processes;
import dev.dynamo.it.support.ThreadStats;
import dev.dynamo.it.support.Timeouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8, instrumentation rows: an instrumented application at the edge of its resources runs as
 * it would without the agent, and its metrics stay true. The application is {@code HostSafetyApp},
 * driven over stdin, on every installed JDK where the JDK matters.
 */
@Timeout(300)
class HostSafetyIT {
    private static final String APP = "dev.dynamo.it.apps.HostSafetyApp";
    private static final String REQUESTS = "dynamo_component_requests_total";
    private static final String INFLIGHT = "dynamo_component_inflight_requests";
    private static final String COUNT = "dynamo_component_request_duration_seconds_count";
    private static final String ERRORS = "dynamo_component_errors_total";
    private static final Map<String, String> OVERFLOW = Labels.endpoint("safety", "recursion", "overflow");

    @RegisterExtension
    final Processes processes = new Processes();

    static List<Jdk> installedJdks() {
        return Jdks.installed();
    }

    private ManagedProcess start(JvmLauncher launcher) {
        ManagedProcess app = processes.start(launcher.classpath(Artifacts.appsJar(), Artifacts.apiJar()).mainClass(APP));
        app.awaitStdoutLine("ready", Timeouts.STARTUP);
        return app;
    }

    private ManagedProcess startWithAgent(Jdk jdk) {
        return start(JvmLauncher.withAgent("host-safety").jdk(jdk).env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info"));
    }

    /** Sends {@code command} and returns the app's answer, without the command's name. */
    private static String send(ManagedProcess app, String command) {
        String name = command.split(" ")[0];
        long before = answers(app, name).size();
        app.send(command);
        return Polling.await(Timeouts.SCRAPE.multipliedBy(4), () -> "no answer to '" + command + "': " + app.describe(),
                () -> {
                    List<String> answers = answers(app, name);
                    return answers.size() > before ? answers.get(answers.size() - 1).substring(name.length() + 1)
                            : null;
                });
    }

    private static List<String> answers(ManagedProcess app, String name) {
        return app.stdout().lines().filter(line -> line.startsWith(name + " ")).toList();
    }

    /** Rows 1 and 5: a StackOverflowError through an annotated method, caught by the application. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("installedJdks")
    void aCaughtStackOverflowLeavesTheJdkAndTheMetricsIntact(Jdk jdk) {
        ManagedProcess app = startWithAgent(jdk);
        MetricsScraper scraper = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));

        assertTrue(send(app, "overflow").startsWith("caught at depth"), app.describe());

        // Calls whose exit could not be recorded at the top of the stack are settled by the scrape.
        Exposition page = scraper.awaitPage(Timeouts.SCRAPE, "in-flight back to 0", p -> p.has(INFLIGHT, OVERFLOW)
                && p.value(INFLIGHT, OVERFLOW) == 0);
        double requests = page.value(REQUESTS, OVERFLOW);
        assertTrue(requests > 1000, "the recursion was counted: " + requests);
        assertEquals(requests, page.value(COUNT, OVERFLOW), "every counted call has ended");
        assertTrue(page.value(ERRORS, Labels.with(OVERFLOW, "error_type", "StackOverflowError")) > 0,
                "the overflow is counted as an error");

        String after = send(app, "jdk-after-overflow");
        assertTrue(after.contains("serialization=[payload]"), after);
        assertTrue(after.contains("classvalue=HostSafetyApp"), after);
        assertTrue(after.contains(jdk.feature() >= 16 ? "record=Point[x=1,_y=2],equals=true" : "record=unsupported"),
                after);
        assertTrue(after.contains("error=after_the_overflow"), after);

        // Error counting and the pairing of requests and durations keep working after the overflow.
        assertTrue(send(app, "overflow").startsWith("caught at depth"), app.describe());
        Exposition second = scraper.awaitPage(Timeouts.SCRAPE, "second overflow settled",
                p -> p.value(REQUESTS, OVERFLOW) > requests && p.value(INFLIGHT, OVERFLOW) == 0);
        assertEquals(second.value(REQUESTS, OVERFLOW), second.value(COUNT, OVERFLOW));
        assertEquals(1, second.value(ERRORS, Labels.with(Labels.endpoint("safety", "errors", "failing"),
                "error_type", "IllegalStateException")));
        assertFalse(app.stderr().contains("NoClassDefFoundError"), app.stderr());
    }

    /**
     * Rows 1 and 5 through the handler shapes: a Kotlin suspend function and a Reactor publisher
     * method recurse into a StackOverflowError and catch it at the top, where their returns' exits
     * cannot be called. Nothing reaches the application (one catch per descent), the JDK works
     * after, and every counted call has ended once.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("installedJdks")
    void handlerShapesReturningAtTheTopOfAnExhaustedStackStayExact(Jdk jdk) {
        ManagedProcess app = processes.start(JvmLauncher.withAgent("exhausted-shapes").jdk(jdk)
                .env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info")
                .classpath(Artifacts.handlerStyleAppsJar(), Artifacts.apiJar())
                .mainClass("dev.dynamo.it.styles.ExhaustedStackApp"));
        app.awaitStdoutLine("ready", Timeouts.STARTUP);
        MetricsScraper scraper = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));

        assertEquals("caught=20", send(app, "suspend 20"), app.describe());
        assertEquals("caught=20", send(app, "publisher 20"), app.describe());
        assertEquals("value=0", send(app, "subscribe"), app.describe());
        String after = send(app, "jdk");
        assertEquals("serialization=[payload] classvalue=ExhaustedStackApp", after);

        Map<String, String> suspend = Labels.endpoint("exhausted", "shapes", "suspend");
        Map<String, String> publisher = Labels.endpoint("exhausted", "shapes", "publisher");
        Exposition page = scraper.awaitPage(Timeouts.SCRAPE, "in-flight back to 0",
                p -> p.has(INFLIGHT, suspend) && p.value(INFLIGHT, suspend) == 0
                        && p.has(INFLIGHT, publisher) && p.value(INFLIGHT, publisher) == 0);
        assertTrue(page.value(REQUESTS, suspend) > 20 * 100, "the descents were counted: " + page.value(REQUESTS, suspend));
        assertEquals(page.value(REQUESTS, suspend), page.value(COUNT, suspend), "every counted call has ended once");
        assertTrue(page.value(REQUESTS, publisher) >= 1, "the subscription was counted");
        assertEquals(page.value(REQUESTS, publisher), page.value(COUNT, publisher), "every counted call has ended once");
        assertFalse(app.stderr().contains("NoClassDefFoundError"), app.stderr());
    }

    /** Row 4: recursion as deep as real code goes works with the agent wherever it works without. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("installedJdks")
    void tenThousandDeepRecursionWorksWithTheAgentAsWithout(Jdk jdk) {
        ManagedProcess without = start(JvmLauncher.withoutAgent("without-agent").jdk(jdk));
        assertEquals("ok", send(without, "depth 10000"), without.describe());

        ManagedProcess with = startWithAgent(jdk);
        assertEquals("ok", send(with, "depth 10000"), with.describe());
    }

    /**
     * A custom system class loader that is not parallel-capable serves the application's and the agent's
     * classes, and every thread's stack is too short for the weaving ({@code -Xss136k}): the weaving runs on
     * a thread of its own, which needs agent classes from the loader the loading thread holds locked. The
     * first use of each handler class does not wait for it; the class is woven once loaded, and counted from
     * then on, exactly. Before, each first use stalled 5 s, the wait's limit (a re-tester, JDK 17 and 25).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("installedJdks")
    void aLockedNonParallelSystemLoaderDoesNotStallTheFirstUseOfEachHandler(Jdk jdk) {
        ManagedProcess app = processes.start(JvmLauncher.withAgent("synchronized-system-loader").jdk(jdk)
                .jvmArgs("-Xss136k", "-Djava.system.class.loader=dev.dynamo.it.apps.SynchronizedSystemLoader")
                .classpath(Artifacts.appsJar(), Artifacts.apiJar()).mainClass("dev.dynamo.it.apps.SystemLoaderApp")
                .env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info"));
        MetricsScraper scraper = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));
        assertEquals("loader dev.dynamo.it.apps.SynchronizedSystemLoader", app.awaitStdoutLine("loader ", Timeouts.STARTUP));
        for (String endpoint : List.of("first", "second")) {
            long millis = Long.parseLong(app.awaitStdoutLine("first " + endpoint + " ", Timeouts.STARTUP)
                    .substring(("first " + endpoint + " ").length()));
            assertTrue(millis < 2000, "the first use of " + endpoint + " took " + millis + " ms: " + app.describe());
        }
        // Each class either loaded woven (its first call counted) or was woven once loaded, which one line says;
        // its series is on the page either way.
        Exposition first = scraper.awaitPage(Timeouts.STARTUP, "both handler classes woven", page -> Stream.of("first",
                "second").allMatch(endpoint -> {
                    Map<String, String> labels = Labels.endpoint("it", "system_loader", endpoint);
                    return page.has(REQUESTS, labels) && (page.value(REQUESTS, labels) > 0
                            || app.stderr().contains("instrumented dev.dynamo.it.apps.SystemLoaderApp$"
                                    + Character.toUpperCase(endpoint.charAt(0)) + endpoint.substring(1) + " "));
                }));
        Map<String, Double> before = new HashMap<>();
        for (String endpoint : List.of("first", "second")) {
            before.put(endpoint, first.value(REQUESTS, Labels.endpoint("it", "system_loader", endpoint)));
        }
        app.send("call 100");
        app.awaitStdoutLine("call done", Timeouts.STARTUP);

        Exposition page = scraper.scrape();
        for (String endpoint : List.of("first", "second")) {
            Map<String, String> labels = Labels.endpoint("it", "system_loader", endpoint);
            assertEquals(before.get(endpoint) + 100, page.value(REQUESTS, labels), endpoint + ": " + page);
            assertEquals(page.value(REQUESTS, labels), page.value(COUNT, labels), endpoint);
        }
    }

    /** Row 6: one method of a class cannot be woven; the others are measured, it has no series. */
    @Test
    void aMethodThatCannotBeInstrumentedHasNoSeriesAndOneWarning() {
        ManagedProcess app = startWithAgent(Jdk.current());
        MetricsScraper scraper = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));

        assertEquals("21 10936", send(app, "oversized"));

        Map<String, String> small = Labels.endpoint("safety", "oversized", "small");
        Exposition page = scraper.awaitValue(Timeouts.SCRAPE, REQUESTS, small, 1);
        assertEquals(1, page.value(COUNT, small));
        assertTrue(page.samples().stream().noneMatch(s -> "oversized".equals(s.labels().get("dynamo_endpoint"))),
                "no series for the endpoint that is not measured: " + page.linesStartingWith("dynamo_component_"));
        List<String> warnings = app.stderrLines().stream()
                .filter(line -> line.contains("OversizedHandler.oversized")).toList();
        assertEquals(1, warnings.size(), app.stderr());
        assertTrue(warnings.get(0).contains("WARN") && warnings.get(0).contains("65535"), warnings.get(0));
        String health = scraper.get("/health").body();
        assertTrue(health.contains("\"small\":\"ready\"") && !health.contains("\"oversized\""), health);
    }

    /**
     * The agent never initialises {@code java.util.logging}, so an application choosing its
     * {@code LogManager} in {@code main} keeps it. A version that collected the JVM metrics when the
     * server started took that choice away.
     */
    @Test
    void anApplicationKeepsTheLogManagerItChoosesInMain() {
        ManagedProcess app = processes.start(JvmLauncher.withAgent("own-log-manager").env("DYN_SYSTEM_PORT", "0")
                .classpath(Artifacts.appsJar(), Artifacts.apiJar()).mainClass("dev.dynamo.it.apps.OwnLogManagerApp"));
        MetricsScraper scraper = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));

        String manager = app.awaitStdoutLine("log manager: ", Timeouts.STARTUP);
        assertTrue(manager.endsWith("OwnLogManagerApp$AppLogManager"), manager + "\n" + app.describe());
        assertTrue(scraper.scrape().sampleNames().contains("process_cpu_seconds_total"), "the JVM metrics are served");
    }

    /**
     * Nor does a scrape: the JVM metrics of simpleclient_hotspot's {@code StandardExports} and
     * {@code BufferPoolsExports}, which log through {@code java.util.logging}, initialised it at the
     * first scrape, and an application that chose its manager after that lost its choice for good.
     */
    @Test
    void anApplicationKeepsTheLogManagerItChoosesAfterTheFirstScrapes() {
        ManagedProcess app = processes.start(JvmLauncher.withAgent("own-log-manager-later")
                .env("DYN_SYSTEM_PORT", "0").classpath(Artifacts.appsJar(), Artifacts.apiJar())
                .mainClass("dev.dynamo.it.apps.OwnLogManagerApp").args("later"));
        MetricsScraper scraper = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));
        app.awaitStdoutLine("waiting", Timeouts.STARTUP);

        Exposition page = scraper.scrape();
        for (String family : List.of("process_cpu_seconds_total", "process_open_fds", "process_resident_memory_bytes",
                "jvm_buffer_pool_used_bytes", "jvm_memory_bytes_used", "jvm_threads_current")) {
            assertTrue(page.sampleNames().contains(family), family + " is served: " + page.sampleNames());
        }
        scraper.scrape();
        app.send("go");

        String manager = app.awaitStdoutLine("log manager: ", Timeouts.STARTUP);
        assertTrue(manager.endsWith("OwnLogManagerApp$AppLogManager"), manager + "\n" + app.describe());
    }

    /**
     * The server's thread collects the JVM metrics once before it serves, so that the JDK classes they
     * initialise (java.lang.management and its native library, NIO's file dispatcher through the
     * operating-system bean's cgroup reads) are ready before any scrape. Before, a first scrape that
     * came while the application had no file descriptor free left {@code ManagementFactory} failed
     * for the JVM's life, to the application too, and on JDK 17 the server itself answered nothing
     * after (a tester, JDK 17 and 25).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("installedJdks")
    void aFirstScrapeWhileNoDescriptorIsFreeLeavesTheJdkWorking(Jdk jdk) {
        ManagedProcess app = processes.start(JvmLauncher.withAgent("no-descriptor-free-" + jdk.feature()).jdk(jdk)
                .ulimit("-n 256").env("DYN_SYSTEM_PORT", "0").classpath(Artifacts.appsJar(), Artifacts.apiJar())
                .mainClass("dev.dynamo.it.apps.NoDescriptorFreeApp"));
        int port = app.awaitMetricsPort(Timeouts.STARTUP);
        MetricsScraper scraper = new MetricsScraper(port);
        app.awaitStdoutLine("waiting", Timeouts.STARTUP);
        // Answered only once the server serves, after its warm-up.
        assertEquals(200, scraper.get("/live").status(), app.describe());

        app.send("take");
        app.awaitStdoutLine("held ", Timeouts.STARTUP);
        firstScrapeWhateverItGets(port);
        app.send("release");
        app.awaitStdoutLine("checked", Timeouts.STARTUP);

        List<String> checks = app.stdout().lines().filter(line -> line.startsWith("check ")).toList();
        assertEquals(4, checks.size(), app.describe());
        for (String check : checks) {
            assertTrue(check.contains(" ok "), check + "\n" + app.describe());
        }
        Exposition page = scraper.scrape();
        assertTrue(page.sampleNames().contains("process_cpu_seconds_total")
                && page.sampleNames().contains("jvm_memory_bytes_used"), "the JVM metrics are served after");
    }

    /**
     * A metric callback that throws while stderr takes nothing (a pipe nobody reads, a stalled log
     * collector) is back at the first scrape where it returns, and the other callback metrics are
     * served throughout. Before, the callback's thread waited for good in the write of the warning
     * that the callback threw, the metric was gone from every later scrape, and with 16 such callbacks
     * every callback metric was (a tester, JDK 17 and 25): the agent's and its API's threads now hand
     * their lines to a writer thread.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("installedJdks")
    void aMetricCallbackThatThrowsWhileStderrTakesNothingIsBackOnceItReturns(Jdk jdk) {
        int port = dev.dynamo.it.support.FreePorts.pick();
        ManagedProcess app = processes.start(JvmLauncher.withAgent("stalled-stderr-" + jdk.feature()).jdk(jdk)
                .stderrNobodyReads().env("DYN_SYSTEM_PORT", String.valueOf(port))
                .classpath(Artifacts.appsJar(), Artifacts.apiJar()).mainClass("dev.dynamo.it.apps.StalledStderrApp"));
        assertEquals("filler waits in its write", app.awaitStdoutLine("filler ", Timeouts.STARTUP),
                "stderr takes nothing more: " + app.describe());
        app.awaitStdoutLine("waiting", Timeouts.STARTUP);
        MetricsScraper scraper = new MetricsScraper(port);
        Map<String, String> labels = Map.of("dynamo_namespace", "stalled", "dynamo_component", "stderr",
                "dynamo_endpoint", "gauges");

        List<Double> flaky = new java.util.ArrayList<>();
        for (int scrape = 0; scrape < 6; scrape++) {
            Exposition page = scraper.scrape();
            assertEquals(7.0, page.valueOr("dynamo_component_steady", labels, -1), "scrape " + scrape + ": "
                    + page.text());
            flaky.add(page.valueOr("dynamo_component_flaky", labels, -1));
        }
        assertEquals(List.of(-1.0, -1.0, -1.0, 42.0, 42.0, 42.0), flaky,
                "absent while the callback throws, then back (-1: absent)");
    }

    /**
     * Idle connections take at most half the descriptors the application leaves free. Before, the server
     * accepted up to 256 whatever the process's limit: a re-tester's application, holding 811 of 1,024,
     * failed every file open for 10 s while 300 idle connections were held. A liveness probe is still
     * answered, once an idle connection has waited long enough to be closed for it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("installedJdks")
    void idleConnectionsLeaveTheApplicationItsFileDescriptors(Jdk jdk) throws IOException {
        ManagedProcess app = startDescriptorShareApp("descriptor-share-", jdk);
        int port = app.awaitMetricsPort(Timeouts.STARTUP);
        MetricsScraper scraper = new MetricsScraper(port);
        app.send("hold 150");
        app.awaitStdoutLine("held 150", Timeouts.STARTUP);

        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                idle.add(new Socket("127.0.0.1", port)); // beyond what the server accepts, they wait in its backlog
            }
            Polling.await(Timeouts.SCRAPE, () -> "the server accepted no idle connection: " + app.describe(),
                    () -> app.socketDescriptors() >= 8 ? Boolean.TRUE : null);
            Thread.sleep(500); // time to accept every one it would

            app.send("open 20");
            assertEquals("opened 20 of 20", app.awaitStdoutLine("opened ", Timeouts.STARTUP),
                    app.socketDescriptors() + " sockets open: " + app.describe());
            assertEquals(200, scraper.get("/live").status(), app.describe());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new AssertionError(interrupted);
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
    }

    /**
     * With no descriptor free, a connection waits in the listen backlog, and the server tries to accept
     * it ten times a second, not in a loop. Before, the listener stayed ready and the server's thread
     * spun on the failing accept: 2 s of CPU in 3 s (a re-tester, JDK 17 and 25), exactly while the
     * host was short of resources. Once a descriptor is free again the connection is served.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("installedJdks")
    void aConnectionThatCannotBeAcceptedCostsTheServerNoSpin(Jdk jdk) throws IOException {
        ManagedProcess app = startDescriptorShareApp("no-accept-", jdk);
        int port = app.awaitMetricsPort(Timeouts.STARTUP);
        ThreadStats serverThread = ThreadStats.of(app, ThreadStats.SERVER_THREAD);
        app.send("hold all");
        app.awaitStdoutLine("held ", Timeouts.STARTUP);

        try (Socket waiting = new Socket("127.0.0.1", port)) {
            waiting.setSoTimeout((int) Timeouts.SCRAPE.toMillis());
            long before = serverThread.cpuNanos();
            Thread.sleep(2000);
            long spent = serverThread.cpuNanos() - before;
            assertTrue(spent < 500_000_000L, "the server's thread took " + spent / 1_000_000 + " ms of CPU in 2 s");

            app.send("release");
            app.awaitStdoutLine("released", Timeouts.STARTUP);
            waiting.getOutputStream().write("GET /live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String status = new String(waiting.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 200", status, app.describe());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new AssertionError(interrupted);
        }
        assertTrue(app.stderr().contains("cannot accept a connection"), "one warning says so: " + app.describe());
    }

    /** {@code DescriptorShareApp} under {@code ulimit -n 256}, its server serving and the application waiting for commands. */
    private ManagedProcess startDescriptorShareApp(String name, Jdk jdk) {
        ManagedProcess app = processes.start(JvmLauncher.withAgent(name + jdk.feature()).jdk(jdk)
                .ulimit("-n 256").env("DYN_SYSTEM_PORT", "0").classpath(Artifacts.appsJar(), Artifacts.apiJar())
                .mainClass("dev.dynamo.it.apps.DescriptorShareApp"));
        int port = app.awaitMetricsPort(Timeouts.STARTUP);
        app.awaitStdoutLine("waiting", Timeouts.STARTUP);
        assertEquals(200, new MetricsScraper(port).get("/live").status(), app.describe());
        return app;
    }

    /** A scrape with one descriptor free on the server's side: whatever it gets, within 5 s, must break nothing. */
    private static void firstScrapeWhateverItGets(int port) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getInputStream().readAllBytes();
        } catch (java.io.IOException noAnswer) {
            // Refused, reset or timed out: the server had no descriptor for it.
        }
    }

    /** Row 11: class loaders that each load an annotated class are not kept by the agent. */
    @Test
    void classLoadersOfInstrumentedClassesAreNotRetained() {
        ManagedProcess app = startWithAgent(Jdk.current());
        MetricsScraper scraper = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));

        Matcher warm = loaders(send(app, "loaders 500"));
        assertEquals("0", warm.group(1), "loaders still reachable after GC");
        Matcher many = loaders(send(app, "loaders 2000"));
        assertEquals("0", many.group(1), "loaders still reachable after GC");
        long grown = Long.parseLong(many.group(2)) - Long.parseLong(warm.group(2));
        assertTrue(grown < 2000 * 50, "heap after GC grew by " + grown + " bytes for 2,000 more class loaders");

        Map<String, String> handle = Labels.endpoint("safety", "loaders", "handle");
        Exposition page = scraper.awaitValue(Timeouts.SCRAPE, REQUESTS, handle, 2500);
        assertEquals(1, page.samples(REQUESTS).stream().filter(s -> s.labels().equals(handle)).count());
    }

    private static Matcher loaders(String answer) {
        Matcher matcher = Pattern.compile("reachable=(\\d+) heap=(\\d+) .*").matcher(answer);
        assertTrue(matcher.matches(), answer);
        return matcher;
    }
}
