package dev.dynamo.it;

import dev.dynamo.it.apps.AnnotatedEndpointApp;
import dev.dynamo.it.support.Artifacts;
import dev.dynamo.it.support.Exposition;
import dev.dynamo.it.support.Jdk;
import dev.dynamo.it.support.JvmLauncher;
import dev.dynamo.it.support.Labels;
import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.MetricsScraper;
import dev.dynamo.it.support.Processes;
import dev.dynamo.it.support.Timeouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.dynamo.it.EndpointInstrumentationIT.REQUESTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent in a Java runtime image made with {@code jlink}, as containers ship applications, with
 * only the modules an application needs: what can work works, and one warning names every module
 * the JVM metrics lack.
 */
@Timeout(120)
class RuntimeImageIT {
    @RegisterExtension
    final Processes processes = new Processes();

    @Test
    void withoutJavaLoggingAndJdkManagementTheRestIsServedAndOneWarningNamesWhatIsMissing() throws IOException {
        Jdk jdk = Jdk.current();
        Path image = Artifacts.workDir().resolve(getClass().getSimpleName()).resolve("image");
        if (!Files.isDirectory(image)) {
            Files.createDirectories(image.getParent());
            ManagedProcess jlink = processes.start("jlink", List.of(jdk.home().resolve("bin").resolve("jlink").toString(),
                    "--add-modules", "java.base,java.instrument,java.management", "--no-header-files",
                    "--no-man-pages", "--output", image.toString()), System.getenv());
            assertEquals(0, jlink.awaitExit(Timeouts.EXIT), jlink.describe());
        }
        int calls = 40;
        ManagedProcess app = processes.start(JvmLauncher.withAgent("jlink-image")
                .jdk(new Jdk(image, jdk.version()))
                .classpath(Artifacts.appsJar(), Artifacts.apiJar()).mainClass(AnnotatedEndpointApp.class.getName())
                .args(String.valueOf(calls)).env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info"));
        MetricsScraper scraper = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));
        app.awaitStdoutLine(AnnotatedEndpointApp.DONE_LINE, Timeouts.STARTUP);

        Exposition page = scraper.scrape();
        assertEquals(calls, page.value(REQUESTS, Labels.endpoint("legacy", "child_first", "handle")));
        assertTrue(page.has("jvm_memory_bytes_used", Map.of("area", "heap")),
                "the JVM metrics that need neither module are served");
        // The agent needs no java.logging: only what jdk.management gives is left out.
        assertTrue(page.has("jvm_buffer_pool_used_bytes", Map.of("pool", "direct")), "buffer pools are served");
        assertTrue(page.has("process_start_time_seconds", Map.of()) && page.has("process_resident_memory_bytes", Map.of()),
                "the process figures that need no jdk.management are served");
        assertFalse(page.has("process_cpu_seconds_total", Map.of()));
        assertFalse(page.has("process_open_fds", Map.of()));
        List<String> warnings = app.stderrLines().stream().filter(line -> line.contains(" WARN dynamo-agent "))
                .collect(Collectors.toList());
        assertEquals(1, warnings.size(), app.describe());
        assertEquals("JVM metrics not served: process_cpu_seconds_total, process_open_fds and process_max_fds. This"
                + " JVM runs without the module jdk.management (a runtime image made without it, or --limit-modules):"
                + " add it to the image (jlink --add-modules jdk.management) or to --limit-modules (--limit-modules"
                + " <yours>,jdk.management), or turn the JVM metrics off with DYN_SYSTEM_JVM_METRICS=false",
                warnings.get(0).substring(warnings.get(0).indexOf("JVM metrics not served")), warnings.get(0));
    }
}
