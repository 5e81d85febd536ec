package dev.dynamo.runtime;

import dev.dynamo.runtime.internal.MetricStore;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A namespace of the hierarchy; its metrics carry {@code dynamo_namespace}. Namespaces nest; only
 * the first three levels below the runtime become labels.
 *
 * <pre>{@code
 * Component comp = DistributedRuntime.get().namespace("ns").component("comp");
 * }</pre>
 */
public final class Namespace extends HierarchyNode {
    private final MetricStore store;
    private final ConcurrentMap<String, Namespace> namespaces = new ConcurrentHashMap<String, Namespace>();
    private final ConcurrentMap<String, Component> components = new ConcurrentHashMap<String, Component>();

    Namespace(MetricStore store, List<String> parentPath, String name) {
        super(store, parentPath, "namespace", name);
        this.store = store;
    }

    /** The nested namespace {@code name}, created on first use. */
    public Namespace namespace(String name) {
        return HierarchyNode.child(namespaces, name, childName -> new Namespace(store, path(), childName));
    }

    /** The component {@code name} of this namespace, created on first use. */
    public Component component(String name) {
        return HierarchyNode.child(components, name, childName -> new Component(store, path(), childName));
    }
}
