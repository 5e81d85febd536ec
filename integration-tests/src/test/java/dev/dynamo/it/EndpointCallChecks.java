package dev.dynamo.it;

import dev.dynamo.it.support.Exposition;

import java.util.Map;

import static dev.dynamo.it.EndpointInstrumentationIT.CANCELLATIONS;
import static dev.dynamo.it.EndpointInstrumentationIT.DURATION;
import static dev.dynamo.it.EndpointInstrumentationIT.ERRORS;
import static dev.dynamo.it.EndpointInstrumentationIT.INFLIGHT;
import static dev.dynamo.it.EndpointInstrumentationIT.REQUESTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the handler-style tests check of each measured endpoint on a final page. */
final class EndpointCallChecks {
    private EndpointCallChecks() {
    }

    /**
     * The checks every measured endpoint passes: {@code calls} requests, one duration each, none in
     * flight, at least {@code minSeconds} of summed duration, and exactly the errors and
     * cancellations given.
     */
    static void assertCalls(Exposition page, Map<String, String> endpoint, int calls, double minSeconds,
            Map<String, Integer> errorsByType, int cancellations) {
        assertEquals(calls, page.value(REQUESTS, endpoint), "requests of " + endpoint);
        assertEquals(calls, page.value(DURATION + "_count", endpoint), "durations of " + endpoint);
        assertEquals(0, page.value(INFLIGHT, endpoint), "in flight at the end: " + endpoint);
        double sum = page.value(DURATION + "_sum", endpoint);
        assertTrue(sum >= minSeconds, endpoint + ": duration sum " + sum + " s, below the handlers' real time "
                + minSeconds + " s");
        assertEquals(cancellations, page.value(CANCELLATIONS, endpoint), "cancellations of " + endpoint);
        assertEquals(errorsByType, errorsOf(page, endpoint), "errors of " + endpoint);
    }

    /** The endpoint's errors by type, those with a count only. */
    static Map<String, Integer> errorsOf(Exposition page, Map<String, String> endpoint) {
        return page.countsBy(ERRORS, "error_type", endpoint);
    }

    static Map<String, Integer> none() {
        return Map.of();
    }
}
