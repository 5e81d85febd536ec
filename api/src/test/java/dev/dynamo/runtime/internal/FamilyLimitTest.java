package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.metrics.Counter;
import dev.dynamo.runtime.metrics.CounterVec;
import dev.dynamo.runtime.metrics.IntCounter;
import dev.dynamo.runtime.metrics.MetricsRegistry;
import dev.dynamo.runtime.metrics.PrometheusNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static dev.dynamo.runtime.internal.Snapshots.findFamily;
import static dev.dynamo.runtime.internal.Snapshots.map;
import static dev.dynamo.runtime.internal.Snapshots.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code DYN_METRICS_MAX_FAMILIES}: an application that makes metric names from data (a counter per order)
 * grew the store by about 1.5 KB a name without end; past the limit, metrics under a new name work but are
 * not exported, and are counted.
 */
class FamilyLimitTest extends FoldingTest {
    private static final String UNEXPORTED = MetricStore.UNEXPORTED_FAMILIES;

    @BeforeEach
    void limitOfThree() {
        LimitSetting.MAX_FAMILIES.set(3);
    }

    @AfterEach
    void restoreFamilyLimit() {
        LimitSetting.MAX_FAMILIES.set(LimitSetting.MAX_FAMILIES.defaultValue);
    }

    @Test
    void metricsUnderNamesPastTheLimitWorkButAreNotExportedAndAreCounted() {
        MetricsRegistry metrics = at("shop");
        Counter[] orders = new Counter[5];
        for (int i = 0; i < orders.length; i++) {
            orders[i] = metrics.createCounter("order_" + i, "Items of one order", null);
            orders[i].inc(i + 1);
        }

        List<FamilySnapshot> page = store.snapshot();
        assertNotNull(findFamily(page, "dynamo_component_order_2"));
        assertNull(findFamily(page, "dynamo_component_order_3"));
        assertNull(findFamily(page, "dynamo_component_order_4"));
        assertEquals(5.0, orders[4].get(), "a metric left off the page still records");
        assertEquals(2.0, unexported());
        assertEquals(1, warnings.size(), warnings.toString());
        String warning = warnings.get(0);
        assertTrue(warning.startsWith("metric 'dynamo_component_order_3' is not exported: this process has 3 metric"
                + " names already, as many as DYN_METRICS_MAX_FAMILIES allows"), warning);
        assertTrue(warning.contains("createCounterVec, then withLabelValues"), warning);
    }

    @Test
    void aNameAlreadyTakenStillGetsItsSeriesAtEveryPlacePastTheLimit() {
        for (int i = 0; i < 3; i++) {
            at("shop").createCounter("order_" + i, "Items of one order", null);
        }

        Counter elsewhere = at("warehouse").createCounter("order_0", "Items of one order", null);
        elsewhere.inc();

        FamilySnapshot family = findFamily(store.snapshot(), "dynamo_component_order_0");
        assertEquals(1.0, sample(family, "dynamo_component_order_0_total", map("dynamo_namespace", "warehouse")).value());
        assertSame(elsewhere, at("warehouse").createCounter("order_0", "Items of one order", null));
        assertEquals(0.0, unexported());
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void theUnexportedCountIsOnThePageAtZeroOnceTheLastNameIsTaken() {
        at("shop").createCounter("order_0", "Items of one order", null);
        at("shop").createCounter("order_1", "Items of one order", null);
        assertNull(findFamily(store.snapshot(), UNEXPORTED), "not on the page of an application far from the limit");

        at("shop").createCounter("order_2", "Items of one order", null);

        assertEquals(0.0, unexported(), "at 0 before the first metric left off, so that increase() sees it");
    }

    @Test
    void theRuntimesOwnFamiliesTakeNoName() {
        for (int i = 0; i < 3; i++) {
            at("shop").createCounter("order_" + i, "Items of one order", null);
        }
        CounterVec byUser = at("shop").createCounterVec("order_0_by_user", "Items by user",
                Collections.singletonList("user"), null);

        IntCounter requests = at("shop", "cart", "add").createIntCounter(PrometheusNames.WorkHandler.REQUESTS_TOTAL,
                PrometheusNames.WorkHandler.REQUESTS_TOTAL_HELP, null);
        requests.inc();
        store.countFolded("dynamo_component_order_0");

        List<FamilySnapshot> page = store.snapshot();
        assertEquals(1.0, sample(findFamily(page, "dynamo_component_requests"), "dynamo_component_requests_total",
                map("dynamo_namespace", "shop", "dynamo_component", "cart", "dynamo_endpoint", "add")).value());
        assertEquals(1.0, folded("dynamo_component_order_0"));
        assertNull(findFamily(page, "dynamo_component_order_0_by_user"), "the fourth name of the application's");
        assertEquals(1.0, unexported(), "only the vec was left off");
        byUser.withLabelValues("u1").inc();
    }

    @Test
    void aVecLeftOffThePageKeepsItsSeriesLimit() {
        for (int i = 0; i < 3; i++) {
            at("shop").createCounter("order_" + i, "Items of one order", null);
        }

        CounterVec byUser = at("shop").createCounterVec("items_by_user", "Items by user",
                Collections.singletonList("user"), null);
        byUser.setMaxSeries(2);
        Counter first = byUser.withLabelValues("u1");
        byUser.withLabelValues("u2");

        assertSame(byUser.withLabelValues("u3"), byUser.withLabelValues("u4"), "label sets past its limit share one");
        assertNotSame(first, byUser.withLabelValues("u3"));
        assertNull(findFamily(store.snapshot(), "dynamo_component_items_by_user"));
        assertNull(findFamily(store.snapshot(), FOLDED), "its folds are counted nowhere: it is not on the page");
    }

    @Test
    void threadsRacingForTheLastNamesTakeExactlyAsManyAsAllowed() throws Exception {
        LimitSetting.MAX_FAMILIES.set(50);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            atOnce(pool, 8, 30, thread -> {
                for (int i = 0; i < 100; i++) {
                    at("shop").createCounter("order_" + (i * 8 + thread), "Items of one order", null).inc();
                }
            });
        } finally {
            pool.shutdownNow();
        }

        Set<String> exported = new TreeSet<String>();
        for (FamilySnapshot family : store.snapshot()) {
            if (family.name().startsWith("dynamo_component_order_")) {
                exported.add(family.name());
            }
        }
        assertEquals(50, exported.size(), exported.toString());
        assertEquals(800 - 50, unexported());
        assertEquals(1, warnings.size(), warnings.toString());
    }

    private double unexported() {
        FamilySnapshot counter = findFamily(store.snapshot(), UNEXPORTED);
        assertNotNull(counter, "no " + UNEXPORTED + " on the page");
        return sample(counter, UNEXPORTED + "_total", map()).value();
    }

}
