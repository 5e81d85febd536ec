package dev.dynamo.runtime;

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

    Endpoint(MetricStore store, List<String> parentPath, String name) {
        super(store, parentPath, "endpoint", name);
    }
}
