package dev.dynamo.runtime;

import dev.dynamo.runtime.internal.MetricStore;
import dev.dynamo.runtime.internal.ScopedMetricsRegistry;
import dev.dynamo.runtime.metrics.MetricsRegistry;
import dev.dynamo.runtime.metrics.PrometheusNames;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentMap;

/** A place in the hierarchy below the runtime: its name, the label values of its path, and its metrics. */
abstract class HierarchyNode {
    private final MetricStore store;
    private final String name;
    private final List<String> path;
    private final MetricsRegistry metrics;

    HierarchyNode(MetricStore store, List<String> parentPath, String kind, String name) {
        String labelValue;
        try {
            labelValue = PrometheusNames.sanitizeLabelName(name);
        } catch (IllegalArgumentException invalid) {
            throw new IllegalArgumentException("Invalid " + kind + " name " + (name == null ? "null" : "'" + name + "'")
                    + ": " + invalid.getMessage(), invalid);
        }
        List<String> fullPath = new ArrayList<String>(parentPath);
        fullPath.add(labelValue);
        this.store = store;
        this.name = name;
        this.path = Collections.unmodifiableList(fullPath);
        this.metrics = new ScopedMetricsRegistry(store, path);
    }

    /** The name as it was given. */
    public final String name() {
        return name;
    }

    /** The label value of this level: the name, sanitized as a Prometheus label. */
    public final String labelValue() {
        return path.get(path.size() - 1);
    }

    /**
     * The child {@code name} in {@code children}, made by {@code constructor} below {@code parentPath}
     * on first use.
     */
    static <T> T child(ConcurrentMap<String, T> children, String name, MetricStore store, List<String> parentPath,
            ChildConstructor<T> constructor) {
        T existing = name == null ? null : children.get(name);
        if (existing != null) {
            return existing;
        }
        T created = constructor.create(store, parentPath, name); // throws for a null or unusable name
        T raced = children.putIfAbsent(name, created);
        return raced != null ? raced : created;
    }

    /** The child {@code name} of this node in {@code children}, made by {@code constructor} on first use. */
    final <T> T child(ConcurrentMap<String, T> children, String name, ChildConstructor<T> constructor) {
        return child(children, name, store, path, constructor);
    }

    /**
     * The constructor of a kind of child node: its store, the label values of its parent's path, its
     * name. Each kind's is a named class, not a method reference: the agent creates endpoints while
     * the application starts, and the JVM spins a class for each method reference on its first use,
     * which costs several times as much as loading a small class.
     */
    interface ChildConstructor<T> {
        T create(MetricStore store, List<String> parentPath, String name);
    }

    /**
     * The registry for metrics at this place; they carry its automatic labels.
     *
     * <pre>{@code
     * Counter c = node.metrics().createCounter("requests", "Requests served", Collections.emptyMap());
     * }</pre>
     */
    public final MetricsRegistry metrics() {
        return metrics;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + path;
    }
}
