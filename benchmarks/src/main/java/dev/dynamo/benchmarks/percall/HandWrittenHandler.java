package dev.dynamo.benchmarks.percall;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.Histogram;

/**
 * Case (c): what the agent records, written by hand with simpleclient children bound once: requests
 * counter, in-flight gauge, duration histogram (the agent's buckets), and an error counter.
 */
public final class HandWrittenHandler {
    private static final String[] LABELS = {"dynamo_namespace", "dynamo_component", "dynamo_endpoint"};
    private static final String[] VALUES = {"bench", "handler", "handle"};

    private final Counter errors;
    private final Counter.Child requests;
    private final Gauge.Child inflight;
    private final Histogram.Child duration;

    public HandWrittenHandler(CollectorRegistry registry) {
        requests = Counter.build("dynamo_component_requests", "Total number of requests processed by work handler")
                .labelNames(LABELS).register(registry).labels(VALUES);
        inflight = Gauge.build("dynamo_component_inflight_requests",
                        "Number of requests currently being processed by work handler")
                .labelNames(LABELS).register(registry).labels(VALUES);
        duration = Histogram.build("dynamo_component_request_duration_seconds",
                        "Time spent processing requests by work handler")
                .buckets(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600)
                .labelNames(LABELS).register(registry).labels(VALUES);
        errors = Counter.build("dynamo_component_errors", "Total number of errors in work handler processing")
                .labelNames("dynamo_namespace", "dynamo_component", "dynamo_endpoint", "error_type").register(registry);
    }

    public long handle(long x) {
        requests.inc();
        inflight.inc();
        long start = System.nanoTime();
        try {
            return Work.compute(x);
        } catch (RuntimeException | Error failure) {
            errors.labels(VALUES[0], VALUES[1], VALUES[2], failure.getClass().getSimpleName()).inc();
            throw failure;
        } finally {
            inflight.dec();
            duration.observe((System.nanoTime() - start) / 1e9);
        }
    }

    long requestCount() {
        return (long) requests.get();
    }
}
