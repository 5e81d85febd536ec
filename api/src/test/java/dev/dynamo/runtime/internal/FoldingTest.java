package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.MetricsRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

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
        MaxSeriesSetting.setDefaultLimit(MaxSeriesSetting.DEFAULT);
        ApiLog.setSink((level, message) -> {
            if (ApiLog.WARN.equals(level)) {
                warnings.add(message);
            }
        });
    }

    @AfterEach
    void restoreLogAndLimit() {
        ApiLog.setSink(null);
        MaxSeriesSetting.setDefaultLimit(MaxSeriesSetting.DEFAULT);
    }

    MetricsRegistry at(String... hierarchy) {
        return new ScopedMetricsRegistry(store, Arrays.asList(hierarchy));
    }

    /** The label sets of {@code family} folded so far. */
    double folded(String family) {
        FamilySnapshot counter = findFamily(store.snapshot(), FOLDED);
        return sample(counter, FOLDED + "_total", map("family", family)).value();
    }
}
