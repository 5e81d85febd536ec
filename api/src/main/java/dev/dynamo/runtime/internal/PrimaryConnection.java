package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.internal.bridge.ReflectiveCall;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Connects this copy of the API, when it is a foreign one, to the primary copy in the bootstrap
 * class loader: the primary then exports this copy's metrics and health state with its own.
 * Found and called by name ({@link ReflectiveCall}): the copies share no types.
 */
final class PrimaryConnection {
    /** Whether this copy is a foreign one that has registered with the primary. Guarded by the class. */
    private static boolean connected;
    /** This copy's suppliers, kept reachable here because the primary holds them weakly. Guarded by the class. */
    private static final List<Object> EXPORTED = new ArrayList<Object>(2);

    private PrimaryConnection() {
    }

    /**
     * Connects this copy, once.
     *
     * @return whether this copy's metrics are exported
     */
    static synchronized boolean connect() {
        if (PrimaryConnection.class.getClassLoader() == null || connected) {
            return AgentAttachment.isAttached() || connected;
        }
        Class<?> primary;
        try {
            primary = ReflectiveCall.IS_AGENT_ATTACHED.declaringClassIn(null);
        } catch (ClassNotFoundException | LinkageError noAgentCopy) {
            return AgentAttachment.isAttached();
        }
        try {
            if (!Boolean.TRUE.equals(ReflectiveCall.IS_AGENT_ATTACHED.invoke(primary))) {
                return false;
            }
            loadCollectionClassesSoon();
            Supplier<List<Object[]>> snapshots = PrimaryConnection::encodedSnapshot;
            EXPORTED.add(snapshots);
            ReflectiveCall.REGISTER_FOREIGN_STORE.invoke(primary, snapshots);
            connected = true;
            connectNewerParts(primary);
            return true;
        } catch (Exception | LinkageError incompatible) {
            ApiLog.warn("cannot connect the dynamo API loaded by " + ApiLog.loaderName(PrimaryConnection.class.getClassLoader())
                    + " to the agent's copy; its metrics are not exported: " + incompatible);
            return false;
        }
    }

    /** What the primary asks of this copy at each scrape: its families, encoded as JDK types only. */
    static List<Object[]> encodedSnapshot() {
        return SnapshotEncoding.encode(MetricStore.global().snapshot());
    }

    /**
     * {@link #loadCollectionClasses} now, or, when this thread holds the lock of this copy's class
     * loader (one that is not parallel-capable, loading the class whose weaving connects this copy),
     * on a thread of its own that waits for it: the collection's callback threads load classes
     * through that loader, and would wait for its lock here until their deadline (500 ms each, with a
     * warning about callbacks the application never made).
     */
    static void loadCollectionClassesSoon() {
        ClassLoader own = PrimaryConnection.class.getClassLoader();
        if (own == null || !Thread.holdsLock(own)) {
            loadCollectionClasses();
            return;
        }
        // What needs no callback thread is loaded here and now: a deployment that stops its class loader at
        // once (a re-tester's soak: load, 10 calls, close) stopped it before the thread below could run, and
        // the collection then failed on classes the loader no longer loads; every call it counted was lost.
        loadCollectionClasses(false);
        // Also loads the log, which the thread needs to report that its loader stopped meanwhile.
        ApiLog.debug("loading the classes of the dynamo API's scrape callbacks on a thread of their own: this"
                + " thread holds the lock of the API's class loader");
        try {
            Thread later = new Thread(() -> {
                try {
                    loadCollectionClasses();
                } catch (Throwable failed) {
                    ApiLog.debug("loading the classes of this copy's collection failed: " + failed);
                }
            }, "dynamo-metrics-connect");
            later.setDaemon(true);
            later.start();
        } catch (Throwable noThread) {
            ApiLog.debug("cannot load the classes of this copy's collection ahead of the first scrape: " + noThread);
        }
    }

    /**
     * Loads the classes that {@link #encodedSnapshot} may need and has not needed yet, by collecting a
     * scratch store with a metric of every kind once. An application server's class loader refuses to
     * load classes once its application is stopped (Tomcat's after an undeploy or a reload, an OSGi
     * bundle's after an update), and the agent may ask this copy for its metrics only after that, at
     * the first scrape since: the calls it counted must not be lost for a class not loaded yet. (A
     * class loaded once through this copy's class loader is found there again without asking it.)
     */
    static void loadCollectionClasses() {
        loadCollectionClasses(true);
    }

    /**
     * {@link #loadCollectionClasses}, or without the callbacks and their threads ({@code callbacks} false),
     * which a thread that holds this copy's class loader's lock can do without waiting for those threads.
     */
    private static void loadCollectionClasses(boolean callbacks) {
        MetricStore scratch = new MetricStore();
        ScopedMetricsRegistry metrics = new ScopedMetricsRegistry(scratch, Collections.singletonList("scratch"));
        Map<String, String> none = Collections.emptyMap();
        List<String> kind = Collections.singletonList("kind");
        List<Double> buckets = Collections.singletonList(1.0);
        metrics.createCounter("counter", "h", none).inc(1);
        metrics.createIntCounter("int_counter", "h", none).inc(1);
        metrics.createGauge("gauge", "h", none).set(1);
        metrics.createIntGauge("int_gauge", "h", none).set(1);
        metrics.createHistogram("histogram", "h", none, buckets).observe(1);
        metrics.createCounterVec("counter_vec", "h", kind, none).withLabelValues("a").inc(1);
        metrics.createIntCounterVec("int_counter_vec", "h", kind, none).withLabelValues("a").inc(1);
        metrics.createGaugeVec("gauge_vec", "h", kind, none).withLabelValues("a").set(1);
        metrics.createIntGaugeVec("int_gauge_vec", "h", kind, none).withLabelValues("a").set(1);
        metrics.createHistogramVec("histogram_vec", "h", kind, none, buckets).withLabelValues("a").observe(1);
        if (!callbacks) {
            SnapshotEncoding.encode(scratch.snapshot());
            return;
        }
        metrics.createGaugeWithCallback("gauge_callback", "h", none, () -> 1);
        metrics.createCounterWithCallback("counter_callback", "h", none, () -> 1);
        Supplier<Map<List<String>, Double>> labelled = () -> Collections.singletonMap(Collections.singletonList("a"), 1.0);
        metrics.createGaugeVecWithCallback("gauge_vec_callback", "h", kind, none, labelled);
        metrics.createCounterVecWithCallback("counter_vec_callback", "h", kind, none, labelled);
        metrics.addUpdateCallback(() -> { });
        try {
            SnapshotEncoding.encode(scratch.snapshot());
        } finally {
            // Its callbacks' threads would hold this copy's class loader (their context class loader,
            // their factory) for their idle time, and an application server reports them as leaked.
            scratch.stopCallbackThreads();
        }
    }

    /**
     * Health state, series and metric limits and log cross too, when the primary knows them: an older agent's
     * copy lacks these methods, and the metrics then cross alone.
     */
    private static void connectNewerParts(Class<?> primary) {
        try {
            Supplier<Object[]> health = () -> HealthState.global().encode();
            ReflectiveCall.REGISTER_FOREIGN_HEALTH.invoke(primary, health);
            EXPORTED.add(health);
            LimitSetting.MAX_SERIES.set((Integer) ReflectiveCall.DEFAULT_MAX_SERIES.invoke(primary));
        } catch (NoSuchMethodException olderAgent) {
            ApiLog.debug("the agent's copy of the dynamo API predates the health API and the series limit;"
                    + " this copy's health state and limit stay local");
        } catch (Exception | LinkageError failed) {
            ApiLog.warn("cannot connect the health state of the dynamo API loaded by "
                    + ApiLog.loaderName(PrimaryConnection.class.getClassLoader()) + " to the agent's copy: " + failed);
        }
        try {
            LimitSetting.MAX_FAMILIES.set((Integer) ReflectiveCall.MAX_FAMILIES.invoke(primary));
        } catch (Exception | LinkageError olderAgent) {
            ApiLog.debug("this copy's metric limit is its own: the agent's copy of the dynamo API predates"
                    + " DYN_METRICS_MAX_FAMILIES (" + olderAgent + ")");
        }
        try {
            @SuppressWarnings("unchecked")
            BiConsumer<String, String> agentLog = (BiConsumer<String, String>) ReflectiveCall.LOG_SINK.invoke(primary);
            ApiLog.setSink(agentLog);
        } catch (Exception | LinkageError olderAgent) {
            ApiLog.debug("this copy's messages stay on stderr: the agent's copy of the dynamo API predates its log"
                    + " sink (" + olderAgent + ")");
        }
    }
}
