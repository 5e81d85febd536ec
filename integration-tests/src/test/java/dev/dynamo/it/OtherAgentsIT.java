package dev.dynamo.it;

import dev.dynamo.it.support.Artifacts;
import dev.dynamo.it.support.Exposition;
import dev.dynamo.it.support.JvmLauncher;
import dev.dynamo.it.support.Labels;
import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.MetricsScraper;
import dev.dynamo.it.support.Processes;
import dev.dynamo.it.support.Timeouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

import static dev.dynamo.it.EndpointCallChecks.assertCalls;
import static dev.dynamo.it.EndpointCallChecks.none;
import static dev.dynamo.it.EndpointInstrumentationIT.INFLIGHT;
import static dev.dynamo.it.EndpointInstrumentationIT.REQUESTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent beside the OpenTelemetry Java agent, both instrumenting the same methods
 * ({@code @DynamoEndpoint} and {@code @WithSpan}: {@code TracedApp} of {@code handler-style-apps}).
 * The JVM applies the agents' rewrites in the order they started, and the OpenTelemetry agent hands
 * the caller of a {@code CompletableFuture} method a future of its own: the dynamo agent counts a
 * cancellation by that caller only when it starts after the OpenTelemetry agent, and says so when not.
 */
@Timeout(180)
class OtherAgentsIT {
    private static final int CALLS = 100;
    private static final String MEASURED_INSIDE = "is measured inside OpenTelemetry's @WithSpan";

    @RegisterExtension
    final Processes processes = new Processes();

    @Test
    void startedAfterTheOpenTelemetryAgentEveryCallIsCountedAsItsCallerSeesIt() {
        ManagedProcess app = start(JvmLauncher.withoutAgent("otel-then-dynamo").jvmArgs(
                "-javaagent:" + Artifacts.openTelemetryAgentJar(), "-javaagent:" + Artifacts.agentJar()));
        Exposition page = finalPage(app);

        assertCalls(page, traced("plain"), CALLS, 0, none(), 0);
        assertCalls(page, traced("future"), CALLS, 0, Map.of("QuotaExceededException", CALLS / 5), 0);
        // The caller cancels the OpenTelemetry agent's future; the dynamo agent watches that one.
        assertCalls(page, traced("abandoned"), CALLS / 10, 0, none(), CALLS / 10);
        assertEquals(List.of(), agentWarnings(app));
    }

    @Test
    void startedBeforeTheOpenTelemetryAgentItSaysOnceToBeStartedAfterIt() {
        ManagedProcess app = start(JvmLauncher.withAgent("dynamo-then-otel")
                .jvmArgs("-javaagent:" + Artifacts.openTelemetryAgentJar()));
        Exposition page = finalPage(app);

        List<String> warnings = agentWarnings(app);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains(MEASURED_INSIDE) && warnings.get(0).contains("TracedHandlers.future(I)")
                && warnings.get(0).contains("Put -javaagent:dynamo-agent.jar after the OpenTelemetry agent's"),
                warnings.get(0));
        // What the OpenTelemetry agent does not change is exact all the same.
        assertCalls(page, traced("plain"), CALLS, 0, none(), 0);
        assertCalls(page, traced("future"), CALLS, 0, Map.of("QuotaExceededException", CALLS / 5), 0);
        assertEquals(CALLS / 10, page.value(REQUESTS, traced("abandoned")));
    }

    /**
     * An agent before this one that loads an annotated class in its own {@code premain} (here it calls the
     * method 5 times): the class is instrumented at this agent's {@code premain} and every later call counted.
     * Before, it ran unmeasured, with no series and nothing logged (a re-tester); the same with the early agent
     * in {@code JAVA_TOOL_OPTIONS}, whose agents come before the command line's.
     */
    @Test
    void anAnnotatedClassThatAnAgentBeforeItLoadedIsInstrumentedAtItsStart(@TempDir Path work) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Premain-Class", "dev.dynamo.it.apps.EarlyCallerAgent");
        Path earlyAgent = work.resolve("early-caller-agent.jar");
        // Only the manifest: the JVM finds the premain class on the application's class path.
        new JarOutputStream(Files.newOutputStream(earlyAgent), manifest).close();
        ManagedProcess app = processes.start(JvmLauncher.withoutAgent("early-caller-then-dynamo")
                .jvmArgs("-javaagent:" + earlyAgent + "=5", "-javaagent:" + Artifacts.agentJar())
                .classpath(Artifacts.appsJar(), Artifacts.apiJar()).mainClass(EndpointsAppConsole.MAIN_CLASS)
                .env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info"));
        EndpointsAppConsole console = new EndpointsAppConsole(app);
        MetricsScraper scraper = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));

        console.send("load 2 10");
        Exposition page = scraper.scrape();

        assertCalls(page, Labels.endpoint("it", "load", "work"), 20, 0, none(), 0);
        assertTrue(app.stderrLines().stream().anyMatch(line -> line.contains(
                "instrumented 1 already loaded class(es) with @DynamoEndpoint methods, loaded before this agent")),
                String.join("\n", app.stderrLines()));
        assertEquals(List.of(), agentWarnings(app));
    }

    private ManagedProcess start(JvmLauncher launcher) {
        return processes.start(launcher
                .jvmArgs("-Dotel.traces.exporter=none", "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none")
                .classpath(Artifacts.handlerStyleAppsJar(), Artifacts.apiJar())
                .mainClass("dev.dynamo.it.styles.TracedApp").args(String.valueOf(CALLS))
                .env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info"));
    }

    private static Exposition finalPage(ManagedProcess app) {
        MetricsScraper scraper = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));
        app.awaitStdoutLine("done " + CALLS, Timeouts.STARTUP);
        // The last future may complete a moment after its caller saw it.
        return scraper.awaitPage(Timeouts.SCRAPE, "the plain and future calls ended",
                page -> page.value(INFLIGHT, traced("plain")) == 0 && page.value(INFLIGHT, traced("future")) == 0);
    }

    private static List<String> agentWarnings(ManagedProcess app) {
        return app.stderrLines().stream().filter(line -> line.contains(" WARN dynamo-agent "))
                .collect(Collectors.toList());
    }

    private static Map<String, String> traced(String endpoint) {
        return Labels.endpoint("it", "traced", endpoint);
    }
}
