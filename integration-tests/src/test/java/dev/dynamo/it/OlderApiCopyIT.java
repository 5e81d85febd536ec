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

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent/API contract across versions: an application that upgrades the agent but keeps an API
 * jar from before the contract carried a format version, behind a child-first class loader, still
 * has its metrics on {@code /metrics}, and its {@code @DynamoEndpoint} methods measured; and the agent jar carries its own relocated copy of the
 * contract, so that it never decodes with a copy it happens to link to.
 */
@Timeout(180)
class OlderApiCopyIT {
    private static final String RELOCATED = "dev/dynamo/agent/shaded/bridge/";
    private static final String CONTRACT = "dev/dynamo/runtime/internal/bridge/";

    @RegisterExtension
    final Processes processes = new Processes();

    @Test
    void exportsTheMetricsOfAnApplicationCarryingAnApiFromBeforeTheContract() {
        String childClasspath = Artifacts.appsJar() + File.pathSeparator + Artifacts.preContractApiJar();
        ManagedProcess app = processes.start(JvmLauncher.withAgent("older-api-copy")
                .env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info")
                .classpath(Artifacts.appsJar()).mainClass("dev.dynamo.it.apps.ChildFirstLauncher")
                .args(childClasspath, GuideMetrics.MAIN_CLASS));
        app.awaitStdoutLine(GuideMetrics.READY_LINE, Timeouts.STARTUP);

        Exposition page = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP))
                .awaitPage(Timeouts.SCRAPE, "the guide metrics", GuideMetrics::present);

        assertTrue(app.stdout().contains("guide app: api loaded by ChildFirstClassLoader"),
                "the older API must come from the child-first loader for this test to mean anything: "
                        + app.describe());
        GuideMetrics.assertOnPage(page);
        assertFalse(app.stderr().contains("format version"), app.describe());
    }

    /**
     * A copy from before {@code WovenCalls} existed has no class of that name, so even the
     * child-first loader that holds it asks its parent for it, and the woven code links to the
     * agent's copy: the method is measured, although its class and the annotation come from the
     * older copy.
     */
    @Test
    void measuresAnAnnotatedMethodOfAClassLoadedChildFirstWithAnApiFromBeforeTheContract() {
        int calls = 250;
        String childClasspath = Artifacts.appsJar() + File.pathSeparator + Artifacts.preContractApiJar();
        ManagedProcess app = processes.start(JvmLauncher.withAgent("older-api-copy-endpoint")
                .env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info")
                .classpath(Artifacts.appsJar()).mainClass("dev.dynamo.it.apps.ChildFirstLauncher")
                .args(childClasspath, "dev.dynamo.it.apps.AnnotatedEndpointApp", String.valueOf(calls)));
        // The sum of 31 * i + 7 over i < 250: the woven method still computes what it should.
        assertEquals("annotated endpoint app: calls done 250, sum 966625",
                app.awaitStdoutLine("annotated endpoint app: calls done", Timeouts.STARTUP));
        Map<String, String> handle = Labels.endpoint("legacy", "child_first", "handle");

        Exposition page = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP))
                .awaitValue(Timeouts.SCRAPE, "dynamo_component_requests_total", handle, calls);

        assertTrue(app.stdout().contains("annotated endpoint app: annotation loaded by ChildFirstClassLoader"),
                "the annotation must come from the older copy in the child-first loader for this test to mean"
                        + " anything: " + app.describe());
        assertEquals(calls, page.value("dynamo_component_request_duration_seconds_count", handle), page.text());
        assertEquals(0, page.value("dynamo_component_inflight_requests", handle), page.text());
        assertFalse(app.stderr().contains("older"), app.describe());
        assertFalse(app.stderr().contains("cannot instrument"), app.describe());
        assertFalse(app.stderr().contains(" WARN "), app.describe());
        assertFalse(app.stderr().contains(" ERROR "), app.describe());
    }

    @Test
    void theAgentJarCarriesItsOwnRelocatedCopyOfTheContractAndNoOtherApiClass() throws IOException {
        List<String> unrelocated = new ArrayList<>();
        try (JarFile agent = new JarFile(Artifacts.agentJar().toFile())) {
            assertNotNull(agent.getEntry(RELOCATED + "SnapshotFormat.class"));
            assertNotNull(agent.getEntry(RELOCATED + "HealthFormat.class"));
            assertNotNull(agent.getEntry(RELOCATED + "ReflectiveCall.class"));
            for (Enumeration<JarEntry> entries = agent.entries(); entries.hasMoreElements(); ) {
                JarEntry entry = entries.nextElement();
                assertFalse(entry.getName().startsWith("dev/dynamo/runtime/"), entry.getName());
                if (entry.getName().startsWith("dev/dynamo/agent/") && entry.getName().endsWith(".class")) {
                    try (InputStream in = agent.getInputStream(entry)) {
                        if (new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).contains(CONTRACT)) {
                            unrelocated.add(entry.getName());
                        }
                    }
                }
            }
        }

        assertEquals(List.of(), unrelocated, "agent classes that link to an application's copy of the contract");
    }
}
