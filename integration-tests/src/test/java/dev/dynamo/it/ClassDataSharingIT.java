package dev.dynamo.it;

import dev.dynamo.it.support.Artifacts;
import dev.dynamo.it.support.Exposition;
import dev.dynamo.it.support.Jdk;
import dev.dynamo.it.support.Jdks;
import dev.dynamo.it.support.JvmLauncher;
import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.MetricsScraper;
import dev.dynamo.it.support.Processes;
import dev.dynamo.it.support.Timeouts;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A class data sharing archive gives the JDK's application class loader the classes it holds for it
 * at once, before its parent: an archive made without the agent, with the API jar on the class path,
 * gives the application a copy of the API split between the archive and the agent's. The agent defines
 * the rest of that copy in the application class loader, which then connects to the agent: its metrics
 * and health are served. An archive made with the agent works too.
 */
@Timeout(180)
class ClassDataSharingIT {
    private static final String WARNING = "the application class loader takes the dynamo API from a class data"
            + " sharing archive made without the agent";

    @RegisterExtension
    final Processes processes = new Processes();

    static List<Jdk> installedJdks() {
        return Jdks.installed();
    }

    /**
     * Before, the application's metrics from an archive made without the agent were not exported, and
     * {@code /health} ignored its checks and readiness (a re-tester: ready while the application said it was not);
     * only a warning said so.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("installedJdks")
    void archivesMadeWithAndWithoutTheAgentBothServeTheApplicationsMetricsAndHealth(Jdk jdk) throws IOException {
        Path work = Artifacts.workDir().resolve(getClass().getSimpleName()).resolve("jdk" + jdk.feature());
        Files.createDirectories(work);

        Path without = work.resolve("without-agent.jsa");
        dump(JvmLauncher.withoutAgent("dump-without-agent-" + jdk.feature()), jdk, without);
        ManagedProcess fromArchiveWithout = guideApp(jdk, "archive-without-agent-" + jdk.feature(), without,
                List.of());
        MetricsScraper withoutScraper = new MetricsScraper(fromArchiveWithout.awaitMetricsPort(Timeouts.STARTUP));
        GuideMetrics.assertOnPage(withoutScraper.scrape());
        MetricsScraper.Response health = withoutScraper.get("/health");
        assertEquals(503, health.status(), health.body());
        assertTrue(health.body().contains("\"checks\":{\"guide\":\"notready\"}"), health.body());
        assertFalse(fromArchiveWithout.stderr().contains(WARNING), fromArchiveWithout.describe());
        assertFalse(fromArchiveWithout.stderr().contains("cannot connect"), fromArchiveWithout.describe());
        assertTrue(fromArchiveWithout.stderr().contains("a class data sharing archive does not hold"),
                "the classes came from the archive: " + fromArchiveWithout.describe());

        Path with = work.resolve("with-agent.jsa");
        dump(JvmLauncher.withAgent("dump-with-agent-" + jdk.feature()).jvmArgs("-XX:+UnlockDiagnosticVMOptions",
                "-XX:+AllowArchivingWithJavaAgent"), jdk, with);
        // The JVM's rule: an archive dumped with an agent is used only with the same flags.
        ManagedProcess fromArchiveWith = guideApp(jdk, "archive-with-agent-" + jdk.feature(), with,
                List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+AllowArchivingWithJavaAgent"));
        Exposition page = new MetricsScraper(fromArchiveWith.awaitMetricsPort(Timeouts.STARTUP)).scrape();
        GuideMetrics.assertOnPage(page);
        assertEquals(503, new MetricsScraper(fromArchiveWith.awaitMetricsPort(Timeouts.STARTUP)).get("/health").status());
        assertFalse(fromArchiveWith.stderr().contains(WARNING), fromArchiveWith.describe());
    }

    private void dump(JvmLauncher launcher, Jdk jdk, Path archive) {
        ManagedProcess dump = processes.start(launcher.jdk(jdk).jvmArgs("-XX:ArchiveClassesAtExit=" + archive)
                .classpath(Artifacts.appsJar(), Artifacts.apiJar()).mainClass(GuideMetrics.MAIN_CLASS)
                .args("--no-wait", "--failing-check"));
        assertEquals(0, dump.awaitExit(Timeouts.EXIT), dump.describe());
        assertTrue(Files.isRegularFile(archive), "no archive written: " + dump.describe());
    }

    private ManagedProcess guideApp(Jdk jdk, String name, Path archive, List<String> flags) {
        ManagedProcess app = processes.start(JvmLauncher.withAgent(name).jdk(jdk).jvmArgs(flags.toArray(new String[0]))
                .jvmArgs("-XX:SharedArchiveFile=" + archive, "-Xshare:on")
                .classpath(Artifacts.appsJar(), Artifacts.apiJar()).mainClass(GuideMetrics.MAIN_CLASS)
                .args("--failing-check").env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "debug"));
        app.awaitStdoutLine("guide app: metrics recorded", Timeouts.STARTUP);
        return app;
    }
}
