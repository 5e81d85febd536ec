package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.MetricsRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.dynamo.runtime.internal.Snapshots.findFamily;
import static dev.dynamo.runtime.internal.Snapshots.map;
import static dev.dynamo.runtime.internal.Snapshots.sample;

/**
 * What the tests of a family's limits share: a store of their own, the API's warnings captured, the
 * default series limit restored, and the count of a family's folded label sets.
 */
abstract class FoldingTest {
    static final String FOLDED = SeriesLimit.FOLDED_FAMILY;

    final List<String> warnings = Collections.synchronizedList(new ArrayList<String>());
    MetricStore store;

    @BeforeEach
    void captureWarnings() {
        store = new MetricStore();
        LimitSetting.MAX_SERIES.set(LimitSetting.MAX_SERIES.defaultValue);
        ApiLog.setSink((level, message) -> {
            if (ApiLog.WARN.equals(level)) {
                warnings.add(message);
            }
        });
    }

    @AfterEach
    void restoreLogAndLimit() {
        ApiLog.setSink(null);
        LimitSetting.MAX_SERIES.set(LimitSetting.MAX_SERIES.defaultValue);
    }

    MetricsRegistry at(String... hierarchy) {
        return new ScopedMetricsRegistry(store, Arrays.asList(hierarchy));
    }

    /**
     * Runs {@code body} once on each of {@code threads} tasks of {@code pool}, started together at a barrier,
     * and waits up to {@code timeoutSeconds} for each: how the tests race creations and removals.
     */
    static void atOnce(ExecutorService pool, int threads, long timeoutSeconds, ThreadBody body) throws Exception {
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Future<?>> done = new ArrayList<Future<?>>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                start.await();
                body.run(thread);
                return null;
            }));
        }
        for (Future<?> each : done) {
            each.get(timeoutSeconds, TimeUnit.SECONDS);
        }
    }

    /** What one of {@link #atOnce}'s tasks does, given its number. */
    interface ThreadBody {
        void run(int thread) throws Exception;
    }

    /** The label sets of {@code family} folded so far. */
    double folded(String family) {
        FamilySnapshot counter = findFamily(store.snapshot(), FOLDED);
        return sample(counter, FOLDED + "_total", map("family", family)).value();
    }
}
