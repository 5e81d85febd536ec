package dev.dynamo.runtime.internal.instrumentation;

import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.metrics.IntCounter;
import dev.dynamo.runtime.metrics.MetricsRegistry;
import dev.dynamo.runtime.metrics.PrometheusNames.WorkHandler;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Collections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The application may create the agent's work-handler families only as the agent does, whichever
 * comes first: a different definition must never leave annotated methods unmeasured.
 */
class WorkHandlerFamiliesTest {
    private static final String NS = "work_handler_families_test";

    private static MetricsRegistry endpoint(String name) {
        return DistributedRuntime.get().namespace(NS).component("c").endpoint(name).metrics();
    }

    @Test
    void anApplicationCounterNamedLikeTheRequestCounterIsRefusedAndEndpointsAreStillMeasured() {
        String message = assertThrows(IllegalArgumentException.class,
                () -> endpoint("app").createCounter(WorkHandler.REQUESTS_TOTAL, WorkHandler.REQUESTS_TOTAL_HELP,
                        Collections.<String, String>emptyMap())).getMessage();
        assertTrue(message.contains("'dynamo_component_requests_total' is one of the work-handler metrics")
                && message.contains("as IntCounter") && message.contains("cannot create it as Counter"), message);

        int id = WovenCalls.reserve(NS, "c", "measured");
        WovenCalls.activate(id);
        WovenCalls.exit(id, WovenCalls.enter(id));

        IntCounter requests = endpoint("measured").createIntCounter(WorkHandler.REQUESTS_TOTAL,
                WorkHandler.REQUESTS_TOTAL_HELP, Collections.<String, String>emptyMap());
        assertEquals(1, requests.get(), "the same definition as the agent's reads its series");
        assertSame(requests, endpoint("measured").createIntCounter(WorkHandler.REQUESTS_TOTAL,
                WorkHandler.REQUESTS_TOTAL_HELP, Collections.<String, String>emptyMap()));
    }

    @Test
    void refusesEveryWayOfDifferingFromTheAgentsDefinition() {
        String constantLabel = assertThrows(IllegalArgumentException.class,
                () -> endpoint("app").createIntCounter(WorkHandler.CANCELLATION_TOTAL,
                        WorkHandler.CANCELLATION_TOTAL_HELP, Collections.singletonMap("pool", "a"))).getMessage();
        assertTrue(constantLabel.contains("with label names [dynamo_namespace, dynamo_component, dynamo_endpoint,"
                + " pool]"), constantLabel);

        String help = assertThrows(IllegalArgumentException.class,
                () -> endpoint("app").createIntGauge(WorkHandler.INFLIGHT_REQUESTS, "in flight",
                        Collections.<String, String>emptyMap())).getMessage();
        assertTrue(help.contains("with help 'in flight'"), help);

        String buckets = assertThrows(IllegalArgumentException.class,
                () -> endpoint("app").createHistogram(WorkHandler.REQUEST_DURATION_SECONDS,
                        WorkHandler.REQUEST_DURATION_SECONDS_HELP, Collections.<String, String>emptyMap(),
                        Arrays.asList(1.0, 2.0))).getMessage();
        assertTrue(buckets.contains("with buckets [1.0, 2.0]"), buckets);

        String level = assertThrows(IllegalArgumentException.class,
                () -> DistributedRuntime.get().namespace(NS).metrics().createIntCounterVec(WorkHandler.ERRORS_TOTAL,
                        WorkHandler.ERRORS_TOTAL_HELP, Collections.singletonList(WorkHandler.ERROR_TYPE_LABEL),
                        Collections.<String, String>emptyMap())).getMessage();
        assertTrue(level.contains("with label names [dynamo_namespace, error_type]")
                && level.contains("at an endpoint"), level);
    }
}
