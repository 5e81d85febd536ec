package dev.dynamo.runtime;

import dev.dynamo.runtime.internal.HealthState;
import dev.dynamo.runtime.internal.MetricStore;

import java.util.List;

/**
 * An endpoint of a component; its metrics carry all three hierarchy labels.
 *
 * <pre>{@code
 * MetricsRegistry m = DistributedRuntime.get().namespace("ns").component("comp").endpoint("ep").metrics();
 * }</pre>
 */
public final class Endpoint extends HierarchyNode {

    /** Makes endpoints (see {@link HierarchyNode.ChildConstructor}). */
    static final ChildConstructor<Endpoint> CONSTRUCTOR = new ChildConstructor<Endpoint>() {
        @Override
        public Endpoint create(MetricStore store, List<String> parentPath, String name) {
            return new Endpoint(store, parentPath, name);
        }
    };

    Endpoint(MetricStore store, List<String> parentPath, String name) {
        super(store, parentPath, "endpoint", name);
    }

    /**
     * Says that this endpoint serves requests now. {@code /health} lists it as ready, under its
     * label value, as Dynamo does once an endpoint is served; an endpoint named in
     * {@code DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS} gates readiness until then. Annotated
     * {@code @DynamoEndpoint} methods are marked by the agent when their class is instrumented.
     */
    public void markServed() {
        setHealthy(true);
    }

    /**
     * Says whether this endpoint can serve requests: {@code false} lists it as notready (and, when it
     * is named in {@code DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS}, turns {@code /health} to 503) until
     * it is set healthy again.
     */
    public void setHealthy(boolean healthy) {
        HealthState.global().setEndpointHealthy(labelValue(), healthy);
    }
}
