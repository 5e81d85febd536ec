package dev.dynamo.it;

import dev.dynamo.it.support.Artifacts;
import dev.dynamo.it.support.JvmLauncher;
import dev.dynamo.it.support.Labels;
import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.MetricsScraper;
import dev.dynamo.it.support.Processes;
import dev.dynamo.it.support.ThreadStats;
import dev.dynamo.it.support.Timeouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.dynamo.it.EndpointInstrumentationIT.INFLIGHT;
import static dev.dynamo.it.EndpointInstrumentationIT.REQUESTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The metrics server while the JVM shuts down: an application that drains in its shutdown hook on
 * SIGTERM ({@code DrainingApp}) is probed and scraped through its drain, and then exits as it would
 * without the agent.
 */
@Timeout(120)
class ShutdownIT {
    private static final Map<String, String> HANDLE = Labels.endpoint("it", "draining", "handle");

    @RegisterExtension
    final Processes processes = new Processes();

    @Test
    void theServerAnswersThroughTheApplicationsShutdownHooks() {
        int drainCalls = 25;
        ManagedProcess app = processes.start(JvmLauncher.withAgent("draining-app")
                .classpath(Artifacts.appsJar(), Artifacts.apiJar()).mainClass("dev.dynamo.it.apps.DrainingApp")
                .args(String.valueOf(drainCalls)).env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info"));
        MetricsScraper scraper = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));
        app.awaitStdoutLine("ready", Timeouts.STARTUP);

        ProcessHandle.of(app.pid()).orElseThrow().destroy(); // SIGTERM
        app.awaitStdoutLine("drained " + drainCalls, Timeouts.STARTUP);

        // The hook waits: the JVM is shutting down, and its last calls are there to be scraped.
        assertEquals(200, scraper.get("/live").status(), app.describe());
        assertEquals(1 + drainCalls, scraper.scrape().value(REQUESTS, HANDLE), app.describe());
        assertEquals(0, scraper.scrape().value(INFLIGHT, HANDLE), app.describe());
        app.send("end the hook");
        assertEquals(143, app.awaitExit(Timeouts.EXIT), "SIGTERM's exit code, as without the agent: " + app.describe());
        List<String> agentLines = app.stderrLines().stream().filter(line -> !line.contains(" INFO dynamo-agent "))
                .collect(Collectors.toList());
        assertEquals(List.of(), agentLines, "nothing but its start-up lines on stderr");
    }

    /**
     * A shutdown hook that never ends holds the JVM in its exit for good. The server serves on through it,
     * polling (see {@code ServerLoop.jvmExiting}), but once no client has been active for a second it wakes
     * 20 times a second, not 500. Before, it polled every 2 ms for as long, about 1 % of a core (a re-tester).
     */
    @Test
    void aShutdownHookThatNeverEndsCostsTheServerFewWakeUps() throws IOException, InterruptedException {
        ManagedProcess app = processes.start(JvmLauncher.withAgent("hung-exit-app")
                .classpath(Artifacts.appsJar(), Artifacts.apiJar()).mainClass("dev.dynamo.it.apps.DrainingApp")
                .args("1").env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info"));
        MetricsScraper scraper = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));
        app.awaitStdoutLine("ready", Timeouts.STARTUP);
        ThreadStats serverThread = ThreadStats.of(app, ThreadStats.SERVER_THREAD);

        ProcessHandle.of(app.pid()).orElseThrow().destroy(); // SIGTERM; the hook then waits for stdin
        app.awaitStdoutLine("drained 1", Timeouts.STARTUP);
        Thread.sleep(1500);
        long before = serverThread.timeslices();
        Thread.sleep(2000);
        long wakeUps = serverThread.timeslices() - before;
        assertTrue(wakeUps < 200, "the server's thread woke " + wakeUps + " times in 2 s of an idle exit");
        assertEquals(200, scraper.get("/live").status(), "and still answers: " + app.describe());
        app.send("end the hook");
        assertEquals(143, app.awaitExit(Timeouts.EXIT), app.describe());
    }
}
