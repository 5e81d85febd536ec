package dev.dynamo.runtime.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HealthStateTest {
    @RegisterExtension
    final ApiWarnings apiWarnings = new ApiWarnings();

    @SuppressWarnings("unchecked")
    private static Map<String, Boolean> endpoints(HealthState state) {
        return (Map<String, Boolean>) state.encode()[1];
    }

    /**
     * Endpoints named from request data, each marked served: before, every name was kept for good and listed at
     * every {@code /health}, until the heap ran out (a re-tester). Past the names kept, new ones are left out
     * with one warning; the kept ones still change.
     */
    @Test
    void keepsTheStateOfAtMostItsEndpointNamesAndSaysSoOnce() {
        HealthState state = new HealthState(3);
        for (int i = 0; i < 10_000; i++) {
            state.setEndpointHealthy("ep" + i, true);
        }
        state.setEndpointHealthy("ep1", false);

        assertEquals(Map.of("ep0", true, "ep1", false, "ep2", true), endpoints(state));
        assertEquals(1, apiWarnings.messages().size(), apiWarnings.messages().toString());
        assertTrue(apiWarnings.messages().get(0).startsWith("the health of 3 endpoints is kept; 'ep3' and further"
                + " new endpoints set served or healthy are left out of /health"), apiWarnings.messages().get(0));
    }

    /**
     * An endpoint that gates readiness and first reports after the names kept: before, it read as not ready for
     * good, and the pod never became ready (a re-tester).
     */
    @Test
    void keepsTheEndpointsThatGateReadinessPastItsNames() {
        HealthState state = new HealthState(3);
        state.keepBeyondTheLimit(java.util.Collections.singletonList("gate"));
        for (int i = 0; i < 10; i++) {
            state.setEndpointHealthy("ep" + i, true);
        }
        state.setEndpointHealthy("gate", true);

        assertEquals(Boolean.TRUE, endpoints(state).get("gate"));
        assertEquals(4, endpoints(state).size(), endpoints(state).toString());
        assertTrue(apiWarnings.messages().get(0).contains("except those named in DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS"),
                apiWarnings.messages().get(0));
    }

    /**
     * Named in a system property or the environment, the gating endpoints are kept from the API's first use: an
     * application attached to after it named 1,100 endpoints from data had left out a gating one's state before
     * the agent could say to keep it, and readiness stayed 503 (a re-tester).
     */
    @Test
    void keepsTheGatingEndpointsTheSettingNamesBeforeAnyAgentSaysSo() {
        System.setProperty("dyn.system.use.endpoint.health.status", "[\"late\", \"gen-erate\"]");
        HealthState state;
        try {
            state = new HealthState(3);
        } finally {
            System.clearProperty("dyn.system.use.endpoint.health.status");
        }
        for (int i = 0; i < 10; i++) {
            state.setEndpointHealthy("ep" + i, true);
        }
        state.setEndpointHealthy("late", true);
        state.setEndpointHealthy("gen_erate", false);

        assertEquals(Boolean.TRUE, endpoints(state).get("late"));
        assertEquals(Boolean.FALSE, endpoints(state).get("gen_erate"));
    }

    @Test
    void readsTheNamesOfAJsonListLeniently() {
        assertEquals(java.util.Arrays.asList("a", "b_c", "q_d"), HealthState.namesIn(" [\"a\",\"b-c\" , \"q\\\"d\"] "));
        assertEquals(java.util.Collections.emptyList(), HealthState.namesIn("not a list"));
        assertEquals(java.util.Collections.emptyList(), HealthState.namesIn(null));
    }

    @Test
    void keepsOneThousandByDefault() {
        HealthState state = new HealthState(HealthState.MAX_ENDPOINTS);
        for (int i = 0; i < 2 * HealthState.MAX_ENDPOINTS; i++) {
            state.setEndpointHealthy("ep" + i, i % 2 == 0);
        }
        assertEquals(HealthState.MAX_ENDPOINTS, endpoints(state).size());
    }
}
