package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.MetricsRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static dev.dynamo.runtime.internal.Snapshots.findFamily;
import static dev.dynamo.runtime.internal.Snapshots.map;
import static dev.dynamo.runtime.internal.Snapshots.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An application server's class loader loads no class once its application is stopped (Tomcat's
 * after an undeploy or a reload, an OSGi bundle's after an update), yet the agent may ask that
 * application's copy of the API for its metrics after that, at the first scrape since: the calls
 * it counted before the stop must not be lost for a class its collection had not loaded yet.
 */
class StoppedLoaderCollectionTest {
    private static final String CONNECTION = PrimaryConnection.class.getName();
    private static final Map<String, String> NO_LABELS = Collections.emptyMap();
    private final IsolatedApi copy = new IsolatedApi();

    @AfterEach
    void close() {
        copy.close();
    }

    @Test
    void aCopyConnectedBeforeItsClassLoaderStoppedStillGivesEveryKindOfMetric() {
        Object registry = copy.construct(ScopedMetricsRegistry.class.getName(),
                copy.callStatic(MetricStore.class.getName(), "global"), Arrays.asList("ns"));
        Object counter = create(registry, "createCounter", "calls", NO_LABELS);
        Object histogram = create(registry, "createHistogram", "latency", NO_LABELS, Arrays.asList(0.1, 1.0));
        Object vec = create(registry, "createIntCounterVec", "by_kind", Arrays.asList("kind"), NO_LABELS);
        create(registry, "createGauge", "level", NO_LABELS);
        create(registry, "createGaugeWithCallback", "from_callback", NO_LABELS, (DoubleSupplier) () -> 4.0);
        create(registry, "createCounterVecWithCallback", "from_map", Arrays.asList("kind"), NO_LABELS,
                (Supplier<Map<List<String>, Double>>) () -> Collections.singletonMap(Arrays.asList("a"), 6.0));
        copy.call(registry, MetricsRegistry.class.getName(), "addUpdateCallback", (Runnable) () -> { });
        copy.callDeclaredStatic(CONNECTION, "loadCollectionClasses");
        copy.call(counter, "dev.dynamo.runtime.metrics.Counter", "inc", 3.0);
        copy.call(histogram, "dev.dynamo.runtime.metrics.Histogram", "observe", 0.5);
        Object child = copy.call(vec, "dev.dynamo.runtime.metrics.MetricVec", "withLabelValues", (Object) new String[] {"x"});
        copy.call(child, "dev.dynamo.runtime.metrics.IntCounter", "inc", 2L);

        copy.stopLoading();
        @SuppressWarnings("unchecked")
        List<Object[]> encoded = (List<Object[]>) copy.callDeclaredStatic(CONNECTION, "encodedSnapshot");

        List<FamilySnapshot> families = SnapshotEncoding.decode(encoded, skipped -> { });
        Map<String, String> place = map("dynamo_namespace", "ns");
        assertEquals(3.0, sample(findFamily(families, "dynamo_component_calls"), "dynamo_component_calls_total", place).value());
        assertEquals(1.0, sample(findFamily(families, "dynamo_component_latency"), "dynamo_component_latency_count", place).value());
        assertEquals(2.0, sample(findFamily(families, "dynamo_component_by_kind"), "dynamo_component_by_kind_total",
                map("dynamo_namespace", "ns", "kind", "x")).value());
        assertEquals(4.0, sample(findFamily(families, "dynamo_component_from_callback"), "dynamo_component_from_callback",
                place).value());
        assertEquals(6.0, sample(findFamily(families, "dynamo_component_from_map"), "dynamo_component_from_map_total",
                map("dynamo_namespace", "ns", "kind", "a")).value());
    }

    /**
     * The scratch collection runs callbacks, on threads of a pool of this copy's. They must end at
     * once: for their idle time they would hold the copy's class loader (their context class loader,
     * the pool's thread factory), and an application server undeploying the application reports them
     * as leaked threads (a re-tester's Tomcat: two per deployment).
     */
    @Test
    void loadingTheCollectionsClassesLeavesNoThreadRunning() throws Exception {
        // Those of other tests' stores, which end on their own meanwhile, are not counted.
        Set<Thread> before = callbackThreads();

        copy.callDeclaredStatic(CONNECTION, "loadCollectionClasses");

        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        Set<Thread> started = startedSince(before);
        while (!started.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
            started = startedSince(before);
        }
        assertEquals(Collections.emptySet(), started, "callback threads still running after the scratch collection");
    }

    private static Set<Thread> startedSince(Set<Thread> before) {
        Set<Thread> now = callbackThreads();
        now.removeAll(before);
        return now;
    }

    /**
     * A copy connected while this thread holds its class loader's lock (the loader is not
     * parallel-capable, and is loading the class whose weaving connects the copy) loads its
     * collection's classes on a thread of its own once the lock is free. Before, the scratch
     * collection's callback threads waited for that lock until their deadline: a tester's class load
     * took 600 ms instead of 6, with warnings about callbacks the application never made.
     */
    @Test
    void aCopyConnectedWhileItsLoaderIsLockedLoadsTheCollectionsClassesOnceItIsFree() throws Exception {
        long start = System.nanoTime();
        synchronized (copy.loader()) {
            copy.callDeclaredStatic(CONNECTION, "loadCollectionClassesSoon");
            assertTrue(System.nanoTime() - start < java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(
                    ScrapeCallbacks.DEADLINE_MILLIS), "waited for its callback threads");
        }
        awaitNoConnectThread();
        assertEquals(0, connectThreads(), "the collection's classes were not loaded once the loader was free");

        copy.stopLoading();
        assertNotNull(copy.callDeclaredStatic(CONNECTION, "encodedSnapshot"), "collected after the loader stopped");
    }

    /**
     * A deployment that stops its class loader as soon as its calls are made, while the thread that loads the
     * collection's classes has not run yet: a re-tester's soak lost every call of 117 such deployments, whose
     * collection failed on a class the stopped loader no longer loaded.
     */
    @Test
    void aCopyConnectedWhileItsLoaderIsLockedGivesItsCountsAfterItsLoaderStoppedAtOnce() throws Exception {
        List<FamilySnapshot> families = countedThenStoppedUnderTheLoadersLock("quick_calls", 10.0, registry -> { });

        assertEquals(10.0, sample(findFamily(families, "dynamo_component_quick_calls"),
                "dynamo_component_quick_calls_total", map("dynamo_namespace", "ns")).value());
    }

    /**
     * The same with a callback gauge: the callbacks' threads need classes the stopped loader no longer loads.
     * The collection failed whole, and a re-tester's soak lost the counts of such deployments with it.
     */
    @Test
    void aStoppedCopysCallbacksThatCannotRunLeaveItsOtherMetricsCollected() throws Exception {
        List<FamilySnapshot> families = countedThenStoppedUnderTheLoadersLock("calls_beside_callback", 7.0,
                registry -> create(registry, "createGaugeWithCallback", "callback_level", NO_LABELS,
                        (DoubleSupplier) () -> 4.0));

        assertEquals(7.0, sample(findFamily(families, "dynamo_component_calls_beside_callback"),
                "dynamo_component_calls_beside_callback_total", map("dynamo_namespace", "ns")).value());
    }

    /**
     * While this thread holds the copy's class loader's lock: creates counter {@code name} (and what {@code more}
     * creates), connects the copy, counts {@code calls} and stops the loader. Then the copy's collection, once
     * the thread that loads the rest of its classes has given up.
     */
    private List<FamilySnapshot> countedThenStoppedUnderTheLoadersLock(String name, double calls,
            Consumer<Object> more) throws InterruptedException {
        synchronized (copy.loader()) {
            Object registry = copy.construct(ScopedMetricsRegistry.class.getName(),
                    copy.callStatic(MetricStore.class.getName(), "global"), Arrays.asList("ns"));
            Object counter = create(registry, "createCounter", name, NO_LABELS);
            more.accept(registry);
            copy.callDeclaredStatic(CONNECTION, "loadCollectionClassesSoon");
            copy.call(counter, "dev.dynamo.runtime.metrics.Counter", "inc", calls);
            copy.stopLoading();
        }
        @SuppressWarnings("unchecked")
        List<Object[]> encoded = (List<Object[]>) copy.callDeclaredStatic(CONNECTION, "encodedSnapshot");
        awaitNoConnectThread();
        return SnapshotEncoding.decode(encoded, skipped -> { });
    }

    private static void awaitNoConnectThread() throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (connectThreads() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    private static long connectThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && thread.getName().equals("dynamo-metrics-connect")).count();
    }

    private static Set<Thread> callbackThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && thread.getName().startsWith("dynamo-metrics-callback-"))
                .collect(Collectors.toCollection(HashSet::new));
    }

    private Object create(Object registry, String method, String name, Object... rest) {
        Object[] args = new Object[2 + rest.length];
        args[0] = name;
        args[1] = "Help of " + name;
        System.arraycopy(rest, 0, args, 2, rest.length);
        return copy.call(registry, MetricsRegistry.class.getName(), method, args);
    }
}
