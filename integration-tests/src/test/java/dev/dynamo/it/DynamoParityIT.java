package dev.dynamo.it;

import dev.dynamo.it.support.Artifacts;
import dev.dynamo.it.support.CommandedApp;
import dev.dynamo.it.support.Exposition;
import dev.dynamo.it.support.FreePorts;
import dev.dynamo.it.support.Json;
import dev.dynamo.it.support.JvmLauncher;
import dev.dynamo.it.support.Labels;
import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.MetricsScraper;
import dev.dynamo.it.support.Polling;
import dev.dynamo.it.support.Processes;
import dev.dynamo.it.support.Promtool;
import dev.dynamo.it.support.Timeouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12: readiness as Dynamo's operator probes it, the health API, scrape-time callbacks and
 * the exposition text from the API, in application JVMs started with {@code -javaagent}.
 */
@Timeout(180)
class DynamoParityIT {
    private static final String MAIN_CLASS = "dev.dynamo.it.apps.ParityApp";

    @RegisterExtension
    final Processes processes = new Processes();

    private static JvmLauncher parityApp(String name, boolean agent) {
        JvmLauncher launcher = agent ? JvmLauncher.withAgent(name) : JvmLauncher.withoutAgent(name);
        return launcher.classpath(Artifacts.appsJar(), Artifacts.apiJar()).mainClass(MAIN_CLASS);
    }

    private CommandedApp start(JvmLauncher launcher) {
        ManagedProcess process = processes.start(launcher);
        process.awaitStdoutLine("parity app ready", Timeouts.STARTUP);
        return new CommandedApp(process);
    }

    private static MetricsScraper scraper(CommandedApp app) {
        return new MetricsScraper(app.process().awaitMetricsPort(Timeouts.STARTUP));
    }

    /** Polls {@code /health} until it answers {@code status}; returns the parsed document. */
    private static Map<String, Object> awaitHealth(MetricsScraper scraper, int status) {
        MetricsScraper.Response[] last = new MetricsScraper.Response[1];
        MetricsScraper.Response response = Polling.await(Timeouts.SCRAPE,
                () -> "/health to answer " + status + "; last: " + (last[0] == null ? "none" : last[0].status() + " "
                        + last[0].body()), () -> {
                    last[0] = scraper.get("/health");
                    return last[0].status() == status ? last[0] : null;
                });
        Map<String, Object> document = Json.object(response.body());
        assertEquals(status == 200 ? "ready" : "notready", document.get("status"), response.body());
        return document;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> endpoints(Map<String, Object> health) {
        return (Map<String, Object>) health.get("endpoints");
    }

    @Test
    void healthWaitsForTheListedEndpointsAndFollowsWhatTheApplicationSays() {
        CommandedApp app = start(parityApp("health", true).env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info")
                .env("DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS", "[\"generate\", \"stream\"]"));
        MetricsScraper scraper = scraper(app);

        Map<String, Object> starting = awaitHealth(scraper, 503);
        @SuppressWarnings("unchecked")
        Map<String, Object> uptime = (Map<String, Object>) starting.get("uptime");
        assertInstanceOf(Long.class, uptime.get("secs"), starting.toString());
        assertInstanceOf(Long.class, uptime.get("nanos"), starting.toString());
        assertEquals(Map.of("generate", "notready", "stream", "notready"), endpoints(starting));

        assertEquals("loaded", app.run("serve-annotated"));
        Polling.await(Timeouts.SCRAPE, () -> "generate to be ready", () ->
                "ready".equals(endpoints(Json.object(scraper.get("/health").body())).get("generate")) ? true : null);
        assertEquals(503, scraper.get("/health").status(), "stream is not served yet");

        app.run("mark-served stream");
        Map<String, Object> ready = awaitHealth(scraper, 200);
        assertEquals(Map.of("generate", "ready", "stream", "ready"), endpoints(ready));

        app.run("not-ready");
        awaitHealth(scraper, 503);
        assertEquals(200, scraper.get("/live").status(), "liveness is not readiness");
        app.run("ready");
        awaitHealth(scraper, 200);

        app.run("mark-unhealthy stream");
        assertEquals("notready", endpoints(awaitHealth(scraper, 503)).get("stream"));
        app.run("mark-served stream");
        awaitHealth(scraper, 200);
    }

    @Test
    void theHealthStateAndCallbacksOfAChildFirstCopyOfTheApiReachTheAgent() {
        String childClasspath = Artifacts.appsJar() + java.io.File.pathSeparator + Artifacts.apiJar();
        CommandedApp app = start(JvmLauncher.withAgent("child-first").classpath(Artifacts.appsJar())
                .mainClass("dev.dynamo.it.apps.ChildFirstLauncher").args(childClasspath, MAIN_CLASS)
                .env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info")
                .env("DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS", "[\"stream\"]"));
        MetricsScraper scraper = scraper(app);
        assertTrue(app.process().stdout().contains("api loaded by ChildFirstClassLoader"),
                "the API must come from the child-first loader for this test to mean anything: "
                        + app.process().describe());
        awaitHealth(scraper, 503);

        app.run("mark-served stream");
        assertEquals(Map.of("stream", "ready"), endpoints(awaitHealth(scraper, 200)));
        app.run("not-ready");
        awaitHealth(scraper, 503);
        app.run("ready");
        app.run("callbacks");
        Exposition page = scraper.scrape();

        awaitHealth(scraper, 200);
        assertEquals(3, page.value("dynamo_component_queue_length", Labels.of("dynamo_namespace", "callbacks")));
    }

    @Test
    void aHangingHealthCheckTimesOutInsteadOfHangingTheProbe() {
        CommandedApp app = start(parityApp("hanging-check", true).env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info")
                .env("DYN_SYSTEM_STARTING_HEALTH_STATUS", "ready"));
        MetricsScraper scraper = scraper(app);
        awaitHealth(scraper, 200);

        app.run("hang-check");
        for (int probe = 0; probe < 3; probe++) {
            long start = System.nanoTime();
            MetricsScraper.Response response = scraper.get("/health");
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertEquals(503, response.status(), response.body());
            assertTrue(millis < 5000, "probe " + probe + " took " + millis + " ms");
            assertEquals(Map.of("stuck", "timeout"), Json.object(response.body()).get("checks"), response.body());
        }
        assertEquals("dropped=true", app.run("drop-check"));
        awaitHealth(scraper, 200);
    }

    @Test
    void unreadableSettingsAreOneErrorLineEachAndTheApplicationRunsOn() {
        // A fixed port: the port the system chooses for 0 is announced on stderr too.
        CommandedApp app = start(parityApp("bad-settings", true)
                .env("DYN_SYSTEM_PORT", String.valueOf(FreePorts.pick()))
                .env("DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS", "[generate]").env("DYN_METRICS_MAX_SERIES", "lots"));

        assertEquals("ready", app.run("ready"));
        assertTrue(app.run("flood 10").startsWith("flooded"));
        List<String> stderr = app.process().stderrLines();
        assertEquals(2, stderr.size(), "exactly one line per setting on stderr: " + stderr);
        assertTrue(stderr.get(0).contains("DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS='[generate]'")
                && stderr.get(0).contains("[\"generate\"]"), stderr.get(0));
        assertTrue(stderr.get(1).contains("DYN_METRICS_MAX_SERIES='lots'"), stderr.get(1));
    }

    @Test
    void callbackMetricsAreFreshAtEveryScrapeAndAThrowingOneCostsOnlyItsOwnSeries() {
        CommandedApp app = start(parityApp("callbacks", true).env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info"));
        MetricsScraper scraper = scraper(app);
        Map<String, String> ns = Labels.of("dynamo_namespace", "callbacks");
        app.run("callbacks");

        Exposition first = scraper.scrape();
        app.run("bump");
        Exposition second = scraper.scrape();

        assertEquals(3, first.value("dynamo_component_queue_length", ns));
        assertEquals(7, second.value("dynamo_component_queue_length", ns));
        assertEquals(10, first.value("dynamo_component_cache_hits_total", ns));
        assertEquals(15, second.value("dynamo_component_cache_hits_total", ns));
        assertEquals(70, second.value("dynamo_component_cache_entries",
                Labels.of("dynamo_namespace", "callbacks", "cache", "tokens")));
        assertEquals(150, second.value("dynamo_component_cache_entries",
                Labels.of("dynamo_namespace", "callbacks", "cache", "prompts")));
        assertEquals(22, second.value("dynamo_component_updated_by_callback", ns));
        assertEquals("gauge", second.type("dynamo_component_broken"));
        assertTrue(second.samples("dynamo_component_broken").isEmpty());
        assertTrue(second.value("dynamo_component_uptime_seconds", Labels.of()) > 0, "the rest of the page stays");
        Promtool.assertAccepts(processes, scraper.scrapeText());
        long warnings = app.process().stderrLines().stream().filter(line -> line.contains("broken on purpose"))
                .count();
        assertEquals(1, warnings, "a failing callback is logged once: " + app.process().stderr());
    }

    @Test
    void theApisExpositionEqualsTheAgentsPageAndPassesPromtoolWithAndWithoutTheAgent() throws IOException {
        CommandedApp withAgent = start(parityApp("expfmt-agent", true).env("DYN_SYSTEM_PORT", "0")
                .env("DYN_LOG", "info"));
        MetricsScraper scraper = scraper(withAgent);
        withAgent.run("fixed-metrics");
        Path fromAgentJvm = processes.outputDir().resolve("expfmt-with-agent.txt").toAbsolutePath();
        assertEquals("written", withAgent.run("expfmt " + fromAgentJvm));
        String page = scraper.scrapeText();

        CommandedApp withoutAgent = start(parityApp("expfmt-no-agent", false));
        withoutAgent.run("fixed-metrics");
        Path fromPlainJvm = processes.outputDir().resolve("expfmt-without-agent.txt").toAbsolutePath();
        assertEquals("written", withoutAgent.run("expfmt " + fromPlainJvm));

        String expfmt = Files.readString(fromAgentJvm, StandardCharsets.UTF_8);
        assertTrue(expfmt.contains("dynamo_component_tokens_total{dynamo_namespace=\"parity\""), expfmt);
        assertTrue(expfmt.contains("dynamo_component_fixed_callback_vec_total{dynamo_namespace=\"parity\",k=\"v\",} 7.0"),
                expfmt);
        assertEquals(expfmt, linesOfTheSameFamilies(page, expfmt), "the agent's page has the same text");
        assertEquals(expfmt, Files.readString(fromPlainJvm, StandardCharsets.UTF_8), "the same without the agent");
        Promtool.assertAccepts(processes, expfmt);
    }

    /** The lines of {@code page} that belong to the families written in {@code expfmt}, in page order. */
    private static String linesOfTheSameFamilies(String page, String expfmt) {
        Set<String> families = new LinkedHashSet<>();
        for (String line : expfmt.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                families.add(line.split(" ")[2]);
            }
        }
        assertFalse(families.isEmpty(), expfmt);
        List<String> kept = new ArrayList<>();
        for (String line : page.split("\n")) {
            String name = line.startsWith("# ") ? line.split(" ")[2] : line.split("[{ ]")[0];
            String family = name.replaceAll("_(bucket|count|sum)$", "");
            if (families.contains(name) || families.contains(family)) {
                kept.add(line);
            }
        }
        return String.join("\n", kept) + "\n";
    }
}
