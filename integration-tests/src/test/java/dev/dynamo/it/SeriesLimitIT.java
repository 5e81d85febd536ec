package dev.dynamo.it;

import dev.dynamo.it.support.Artifacts;
import dev.dynamo.it.support.CommandedApp;
import dev.dynamo.it.support.Exposition;
import dev.dynamo.it.support.JvmLauncher;
import dev.dynamo.it.support.Labels;
import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.MetricsScraper;
import dev.dynamo.it.support.Processes;
import dev.dynamo.it.support.Timeouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11, the cardinality guard: whatever label values an application passes, a family keeps
 * {@code DYN_METRICS_MAX_SERIES} series plus one overflow series, and its page stays small.
 */
@Timeout(180)
class SeriesLimitIT {
    private static final String FAMILY = "dynamo_component_requests_by_user";
    private static final String FOLDED = "dynamo_metrics_folded_label_sets_total";

    @RegisterExtension
    final Processes processes = new Processes();

    private CommandedApp start(JvmLauncher launcher) {
        ManagedProcess process = processes.start(launcher.classpath(Artifacts.appsJar(), Artifacts.apiJar())
                .mainClass("dev.dynamo.it.apps.ParityApp").env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info"));
        process.awaitStdoutLine("parity app ready", Timeouts.STARTUP);
        return new CommandedApp(process);
    }

    @Test
    void aMillionDistinctLabelValuesUnderHalfAGigabyteKeepTheFamilyAtItsLimit() {
        CommandedApp app = start(JvmLauncher.withAgent("million").jvmArgs("-Xmx512m"));
        MetricsScraper scraper = new MetricsScraper(app.process().awaitMetricsPort(Timeouts.STARTUP));

        String flooded = app.run("flood 1000000");
        long fastest = Long.MAX_VALUE;
        Exposition page = null;
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            page = scraper.scrape();
            fastest = Math.min(fastest, (System.nanoTime() - start) / 1_000_000);
        }
        String heap = app.run("heap");

        assertTrue(flooded.startsWith("flooded"), flooded);
        assertEquals(2000 + 1, page.samples(FAMILY + "_total").size());
        assertEquals(1_000_000 - 2000, page.value(FAMILY + "_total",
                Labels.of("dynamo_namespace", "flood", "user", "__overflow__")));
        assertEquals(1_000_000 - 2000, page.value(FOLDED, Labels.of("family", FAMILY)));
        assertTrue(fastest < 1000, "a scrape took " + fastest + " ms at best");
        long usedMegabytes = Long.parseLong(heap.substring("heap ".length()));
        assertTrue(usedMegabytes < 100, "heap after the flood: " + usedMegabytes + " MB");
        assertTrue(app.process().isAlive());
        long warnings = app.process().stderrLines().stream().filter(line -> line.contains("reached its limit")).count();
        assertEquals(1, warnings, "one warning per family: " + app.process().stderr());
    }

    /**
     * A metric name made from data (a counter per order) made a family of about 1.5 KB each without end: the
     * names past {@code DYN_METRICS_MAX_FAMILIES} work but are not exported, and are counted.
     */
    @Test
    void metricNamesMadeFromDataStopAtTheLimitAndTheApplicationRunsOn() {
        CommandedApp app = start(JvmLauncher.withAgent("names").jvmArgs("-Xmx256m")
                .env("DYN_METRICS_MAX_FAMILIES", "1000"));
        MetricsScraper scraper = new MetricsScraper(app.process().awaitMetricsPort(Timeouts.STARTUP));

        String flooded = app.run("flood-names 200000");
        Exposition page = scraper.scrape();
        String heap = app.run("heap");

        assertTrue(flooded.startsWith("flooded"), flooded);
        long exported = page.sampleNames().stream()
                .filter(name -> name.matches("dynamo_component_order_\\d+_items_total")).count();
        assertEquals(1000, exported);
        assertEquals(2.0, page.value("dynamo_component_order_999_items_total", Labels.of("dynamo_namespace", "flood")));
        assertEquals(200_000 - 1000, page.value("dynamo_metrics_unexported_families_total", Labels.of()));
        long usedMegabytes = Long.parseLong(heap.substring("heap ".length()));
        assertTrue(usedMegabytes < 60, "heap after 200,000 names: " + usedMegabytes + " MB");
        long warnings = app.process().stderrLines().stream()
                .filter(line -> line.contains("is not exported: this process has 1000 metric names already")).count();
        assertEquals(1, warnings, app.process().stderr());
        assertTrue(app.process().isAlive());
    }

    @Test
    void theAgentsSettingReachesTheApi() {
        CommandedApp app = start(JvmLauncher.withAgent("limit-100").env("DYN_METRICS_MAX_SERIES", "100"));
        MetricsScraper scraper = new MetricsScraper(app.process().awaitMetricsPort(Timeouts.STARTUP));

        app.run("flood 1000");
        Exposition page = scraper.scrape();

        assertEquals(100 + 1, page.samples(FAMILY + "_total").size());
        assertEquals(900, page.value(FOLDED, Labels.of("family", FAMILY)));
    }
}
