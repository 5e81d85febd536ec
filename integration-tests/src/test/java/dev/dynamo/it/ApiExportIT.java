package dev.dynamo.it;

import dev.dynamo.it.support.Artifacts;
import dev.dynamo.it.support.Exposition;
import dev.dynamo.it.support.FreePorts;
import dev.dynamo.it.support.JvmLauncher;
import dev.dynamo.it.support.Labels;
import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.MetricsScraper;
import dev.dynamo.it.support.Processes;
import dev.dynamo.it.support.Promtool;
import dev.dynamo.it.support.Timeouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 2: metrics created through the API in an application JVM started with {@code -javaagent}
 * are on the agent's {@code /metrics} — with the API on the application's class path, behind a
 * child-first class loader, and next to the application's own simpleclient — and bad settings
 * never stop the application.
 */
@Timeout(180)
class ApiExportIT {
    @RegisterExtension
    final Processes processes = new Processes();

    private JvmLauncher guideApp(String name) {
        return JvmLauncher.withAgent(name).classpath(Artifacts.appsJar(), Artifacts.apiJar())
                .mainClass(GuideMetrics.MAIN_CLASS);
    }

    /** Starts the app with DYN_SYSTEM_PORT=0, waits until it has recorded its metrics, returns its scraper. */
    private MetricsScraper startedWithServer(ManagedProcess app) {
        app.awaitStdoutLine(GuideMetrics.READY_LINE, Timeouts.STARTUP);
        return new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));
    }

    private static JvmLauncher serving(JvmLauncher launcher) {
        return launcher.env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info");
    }

    @Test
    void exposesTheGuideMetricsWithDynamoNamesLabelsAndValues() {
        ManagedProcess app = processes.start(serving(guideApp("guide-app")));

        Exposition page = startedWithServer(app).awaitPage(Timeouts.SCRAPE, "the guide metrics",
                GuideMetrics::present);

        GuideMetrics.assertOnPage(page);
    }

    @Test
    void exposesTheSameMetricsWhenTheAppIsLoadedByAChildFirstClassLoader() {
        String childClasspath = Artifacts.appsJar() + File.pathSeparator + Artifacts.apiJar();
        ManagedProcess app = processes.start(serving(JvmLauncher.withAgent("child-first")
                .classpath(Artifacts.appsJar()).mainClass("dev.dynamo.it.apps.ChildFirstLauncher")
                .args(childClasspath, GuideMetrics.MAIN_CLASS)));

        Exposition page = startedWithServer(app).awaitPage(Timeouts.SCRAPE, "the guide metrics",
                GuideMetrics::present);

        assertTrue(app.stdout().contains("guide app: api loaded by ChildFirstClassLoader"),
                "the API must come from the child-first loader for this test to mean anything: " + app.describe());
        GuideMetrics.assertOnPage(page);
    }

    @Test
    void exposesTheSameMetricsWhenTheAppCarriesAndServesItsOwnSimpleclient() {
        int ownPort = FreePorts.pick();
        List<Path> classpath = new ArrayList<>(List.of(Artifacts.appsJar(), Artifacts.apiJar()));
        classpath.addAll(Artifacts.simpleclientJars());
        ManagedProcess app = processes.start(serving(JvmLauncher.withAgent("own-simpleclient")
                .classpath(classpath.toArray(new Path[0])).mainClass("dev.dynamo.it.apps.OwnSimpleclientApp")
                .args(String.valueOf(ownPort))));

        Exposition agentPage = startedWithServer(app).awaitPage(Timeouts.SCRAPE, "the guide metrics",
                GuideMetrics::present);
        Exposition ownPage = new MetricsScraper(ownPort).scrape();

        GuideMetrics.assertOnPage(agentPage);
        assertTrue(agentPage.samples("app_own_requests_total").isEmpty(), "the app's own metric leaked to the agent");
        assertEquals(3, ownPage.value("app_own_requests_total", Labels.of()));
        assertTrue(ownPage.sampleNames().stream().noneMatch(name -> name.startsWith("dynamo_")),
                "the agent's metrics leaked into the app's own registry: " + ownPage.sampleNames());
    }

    @Test
    void promtoolAcceptsThePage() {
        ManagedProcess app = processes.start(serving(guideApp("guide-app")));
        MetricsScraper scraper = startedWithServer(app);
        scraper.awaitPage(Timeouts.SCRAPE, "the guide metrics", GuideMetrics::present);

        Promtool.assertAccepts(processes, scraper.scrapeText());
    }

    @Test
    void jvmExitsNormallyWhenMainReturnsWhileTheServerRuns() {
        ManagedProcess app = processes.start(serving(guideApp("guide-app")));
        MetricsScraper scraper = startedWithServer(app);
        assertEquals(200, scraper.get("/metrics").status());

        app.send("return from main");

        assertEquals(0, app.awaitExit(Timeouts.EXIT), app.describe());
        assertTrue(app.stdout().contains(GuideMetrics.LAST_LINE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "70000"})
    void badPortIsOneLineOnStderrAndTheAppRunsToANormalExit(String port) {
        ManagedProcess app = processes.start(guideApp("bad-port").env("DYN_SYSTEM_PORT", port).args("--no-wait"));

        assertEquals(0, app.awaitExit(Timeouts.EXIT), app.describe());
        assertTrue(app.stdout().contains(GuideMetrics.LAST_LINE), app.describe());
        List<String> stderr = app.stderrLines();
        assertEquals(1, stderr.size(), "exactly one line on stderr: " + stderr);
        assertTrue(stderr.get(0).contains("DYN_SYSTEM_PORT") && stderr.get(0).contains(port),
                "the line names the variable and the value: " + stderr);
    }

    @Test
    void takenPortIsOneLineOnStderrAndTheAppRunsToANormalExit() throws Exception {
        try (ServerSocket taken = FreePorts.occupy()) {
            String port = String.valueOf(taken.getLocalPort());
            ManagedProcess app = processes.start(guideApp("taken-port").env("DYN_SYSTEM_PORT", port).args("--no-wait"));

            assertEquals(0, app.awaitExit(Timeouts.EXIT), app.describe());
            assertTrue(app.stdout().contains(GuideMetrics.LAST_LINE), app.describe());
            List<String> stderr = app.stderrLines();
            assertEquals(1, stderr.size(), "exactly one line on stderr: " + stderr);
            assertTrue(stderr.get(0).contains(port), "the line names the port: " + stderr);
        }
    }
}
