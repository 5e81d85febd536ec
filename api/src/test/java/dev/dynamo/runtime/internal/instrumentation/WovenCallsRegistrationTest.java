package dev.dynamo.runtime.internal.instrumentation;

import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.metrics.IntCounter;
import dev.dynamo.runtime.metrics.PrometheusNames.WorkHandler;
import org.junit.jupiter.api.Test;

import java.util.Collections;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Registering many endpoints: ids, and the recorder each id reaches once its arrays have grown. */
class WovenCallsRegistrationTest {
    private static final String NS = "woven_calls_registration_test";

    private static long requests(String endpoint) {
        IntCounter requests = DistributedRuntime.get().namespace(NS).component("c").endpoint(endpoint).metrics()
                .createIntCounter(WorkHandler.REQUESTS_TOTAL, WorkHandler.REQUESTS_TOTAL_HELP,
                        Collections.<String, String>emptyMap());
        return requests.get();
    }

    @Test
    void recordsEveryEndpointOfManyUnderItsOwnIdActivatedInAnyOrder() {
        int count = 300;
        int[] ids = new int[count];
        for (int i = 0; i < count; i++) {
            ids[i] = WovenCalls.reserve(NS, "c", "e" + i);
        }
        for (int i = 0; i < count; i++) {
            assertEquals(ids[i], WovenCalls.reserve(NS, "c", "e" + i), "the same names keep their id");
            if (i > 0) {
                assertEquals(ids[i - 1] + 1, ids[i], "ids are handed out in order");
            }
        }
        // Backwards, so that activation writes into arrays that grew after the ids were reserved.
        for (int i = count - 1; i >= 0; i--) {
            WovenCalls.activate(ids[i]);
        }
        for (int i = 0; i < count; i++) {
            for (int call = 0; call <= i % 3; call++) {
                WovenCalls.exit(ids[i], WovenCalls.enter(ids[i]));
            }
        }

        for (int i = 0; i < count; i++) {
            assertEquals(i % 3 + 1, requests("e" + i), "requests of e" + i);
        }
    }
}
