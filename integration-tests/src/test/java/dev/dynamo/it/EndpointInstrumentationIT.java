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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 3: {@code @DynamoEndpoint} methods in a JVM started with the agent get the work-handler
 * metrics — counted exactly, in flight tracked, async calls timed to completion, errors typed.
 * The application is {@code EndpointsApp}, driven over stdin.
 */
@Timeout(180)
class EndpointInstrumentationIT {
    static final String REQUESTS = "dynamo_component_requests_total";
    static final String INFLIGHT = "dynamo_component_inflight_requests";
    static final String DURATION = "dynamo_component_request_duration_seconds";
    static final String ERRORS = "dynamo_component_errors_total";
    static final String CANCELLATIONS = "dynamo_component_cancellation_total";

    @RegisterExtension
    final Processes processes = new Processes();

    private EndpointsAppConsole console;
    private MetricsScraper scraper;

    private void startApp(String... environment) {
        JvmLauncher launcher = JvmLauncher.withAgent("endpoints-app")
                .classpath(Artifacts.appsJar(), Artifacts.apiJar()).mainClass(EndpointsAppConsole.MAIN_CLASS)
                .env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info");
        for (int i = 0; i < environment.length; i += 2) {
            launcher.env(environment[i], environment[i + 1]);
        }
        ManagedProcess app = processes.start(launcher);
        console = new EndpointsAppConsole(app);
        scraper = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));
    }

    private String command(String command) {
        return console.send(command);
    }

    private static double errorsOf(Exposition page, Map<String, String> endpoint) {
        double total = 0;
        for (Exposition.Sample sample : page.samples(ERRORS)) {
            Map<String, String> labels = new LinkedHashMap<>(sample.labels());
            labels.remove("error_type");
            if (labels.equals(endpoint)) {
                total += sample.value();
            }
        }
        return total;
    }

    @Test
    void countsEveryCallExactlyFromTwoThreadsOf50000Calls() {
        startApp();
        Map<String, String> work = Labels.endpoint("it", "load", "work");

        // Each call returns 31 * i + 7: the instrumented method still computes what it should.
        assertEquals("done 77499150000", command("load 2 50000"));

        Exposition page = scraper.awaitValue(Timeouts.SCRAPE, REQUESTS, work, 100_000);
        assertEquals(100_000, page.value(DURATION + "_count", work));
        assertEquals(100_000, page.value(DURATION + "_bucket", Labels.with(work, "le", "+Inf")));
        assertEquals(0, page.value(INFLIGHT, work));
        assertEquals(0, errorsOf(page, work));
        assertEquals("counter", page.type(REQUESTS));
        assertEquals("Total number of requests processed by work handler", page.help(REQUESTS));
    }

    @Test
    void tracksOneRequestInFlightWhileACallIsBlockedAndNoneAfter() {
        startApp();
        Map<String, String> block = Labels.endpoint("it", "blocking", "block");

        assertEquals("inside", command("block"));

        Exposition during = scraper.awaitValue(Timeouts.SCRAPE, INFLIGHT, block, 1);
        assertEquals(1, during.value(REQUESTS, block));
        assertEquals(0, during.value(DURATION + "_count", block), "the call has not ended yet");

        assertEquals("done", command("release"));

        Exposition after = scraper.awaitValue(Timeouts.SCRAPE, INFLIGHT, block, 0);
        assertEquals(1, after.value(DURATION + "_count", block));
        assertEquals(1, after.value(REQUESTS, block));
        assertEquals("gauge", after.type(INFLIGHT));
    }

    @Test
    void timesAnAsyncCallUntilItsFutureCompletes() {
        startApp();
        Map<String, String> slow = Labels.endpoint("it", "async", "slow");

        assertEquals("completed after 300 ms", command("async 300"));

        Exposition page = scraper.awaitValue(Timeouts.SCRAPE, DURATION + "_count", slow, 1);
        double sum = page.value(DURATION + "_sum", slow);
        assertTrue(sum >= 0.3 && sum < 60, "duration covers the completion 300 ms later: " + sum);
        assertEquals(0, page.value(DURATION + "_bucket", Labels.with(slow, "le", "0.25")),
                "no observation below 0.25 s");
        assertEquals(1, page.value(DURATION + "_bucket", Labels.with(slow, "le", "+Inf")));
        assertEquals(1, page.value(REQUESTS, slow));
        assertEquals(0, page.value(INFLIGHT, slow));
        assertEquals(0, errorsOf(page, slow));
    }

    @Test
    void countsAnAsyncFailureUnderTheUnwrappedExceptionName() {
        startApp();
        Map<String, String> failing = Labels.endpoint("it", "async", "failing");

        assertEquals("failed with QuotaExceededException", command("async-fail"));

        Exposition page = scraper.awaitValue(Timeouts.SCRAPE, ERRORS,
                Labels.with(failing, "error_type", "QuotaExceededException"), 1);
        assertEquals(1, errorsOf(page, failing), "only the unwrapped cause is counted");
        assertFalse(page.has(ERRORS, Labels.with(failing, "error_type", "CompletionException")));
        assertEquals(1, page.value(REQUESTS, failing));
        assertEquals(1, page.value(DURATION + "_count", failing));
        assertEquals(0, page.value(INFLIGHT, failing));
    }

    @Test
    void countsACancelledFutureAsACancellationNotAnError() {
        startApp();
        Map<String, String> cancelled = Labels.endpoint("it", "async", "cancelled");

        assertEquals("started", command("pending"));
        Exposition pending = scraper.awaitValue(Timeouts.SCRAPE, INFLIGHT, cancelled, 1);
        assertEquals(0, pending.value(CANCELLATIONS, cancelled));

        assertEquals("cancelled=true", command("cancel"));

        Exposition page = scraper.awaitValue(Timeouts.SCRAPE, CANCELLATIONS, cancelled, 1);
        assertEquals(0, page.value(INFLIGHT, cancelled));
        assertEquals(1, page.value(DURATION + "_count", cancelled));
        assertEquals(0, errorsOf(page, cancelled));
        assertEquals("Total number of requests cancelled by work handler", page.help(CANCELLATIONS));
    }

    @Test
    void countsAThrownExceptionByItsSimpleNameAndRethrowsTheSameObject() {
        startApp();
        Map<String, String> throwing = Labels.endpoint("it", "sync", "throwing");

        assertEquals("same-exception=true", command("throw"));

        Exposition page = scraper.awaitValue(Timeouts.SCRAPE, ERRORS,
                Labels.with(throwing, "error_type", "IllegalStateException"), 1);
        assertEquals(1, page.value(REQUESTS, throwing));
        assertEquals(0, page.value(INFLIGHT, throwing));
        assertEquals(1, page.value(DURATION + "_count", throwing));
        assertEquals("Total number of errors in work handler processing", page.help(ERRORS));
    }

    @ParameterizedTest(name = "DYN_NAMESPACE={0}")
    @CsvSource(value = {"(unset), dynamo", "team-a.prod, team_a_prod"})
    void defaultsToTheNamespaceSettingTheClassNameAndTheMethodName(String setting, String namespace) {
        if (setting.equals("(unset)")) {
            startApp();
        } else {
            startApp("DYN_NAMESPACE", setting);
        }
        Map<String, String> defaults = Labels.endpoint(namespace, "DefaultsHandler", "defaults");
        Map<String, String> partlyNamed = Labels.endpoint(namespace, "DefaultsHandler", "partly_named_v2");
        assertFalse(scraper.scrape().has(REQUESTS, defaults), "no series before the class is loaded");

        assertEquals("loaded", command("load-defaults"));
        Exposition loaded = scraper.awaitPage(Timeouts.SCRAPE, "series at 0 once the class is loaded",
                page -> page.has(REQUESTS, defaults) && page.has(REQUESTS, partlyNamed));
        assertEquals(0, loaded.value(REQUESTS, defaults));
        assertEquals(0, loaded.value(REQUESTS, partlyNamed));

        assertEquals("done", command("defaults"));
        Exposition called = scraper.awaitValue(Timeouts.SCRAPE, REQUESTS, defaults, 1);
        assertEquals(1, called.value(REQUESTS, partlyNamed));
        assertTrue(called.samples(REQUESTS).stream().allMatch(sample ->
                        !sample.labels().get("dynamo_component").equals("DefaultsHandler")
                        || sample.labels().get("dynamo_namespace").equals(namespace)),
                "every DefaultsHandler series is in namespace " + namespace + ": " + called.samples(REQUESTS));
    }
}
