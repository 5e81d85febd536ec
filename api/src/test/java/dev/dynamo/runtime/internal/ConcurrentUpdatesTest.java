package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.metrics.Counter;
import dev.dynamo.runtime.metrics.CounterVec;
import dev.dynamo.runtime.metrics.Gauge;
import dev.dynamo.runtime.metrics.Histogram;
import dev.dynamo.runtime.metrics.IntCounter;
import dev.dynamo.runtime.metrics.IntGauge;
import dev.dynamo.runtime.metrics.MetricsRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.dynamo.runtime.internal.Snapshots.unique;
import static dev.dynamo.runtime.internal.Snapshots.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every update counts exactly once however many threads update at the same time. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ConcurrentUpdatesTest {
    private static final String PREFIX = "dynamo_component_";
    private static final Map<String, String> NO_LABELS = Collections.emptyMap();
    private static final int THREADS = 4;
    private static final int PER_THREAD = 100_000;
    private static final long TOTAL = (long) THREADS * PER_THREAD;

    private ExecutorService pool;

    @BeforeEach
    void startThreads() {
        pool = Executors.newFixedThreadPool(THREADS);
    }

    @AfterEach
    void stopThreads() {
        pool.shutdownNow();
    }

    private static MetricsRegistry metrics() {
        return DistributedRuntime.get().metrics();
    }

    /** Runs {@code task} on every thread at once and returns what each returned. */
    private <T> List<T> onEveryThread(Callable<T> task) throws Exception {
        CountDownLatch ready = new CountDownLatch(THREADS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<Future<T>>();
        for (int i = 0; i < THREADS; i++) {
            futures.add(pool.submit(() -> {
                ready.countDown();
                go.await();
                return task.call();
            }));
        }
        ready.await();
        go.countDown();
        List<T> results = new ArrayList<T>();
        for (Future<T> future : futures) {
            results.add(future.get());
        }
        return results;
    }

    private void repeatOnEveryThread(Runnable update) throws Exception {
        onEveryThread(() -> {
            for (int i = 0; i < PER_THREAD; i++) {
                update.run();
            }
            return null;
        });
    }

    @Test
    void countsEveryIncrementOfACounter() throws Exception {
        String name = unique("concurrent_counter");
        Counter counter = metrics().createCounter(name, "h", NO_LABELS);

        repeatOnEveryThread(counter::inc);

        assertEquals((double) TOTAL, counter.get());
        assertEquals((double) TOTAL, value(PREFIX + name, PREFIX + name + "_total", NO_LABELS));
    }

    @Test
    void countsEveryIncrementOfAnIntCounter() throws Exception {
        IntCounter counter = metrics().createIntCounter(unique("concurrent_int_counter"), "h", NO_LABELS);

        repeatOnEveryThread(counter::inc);

        assertEquals(TOTAL, counter.get());
    }

    @Test
    void countsEveryIncrementOfAVecChildLookedUpOnEveryCall() throws Exception {
        CounterVec vec = metrics().createCounterVec(unique("concurrent_vec"), "h", Arrays.asList("k"), NO_LABELS);

        repeatOnEveryThread(() -> vec.withLabelValues("same").inc());

        assertEquals((double) TOTAL, vec.withLabelValues("same").get());
    }

    @Test
    void countsEveryObservationOfAHistogram() throws Exception {
        Histogram histogram = metrics().createHistogram(unique("concurrent_histogram"), "h", NO_LABELS,
                Arrays.asList(1.0, 2.0));

        repeatOnEveryThread(() -> histogram.observe(1.5));

        assertEquals(TOTAL, histogram.getCount());
        assertArrayEquals(new long[] {0, TOTAL, TOTAL}, histogram.getCumulativeCounts());
        assertEquals(1.5 * TOTAL, histogram.getSum());
    }

    @Test
    void losesNoUpdateOfAGauge() throws Exception {
        Gauge gauge = metrics().createGauge(unique("concurrent_gauge"), "h", NO_LABELS);
        IntGauge intGauge = metrics().createIntGauge(unique("concurrent_int_gauge"), "h", NO_LABELS);

        repeatOnEveryThread(() -> {
            gauge.inc();
            intGauge.inc();
        });

        assertEquals((double) TOTAL, gauge.get());
        assertEquals(TOTAL, intGauge.get());
    }

    @Test
    void createsOneMetricWhenThreadsCreateTheSameOneAtOnce() throws Exception {
        String name = unique("raced");
        List<Counter> created = onEveryThread(() -> metrics().createCounter(name, "h", NO_LABELS));

        Set<Counter> distinct = Collections.newSetFromMap(new IdentityHashMap<Counter, Boolean>());
        distinct.addAll(created);
        assertEquals(1, distinct.size());
    }

    @Test
    void createsOneChildWhenThreadsAskForTheSameLabelValuesAtOnce() throws Exception {
        CounterVec vec = metrics().createCounterVec(unique("raced_vec"), "h", Arrays.asList("k"), NO_LABELS);
        List<Counter> children = onEveryThread(() -> vec.withLabelValues("v"));

        Set<Counter> distinct = Collections.newSetFromMap(new IdentityHashMap<Counter, Boolean>());
        distinct.addAll(children);
        assertEquals(1, distinct.size());
    }
}
