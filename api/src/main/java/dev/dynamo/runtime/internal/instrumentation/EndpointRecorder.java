package dev.dynamo.runtime.internal.instrumentation;

import dev.dynamo.runtime.Endpoint;
import dev.dynamo.runtime.internal.ScopedMetricsRegistry;
import dev.dynamo.runtime.metrics.Histogram;
import dev.dynamo.runtime.metrics.IntCounter;
import dev.dynamo.runtime.metrics.IntCounterVec;
import dev.dynamo.runtime.metrics.IntGauge;
import dev.dynamo.runtime.metrics.MetricsRegistry;
import dev.dynamo.runtime.metrics.PrometheusNames.WorkHandler;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The work-handler metrics of one endpoint, bound once so that recording a call is two clock reads
 * and a few adder updates: no lookup, no allocation.
 */
public final class EndpointRecorder {
    /** Request duration buckets: the defaults, then up to ten minutes for long generations. */
    public static final List<Double> DURATION_BUCKETS = Collections.unmodifiableList(Arrays.asList(
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0));

    /**
     * Beyond this many exception classes an endpoint's errors count as {@link #OTHER_ERROR_TYPE}, so
     * that generated exception classes cannot grow the series without bound.
     */
    public static final int MAX_ERROR_TYPES = 100;
    public static final String OTHER_ERROR_TYPE = "other";

    private static final double NANOS_TO_SECONDS = 1e-9;

    private final IntCounter requests;
    private final IntGauge inflight;
    private final Histogram duration;
    private final IntCounterVec errors;
    private final IntCounter cancellations;
    /** How many distinct {@code error_type} values this endpoint has. */
    private final AtomicInteger errorTypes = new AtomicInteger();
    /**
     * The error counter of each exception class, resolved once per class: {@code getSimpleName()}
     * is slow on Java 8 and {@code withLabelValues} allocates. A ClassValue does not keep the class
     * (or its class loader) alive.
     */
    private final ClassValue<IntCounter> errorsByType = new ClassValue<IntCounter>() {
        @Override
        protected IntCounter computeValue(Class<?> type) {
            String errorType = errorTypes.incrementAndGet() <= MAX_ERROR_TYPES ? errorType(type) : OTHER_ERROR_TYPE;
            return errors.withLabelValues(errorType);
        }
    };

    public EndpointRecorder(IntCounter requests, IntGauge inflight, Histogram duration, IntCounterVec errors,
            IntCounter cancellations) {
        this.requests = requests;
        this.inflight = inflight;
        this.duration = duration;
        this.errors = errors;
        this.cancellations = cancellations;
    }

    /** Creates (or finds) the work-handler metrics of {@code endpoint}. */
    public static EndpointRecorder forEndpoint(Endpoint endpoint) {
        // Endpoint.metrics() is always the scoped registry, which also makes the striped in-flight gauge.
        ScopedMetricsRegistry metrics = (ScopedMetricsRegistry) endpoint.metrics();
        Map<String, String> none = Collections.emptyMap();
        return new EndpointRecorder(
                metrics.createIntCounter(WorkHandler.REQUESTS_TOTAL, WorkHandler.REQUESTS_TOTAL_HELP, none),
                // Incremented and decremented by every call, from any number of threads: striped.
                metrics.createUpDownIntGauge(WorkHandler.INFLIGHT_REQUESTS, WorkHandler.INFLIGHT_REQUESTS_HELP, none),
                metrics.createHistogram(WorkHandler.REQUEST_DURATION_SECONDS, WorkHandler.REQUEST_DURATION_SECONDS_HELP,
                        none, DURATION_BUCKETS),
                metrics.createIntCounterVec(WorkHandler.ERRORS_TOTAL, WorkHandler.ERRORS_TOTAL_HELP,
                        Collections.singletonList(WorkHandler.ERROR_TYPE_LABEL), none),
                metrics.createIntCounter(WorkHandler.CANCELLATION_TOTAL, WorkHandler.CANCELLATION_TOTAL_HELP, none));
    }

    /** A call starts: counts it and returns its start time, never {@link EndpointRecording#NOT_STARTED}. */
    long enter() {
        requests.inc();
        inflight.inc();
        long now = System.nanoTime();
        return now == EndpointRecording.NOT_STARTED ? now + 1 : now;
    }

    /** A call started at {@code startNanos} ends, with {@code thrown} when it failed. */
    void exit(long startNanos, Throwable thrown) {
        long elapsed = System.nanoTime() - startNanos;
        inflight.dec();
        duration.observe(elapsed * NANOS_TO_SECONDS);
        if (thrown != null) {
            errorsByType.get(thrown.getClass()).inc();
        }
    }

    /** A call started at {@code startNanos} ends because its result was cancelled. */
    void cancelled(long startNanos) {
        long elapsed = System.nanoTime() - startNanos;
        inflight.dec();
        duration.observe(elapsed * NANOS_TO_SECONDS);
        cancellations.inc();
    }

    /** The {@code error_type} of {@code type}: its simple name, or for anonymous classes {@code Outer$1}. */
    static String errorType(Class<?> type) {
        String simpleName = type.getSimpleName();
        if (!simpleName.isEmpty()) {
            return simpleName;
        }
        String name = type.getName();
        return name.substring(name.lastIndexOf('.') + 1);
    }
}
