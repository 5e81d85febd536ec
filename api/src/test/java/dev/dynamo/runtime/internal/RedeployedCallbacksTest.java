package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.MetricsRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import static dev.dynamo.runtime.internal.Snapshots.findFamily;
import static dev.dynamo.runtime.internal.Snapshots.map;
import static dev.dynamo.runtime.internal.Snapshots.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An application redeployed in a new class loader while this copy of the API stays (it is on a
 * parent loader, or the agent's) gives its callbacks again. They replace those of the deployment
 * before, which would otherwise fail the new deployment's start (a callback metric exists already),
 * run on with stale values, and keep every earlier deployment's class loader alive.
 */
class RedeployedCallbacksTest {
    private static final String NAME = RedeployableCallback.class.getName();
    private static final URL CLASSES = RedeployableCallback.class.getProtectionDomain().getCodeSource().getLocation();
    private static final Map<String, String> PLACE = map("dynamo_namespace", "ns", "dynamo_component", "comp");

    private MetricStore store;
    private MetricsRegistry metrics;

    @RegisterExtension
    final ApiWarnings apiWarnings = new ApiWarnings();
    private final List<String> warnings = apiWarnings.messages();

    @BeforeEach
    void freshStore() {
        store = new MetricStore();
        metrics = new ScopedMetricsRegistry(store, Arrays.asList("ns", "comp"));
    }

    @Test
    void aCallbackGaugeGivenAgainByARedeployedApplicationReplacesTheEarlierOne() throws Exception {
        WeakReference<ClassLoader> first = deploy(1.0, callback -> metrics.createGaugeWithCallback("queue_length",
                "Requests waiting", null, (DoubleSupplier) callback));
        deploy(2.0, callback -> metrics.createGaugeWithCallback("queue_length", "Requests waiting", null,
                (DoubleSupplier) callback));

        assertEquals(2.0, sample(findFamily(store.snapshot(), "dynamo_component_queue_length"),
                "dynamo_component_queue_length", PLACE).value());
        // Two live applications sharing this copy would lose the first one's values: said once.
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("is given again by another class loader; the new callback replaces the"
                + " earlier one"), warnings.get(0));
        assertCollected(first);
    }

    @Test
    void aCallbackGaugeGivenTwiceByOneApplicationIsStillAnError() {
        metrics.createGaugeWithCallback("queue_length", "Requests waiting", null, () -> 1.0);

        assertThrows(IllegalArgumentException.class, () -> metrics.createGaugeWithCallback("queue_length",
                "Requests waiting", null, () -> 2.0));
    }

    @Test
    void aLabelledCallbackGaugeGivenAgainByARedeployedApplicationReplacesTheEarlierOne() throws Exception {
        WeakReference<ClassLoader> first = deploy(1.0, callback -> metrics.createGaugeVecWithCallback("cache_entries",
                "Entries", Collections.singletonList("cache"), null, asValues(callback)));
        deploy(2.0, callback -> metrics.createGaugeVecWithCallback("cache_entries", "Entries",
                Collections.singletonList("cache"), null, asValues(callback)));

        assertEquals(2.0, sample(findFamily(store.snapshot(), "dynamo_component_cache_entries"),
                "dynamo_component_cache_entries", map("dynamo_namespace", "ns", "dynamo_component", "comp",
                        "cache", "a")).value());
        assertCollected(first);
    }

    @Test
    void anUpdateCallbackOfARedeployedApplicationReplacesTheEarlierDeploymentsOnly() throws Exception {
        IntSupplier[] firstRuns = new IntSupplier[1];
        WeakReference<ClassLoader> first = deploy(1.0, callback -> {
            metrics.addUpdateCallback((Runnable) callback);
            firstRuns[0] = (IntSupplier) callback;
        });
        int[] othersRuns = new int[1];
        metrics.addUpdateCallback(() -> othersRuns[0]++);
        store.snapshot();
        int firstRunsBefore = firstRuns[0].getAsInt();
        firstRuns[0] = null;
        IntSupplier[] secondRuns = new IntSupplier[1];
        deploy(2.0, callback -> {
            metrics.addUpdateCallback((Runnable) callback);
            secondRuns[0] = (IntSupplier) callback;
        });

        store.snapshot();

        assertEquals(1, firstRunsBefore, "the first deployment's callback ran before the redeploy");
        assertEquals(1, secondRuns[0].getAsInt(), "the new deployment's callback runs");
        assertEquals(2, othersRuns[0], "a callback written elsewhere is not replaced");
        assertCollected(first);
    }

    @SuppressWarnings("unchecked")
    private static Supplier<Map<List<String>, Double>> asValues(Object callback) {
        return (Supplier<Map<List<String>, Double>>) callback;
    }

    /** Loads the application class in a class loader of its own, hands an instance to {@code start}, and drops the loader. */
    private static WeakReference<ClassLoader> deploy(double value, java.util.function.Consumer<Object> start)
            throws Exception {
        try (URLClassLoader deployment = new URLClassLoader(new URL[] {CLASSES}, null)) {
            start.accept(deployment.loadClass(NAME).getConstructor(double.class).newInstance(value));
            return new WeakReference<ClassLoader>(deployment);
        }
    }

    private static void assertCollected(WeakReference<ClassLoader> deployment) throws InterruptedException {
        for (int i = 0; i < 100 && deployment.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(deployment.get(), "the earlier deployment's class loader is kept alive");
    }
}
