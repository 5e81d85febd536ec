package dev.dynamo.it;

import dev.dynamo.it.apps.DeadlockedThreadsApp;
import dev.dynamo.it.support.Artifacts;
import dev.dynamo.it.support.Exposition;
import dev.dynamo.it.support.Jdk;
import dev.dynamo.it.support.Jdks;
import dev.dynamo.it.support.JvmLauncher;
import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.MetricsScraper;
import dev.dynamo.it.support.Processes;
import dev.dynamo.it.support.Timeouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10: a scrape never stops the JVM for deadlock detection or a thread dump unless asked to.
 * The JVMs log their safepoints ({@code -Xlog:safepoint}) into a file that the test reads.
 */
@Timeout(180)
class JvmThreadMetricsIT {
    private static final int SCRAPES = 20;
    private static final Pattern SAFEPOINT = Pattern.compile("Safepoint \"(\\w+)\"");
    private static final Map<String, String> NO_LABELS = Collections.emptyMap();

    @RegisterExtension
    final Processes processes = new Processes();

    static List<Jdk> installedJdks() {
        return Jdks.installed();
    }

    /** A fresh file for the JVM's safepoint log; an existing one would be rotated away by the JVM. */
    private static Path safepointLog(String name) throws IOException {
        Path dir = Artifacts.workDir().resolve(JvmThreadMetricsIT.class.getSimpleName());
        Files.createDirectories(dir);
        Path log = dir.resolve(name + "-safepoints.log");
        Files.deleteIfExists(log);
        return log;
    }

    private ManagedProcess start(String name, Jdk jdk, Path safepointLog, String deadlockDetection) {
        JvmLauncher launcher = JvmLauncher.withAgent(name).jdk(jdk)
                .jvmArgs("-Xlog:safepoint=info:file=" + safepointLog + "::filecount=0")
                .env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info")
                .classpath(Artifacts.appsJar()).mainClass(DeadlockedThreadsApp.class.getName());
        if (deadlockDetection != null) {
            launcher.env("DYN_SYSTEM_JVM_DEADLOCK_DETECTION", deadlockDetection);
        }
        ManagedProcess app = processes.start(launcher);
        app.awaitStdoutLine("deadlocked: BLOCKED BLOCKED", Timeouts.STARTUP);
        return app;
    }

    private static long safepoints(Path log, String operation) {
        try {
            Matcher safepoint = SAFEPOINT.matcher(Files.readString(log));
            long count = 0;
            while (safepoint.find()) {
                if (safepoint.group(1).equals(operation)) {
                    count++;
                }
            }
            return count;
        } catch (IOException unreadable) {
            throw new UncheckedIOException(unreadable);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("installedJdks")
    void scrapesStopTheJvmNeitherForDeadlockDetectionNorForAThreadDumpByDefault(Jdk jdk) throws IOException {
        Path log = safepointLog("default-jdk" + jdk.feature());
        ManagedProcess app = start("deadlocked-default", jdk, log, null);
        MetricsScraper scraper = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));

        Exposition page = null;
        for (int i = 0; i < SCRAPES; i++) {
            page = scraper.scrape();
        }

        assertTrue(page.value("jvm_threads_current", NO_LABELS) >= 3, page.linesStartingWith("jvm_threads"));
        assertTrue(page.value("jvm_threads_state", Map.of("state", "BLOCKED")) >= 2,
                page.linesStartingWith("jvm_threads_state"));
        assertTrue(page.value("jvm_threads_started_total", NO_LABELS) >= 3);
        assertFalse(page.sampleNames().contains("jvm_threads_deadlocked"), page.linesStartingWith("jvm_threads"));
        assertFalse(page.sampleNames().contains("jvm_threads_deadlocked_monitor"));
        assertEquals(0, safepoints(log, "FindDeadlocks"), "FindDeadlocks safepoints after " + SCRAPES + " scrapes");
        assertEquals(0, safepoints(log, "ThreadDump"), "ThreadDump safepoints after " + SCRAPES + " scrapes");

        app.send("detect");
        app.awaitStdoutLine("detected 2", Timeouts.SCRAPE);
        assertEquals(1, safepoints(log, "FindDeadlocks"), "the log shows the app's own deadlock detection");
    }

    @Test
    void reportsARealDeadlockWhenDetectionIsOnAndRunsItOncePerInterval() throws IOException {
        Path log = safepointLog("detection-on");
        ManagedProcess app = start("deadlocked-detection-on", Jdk.current(), log, "true");
        MetricsScraper scraper = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));

        Exposition page = null;
        for (int i = 0; i < 5; i++) {
            page = scraper.scrape();
        }

        assertEquals(2, page.value("jvm_threads_deadlocked", NO_LABELS), page.linesStartingWith("jvm_threads"));
        assertEquals(2, page.value("jvm_threads_deadlocked_monitor", NO_LABELS));
        assertEquals(2, safepoints(log, "FindDeadlocks"),
                "one detection (two calls) for 5 scrapes within the minute: " + Files.readString(log));
    }
}
