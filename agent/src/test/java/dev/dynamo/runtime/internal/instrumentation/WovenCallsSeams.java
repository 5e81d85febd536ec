package dev.dynamo.runtime.internal.instrumentation;

import dev.dynamo.runtime.Endpoint;
import dev.dynamo.runtime.metrics.Histogram;
import dev.dynamo.runtime.metrics.IntCounter;
import dev.dynamo.runtime.metrics.IntCounterVec;
import dev.dynamo.runtime.metrics.IntGauge;

import java.util.List;

/**
 * What the agent's tests reach inside the woven-call runtime. Lives in the test sources, in the
 * API's package, so that none of it is public in the API jar applications compile against.
 */
public final class WovenCallsSeams {
    public static final List<Double> DURATION_BUCKETS = WorkHandlerMetrics.DURATION_BUCKETS;
    public static final int MAX_ERROR_TYPES = WorkHandlerMetrics.MAX_ERROR_TYPES;
    public static final String OTHER_ERROR_TYPE = WorkHandlerMetrics.OTHER_ERROR_TYPE;

    private WovenCallsSeams() {
    }

    /** Endpoint {@code id} records into these metrics from now on. */
    public static void recordInto(int id, IntCounter requests, IntGauge inflight, Histogram duration,
            IntCounterVec errors, IntCounter cancellations) {
        WovenCalls.replace(id, new WorkHandlerMetrics(requests, inflight, duration, errors, cancellations));
    }

    /** Endpoint {@code id} records into its own work-handler metrics again. */
    public static void restore(int id, Endpoint endpoint) {
        WovenCalls.replace(id, WorkHandlerMetrics.forEndpoint(endpoint));
    }

    /** How many JAX-RS calls are waiting for their AsyncResponse to end them. */
    public static int pendingAsyncResponseCalls() {
        return AsyncResponseCalls.pending();
    }

    /** How many gRPC calls are waiting for their observer, a listener or an exception to end them. */
    public static int pendingGrpcCalls() {
        return StreamObserverCalls.pending();
    }

    /** How many recording failures were suppressed so far. */
    public static long failures() {
        return WovenCalls.failures();
    }
}
