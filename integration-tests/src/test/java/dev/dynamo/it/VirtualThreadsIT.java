package dev.dynamo.it;

import dev.dynamo.it.support.Artifacts;
import dev.dynamo.it.support.Exposition;
import dev.dynamo.it.support.Jdk;
import dev.dynamo.it.support.Jdks;
import dev.dynamo.it.support.JvmLauncher;
import dev.dynamo.it.support.Labels;
import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.MetricsScraper;
import dev.dynamo.it.support.Processes;
import dev.dynamo.it.support.Timeouts;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.dynamo.it.EndpointInstrumentationIT.DURATION;
import static dev.dynamo.it.EndpointInstrumentationIT.ERRORS;
import static dev.dynamo.it.EndpointInstrumentationIT.INFLIGHT;
import static dev.dynamo.it.EndpointInstrumentationIT.REQUESTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Handlers on virtual threads (Java 21 and later) count as on platform threads: 20,000 tasks on a
 * virtual-thread-per-task executor, each calling a measured method that returns, one that throws,
 * one whose {@code CompletableFuture} another virtual thread completes, and one that parks in flight
 * (under a lock and a monitor), show exactly one request and one duration per call, every error by
 * type, and none in flight afterwards. Runs on each installed JDK of release 21 or later; under
 * {@code CI=true} there must be one.
 */
@Timeout(180)
class VirtualThreadsIT {
    private static final int TASKS = 20_000;

    @RegisterExtension
    final Processes processes = new Processes();

    static List<Jdk> jdksWithVirtualThreads() {
        List<Jdk> jdks = Jdks.installed().stream().filter(jdk -> jdk.feature() >= 21).collect(Collectors.toList());
        if (jdks.isEmpty() && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("no JDK of release 21 or later is installed; CI=true needs one (e.g. 25)"
                    + " to run the handlers on virtual threads");
        }
        return jdks;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdksWithVirtualThreads")
    void everyCallOnAVirtualThreadCountsOnce(Jdk jdk) {
        ManagedProcess app = processes.start(JvmLauncher.withAgent("virtual-threads").jdk(jdk)
                .classpath(Artifacts.appsJar(), Artifacts.apiJar())
                .mainClass("dev.dynamo.it.apps.VirtualThreadsApp").args(String.valueOf(TASKS))
                .env("DYN_SYSTEM_PORT", "0"));
        assertEquals("done " + TASKS + " on true", app.awaitStdoutLine("done ", Timeouts.STARTUP),
                "the tasks ran on virtual threads: " + app.describe());
        MetricsScraper scraper = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));
        Exposition page = scraper.awaitPage(Timeouts.SCRAPE, "no call in flight",
                current -> current.samples(INFLIGHT).stream().allMatch(sample -> sample.value() == 0));

        for (String endpoint : new String[] {"value", "failing", "later", "parking"}) {
            Map<String, String> labels = Labels.endpoint("it", "virtual", endpoint);
            assertEquals(TASKS, page.value(REQUESTS, labels), "requests of " + endpoint + ": " + app.describe());
            assertEquals(TASKS, page.value(DURATION + "_count", labels), "durations of " + endpoint);
            assertEquals(0, page.value(INFLIGHT, labels), "in flight: " + endpoint);
        }
        assertEquals(TASKS, page.value(ERRORS, Labels.with(Labels.endpoint("it", "virtual", "failing"),
                "error_type", "IllegalStateException")), "errors of failing");
        assertTrue(page.samples(ERRORS).stream().filter(sample -> sample.value() > 0).count() == 1,
                "no other errors: " + page.samples(ERRORS));
        assertFalse(app.stderr().contains("Exception"), "nothing thrown at the application: " + app.describe());
    }
}
