package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.internal.instrumentation.WovenCallsSeams;
import dev.dynamo.runtime.metrics.Histogram;
import dev.dynamo.runtime.metrics.IntCounter;
import dev.dynamo.runtime.metrics.IntGauge;
import dev.dynamo.runtime.metrics.MetricsRegistry;
import dev.dynamo.runtime.metrics.PrometheusNames.WorkHandler;

import java.lang.instrument.Instrumentation;
import java.util.Collections;

import net.bytebuddy.agent.ByteBuddyAgent;

/** The work-handler metrics of one endpoint, read back in tests, and the agent installed in this JVM. */
final class EndpointMetrics {
    private final MetricsRegistry metrics;

    EndpointMetrics(String namespace, String component, String endpoint) {
        this.metrics = DistributedRuntime.get().namespace(namespace).component(component).endpoint(endpoint).metrics();
    }

    /** Installs the endpoint instrumentation; the caller removes the returned transformer after its tests. */
    static EndpointTransformer install() {
        Instrumentation instrumentation = ByteBuddyAgent.install();
        return EndpointInstrumentation.install(instrumentation, "shapes_test", true);
    }

    static void uninstall(EndpointTransformer transformer) {
        ByteBuddyAgent.install().removeTransformer(transformer);
    }

    long requests() {
        return metrics.createIntCounter(WorkHandler.REQUESTS_TOTAL, WorkHandler.REQUESTS_TOTAL_HELP,
                Collections.emptyMap()).get();
    }

    long inflight() {
        IntGauge gauge = metrics.createIntGauge(WorkHandler.INFLIGHT_REQUESTS, WorkHandler.INFLIGHT_REQUESTS_HELP,
                Collections.emptyMap());
        return gauge.get();
    }

    long durations() {
        return duration().getCount();
    }

    double durationSum() {
        return duration().getSum();
    }

    long errors(String errorType) {
        return metrics.createIntCounterVec(WorkHandler.ERRORS_TOTAL, WorkHandler.ERRORS_TOTAL_HELP,
                Collections.singletonList(WorkHandler.ERROR_TYPE_LABEL), Collections.emptyMap())
                .withLabelValues(errorType).get();
    }

    long cancellations() {
        IntCounter counter = metrics.createIntCounter(WorkHandler.CANCELLATION_TOTAL,
                WorkHandler.CANCELLATION_TOTAL_HELP, Collections.emptyMap());
        return counter.get();
    }

    private Histogram duration() {
        return metrics.createHistogram(WorkHandler.REQUEST_DURATION_SECONDS,
                WorkHandler.REQUEST_DURATION_SECONDS_HELP, Collections.emptyMap(), WovenCallsSeams.DURATION_BUCKETS);
    }
}
