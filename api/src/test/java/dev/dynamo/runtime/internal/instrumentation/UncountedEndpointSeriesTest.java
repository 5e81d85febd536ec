package dev.dynamo.runtime.internal.instrumentation;

import dev.dynamo.runtime.internal.FamilySnapshot;
import dev.dynamo.runtime.internal.Sample;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static dev.dynamo.runtime.internal.Snapshots.findFamily;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The series of an endpoint whose only woven class the JVM refused: they would claim calls that are not measured
 * (SPEC §7), so they are taken off the page while no call is counted, and shown again with what they counted once
 * a class serves the endpoint after all.
 */
class UncountedEndpointSeriesTest {
    private static final String NS = "uncounted_endpoint_series_test";
    private static final List<String> FAMILIES = Arrays.asList("dynamo_component_requests",
            "dynamo_component_inflight_requests", "dynamo_component_request_duration_seconds",
            "dynamo_component_errors", "dynamo_component_cancellation");

    /** The samples of endpoint {@code endpoint} in each of the five families, family by family. */
    private static int[] samplesOf(String endpoint) {
        int[] counts = new int[FAMILIES.size()];
        for (int i = 0; i < FAMILIES.size(); i++) {
            FamilySnapshot family = findFamily(FAMILIES.get(i));
            if (family == null) {
                continue;
            }
            for (Sample sample : family.samples()) {
                if (sample.labelValues().contains(NS) && sample.labelValues().contains(endpoint)) {
                    counts[i]++;
                }
            }
        }
        return counts;
    }

    private static double requests(String endpoint) {
        for (Sample sample : findFamily("dynamo_component_requests").samples()) {
            if (sample.labelValues().contains(NS) && sample.labelValues().contains(endpoint)) {
                return sample.value();
            }
        }
        return -1;
    }

    @Test
    void anUncountedEndpointsSeriesAreTakenAwayAndShownAgainWhenActivatedAgain() {
        int id = WovenCalls.reserve(NS, "c", "refused");
        WovenCalls.activate(id, false);
        int[] shown = samplesOf("refused");
        assertEquals(1, shown[0], "requests_total shown once activated");

        WovenCalls.hideUncounted(id);
        assertEquals("[0, 0, 0, 0, 0]", Arrays.toString(samplesOf("refused")), "no series claims calls");

        WovenCalls.activate(id, false);
        assertEquals(Arrays.toString(shown), Arrays.toString(samplesOf("refused")), "another class serves it");
        WovenCalls.exit(id, WovenCalls.enter(id));
        assertEquals(1.0, requests("refused"));
    }

    @Test
    void anEndpointWithACountedCallKeepsItsSeries() {
        int id = WovenCalls.reserve(NS, "c", "counted");
        WovenCalls.activate(id, false);
        WovenCalls.exit(id, WovenCalls.enter(id));

        WovenCalls.hideUncounted(id);

        assertEquals(1.0, requests("counted"));
    }

    /** A class woven at the moment of the refusal, defined since, whose calls are counted: its series come back. */
    @Test
    void seriesTakenAwayComeBackWithTheirCountsOnceACallIsCounted() {
        int id = WovenCalls.reserve(NS, "c", "late");
        WovenCalls.activate(id, false);
        WovenCalls.hideUncounted(id);

        WovenCalls.exit(id, WovenCalls.enter(id));
        WovenCalls.exit(id, WovenCalls.enter(id));
        WovenCalls.settle();

        assertEquals(2.0, requests("late"));
        assertEquals(1, samplesOf("late")[1], "in flight too");
    }
}
