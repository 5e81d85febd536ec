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
    private final ConcurrentMap<String, Namespace> namespaces = new ConcurrentHashMap<String, Namespace>();
    private final ConcurrentMap<String, Component> components = new ConcurrentHashMap<String, Component>();

    /** Makes namespaces, nested or at the top (see {@link HierarchyNode.ChildConstructor}). */
    static final ChildConstructor<Namespace> CONSTRUCTOR = new ChildConstructor<Namespace>() {
        @Override
        public Namespace create(MetricStore store, List<String> parentPath, String name) {
            return new Namespace(store, parentPath, name);
        }
    };

    Namespace(MetricStore store, List<String> parentPath, String name) {
        super(store, parentPath, "namespace", name);
    }

    /** The nested namespace {@code name}, created on first use. */
    public Namespace namespace(String name) {
        return child(namespaces, name, CONSTRUCTOR);
    }

    /** The component {@code name} of this namespace, created on first use. */
    public Component component(String name) {
        return child(components, name, Component.CONSTRUCTOR);
    }
}
