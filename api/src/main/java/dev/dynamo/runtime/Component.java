package dev.dynamo.runtime;

import dev.dynamo.runtime.internal.MetricStore;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A component of a namespace; its metrics carry {@code dynamo_namespace} and {@code dynamo_component}.
 *
 * <pre>{@code
 * Endpoint ep = DistributedRuntime.get().namespace("ns").component("comp").endpoint("generate");
 * }</pre>
 */
public final class Component extends HierarchyNode {
    private final ConcurrentMap<String, Endpoint> endpoints = new ConcurrentHashMap<String, Endpoint>();

    /** Makes components (see {@link HierarchyNode.ChildConstructor}). */
    static final ChildConstructor<Component> CONSTRUCTOR = new ChildConstructor<Component>() {
        @Override
        public Component create(MetricStore store, List<String> parentPath, String name) {
            return new Component(store, parentPath, name);
        }
    };

    Component(MetricStore store, List<String> parentPath, String name) {
        super(store, parentPath, "component", name);
    }

    /** The endpoint {@code name} of this component, created on first use. */
    public Endpoint endpoint(String name) {
        return child(endpoints, name, Endpoint.CONSTRUCTOR);
    }
}
