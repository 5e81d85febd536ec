package dev.dynamo.runtime;

import dev.dynamo.runtime.internal.MetricStore;
import dev.dynamo.runtime.internal.ScopedMetricsRegistry;
import dev.dynamo.runtime.metrics.MetricsRegistry;
import dev.dynamo.runtime.metrics.PrometheusNames;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

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
        if (CACHED.get() >= maxCached) {
            // Places made from data (an endpoint per user) are not kept: a place holds nothing a later
            // lookup needs, its metrics being in the store, so one made again is the same place.
            return created;
        }
        T raced = children.putIfAbsent(name, created);
        if (raced != null) {
            return raced;
        }
        CACHED.incrementAndGet();
        return created;
    }

    /**
     * How many places are kept for quick lookup, in all: an application's code names a few hundred; past this,
     * a place is made again at each lookup, so that places made from data hold no memory (a re-tester's endpoint
     * per loop iteration kept about 1 KB each for good).
     */
    static final int MAX_CACHED = 10_000;
    private static final AtomicInteger CACHED = new AtomicInteger();
    /** {@link #MAX_CACHED}, lowered by tests. */
    private static volatile int maxCached = MAX_CACHED;

    /** Lets {@code more} further places be kept, then none (tests); a negative value restores the default. */
    static void keepOnly(int more) {
        maxCached = more < 0 ? MAX_CACHED : CACHED.get() + more;
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
