package dev.dynamo.agent.internal.export;

import dev.dynamo.agent.internal.bootstrap.PrimaryApi;
import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.agent.internal.server.ScrapeRegistry;
import dev.dynamo.agent.internal.server.ScrapeSize;
import dev.dynamo.agent.internal.server.SizedCollector;
import dev.dynamo.runtime.internal.ApplicationText;
import dev.dynamo.runtime.internal.ExportBridge;
import dev.dynamo.runtime.internal.FamilySnapshot;
import dev.dynamo.runtime.internal.Sample;
import dev.dynamo.runtime.internal.bridge.SizeFormat;
import dev.dynamo.runtime.internal.bridge.SnapshotFormat;
import io.prometheus.client.Collector;
import io.prometheus.client.Predicate;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Exposes the metrics created through the API (and the agent's endpoint metrics, which are created
 * the same way) to the agent's simpleclient registry. A scrape that asks for some samples collects
 * only the families that can have them, and its size is known before it collects ({@link SizedCollector}).
 */
public final class ApiMetricsCollector extends Collector implements SizedCollector {
    private static final AgentLog LOG = AgentLog.get(ApiMetricsCollector.class);
    private static final SnapshotFormat.Builder<MetricFamilySamples, MetricFamilySamples.Sample> SAMPLES =
            new SnapshotFormat.Builder<MetricFamilySamples, MetricFamilySamples.Sample>() {
                @Override
                public MetricFamilySamples.Sample sample(String name, List<String> labelNames,
                        List<String> labelValues, double value) {
                    return new MetricFamilySamples.Sample(name, labelNames, labelValues, value);
                }

                @Override
                public MetricFamilySamples family(String name, String exposition, String help,
                        List<MetricFamilySamples.Sample> samples) {
                    return new MetricFamilySamples(name, type(exposition), help, samples);
                }
            };

    private final PrimaryApi api;
    private volatile boolean failureReported;
    private volatile boolean skipReported;

    public ApiMetricsCollector(PrimaryApi api) {
        this.api = api;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        try {
            return api.isLinked() ? fromSnapshots(ExportBridge.collect()) : fromEncoded(api.collectEncoded());
        } catch (Throwable failed) {
            return failedToCollect(failed);
        }
    }

    /**
     * The samples {@code sampleNameFilter} accepts, of the families that can have them: the others are not
     * collected at all, so that a scrape of one small family does not hold a large one in the heap.
     */
    @Override
    public List<MetricFamilySamples> collect(Predicate<String> sampleNameFilter) {
        if (sampleNameFilter == null) {
            return collect();
        }
        List<MetricFamilySamples> families;
        try {
            java.util.function.Predicate<String> familyFilter = name -> ScrapeRegistry.familyMayHave(name, sampleNameFilter);
            families = api.isLinked() ? fromSnapshots(ExportBridge.collect(familyFilter))
                    : fromEncoded(api.collectEncoded(familyFilter));
        } catch (Throwable failed) {
            return failedToCollect(failed);
        }
        List<MetricFamilySamples> kept = new ArrayList<MetricFamilySamples>(families.size());
        for (MetricFamilySamples family : families) {
            // A family without samples (a callback that failed) stays when asked for, as on the whole page:
            // simpleclient's filter drops every family it leaves empty, and a scrape in parts lost all trace of
            // the metric (a re-tester).
            MetricFamilySamples samples = family.samples.isEmpty() ? family : family.filter(sampleNameFilter);
            if (samples != null) {
                kept.add(samples);
            }
        }
        return kept;
    }

    private List<MetricFamilySamples> failedToCollect(Throwable failed) {
        if (!failureReported) {
            failureReported = true;
            Throwable cause = failed instanceof InvocationTargetException && failed.getCause() != null
                    ? failed.getCause() : failed;
            LOG.error("cannot collect the API's metrics; /metrics shows the rest: " + ApplicationText.of(cause));
        }
        return Collections.emptyList();
    }

    /** Measured by the API without collecting; null when it cannot tell (an older primary copy) or fails. */
    @Override
    public ScrapeSize sizeOf(Predicate<String> sampleNameFilter) {
        try {
            long[] size = api.measure(sampleNameFilter == null ? name -> true : name -> ScrapeRegistry.familyMayHave(name, sampleNameFilter));
            if (size == null || size.length <= SizeFormat.BYTES) {
                return null;
            }
            long merged = size.length > SizeFormat.MERGED_SAMPLES ? size[SizeFormat.MERGED_SAMPLES] : 0;
            return new ScrapeSize(size[SizeFormat.SAMPLES], size[SizeFormat.BYTES], merged);
        } catch (Throwable failed) {
            return null;
        }
    }

    /** The snapshots of the copy this agent links to, with their label lists used as they are. */
    static List<MetricFamilySamples> fromSnapshots(List<FamilySnapshot> families) {
        List<MetricFamilySamples> result = new ArrayList<MetricFamilySamples>(families.size());
        for (FamilySnapshot family : families) {
            List<MetricFamilySamples.Sample> samples =
                    new ArrayList<MetricFamilySamples.Sample>(family.samples().size());
            for (Sample sample : family.samples()) {
                samples.add(new MetricFamilySamples.Sample(sample.name(), sample.labelNames(), sample.labelValues(),
                        sample.value()));
            }
            result.add(new MetricFamilySamples(family.name(), type(family.type().name()), family.help(), samples));
        }
        return result;
    }

    /**
     * Families in {@code SnapshotFormat}, decoded by the agent's own copy of the format: the jar
     * carries it relocated, so that it is this agent's version even when the agent's classes link
     * to an application's older copy of the API (see the {@code bridge} package).
     */
    List<MetricFamilySamples> fromEncoded(List<Object[]> families) {
        return SnapshotFormat.decode(families, SAMPLES, this::reportSkippedOnce);
    }

    private void reportSkippedOnce(String message) {
        if (!skipReported) {
            skipReported = true;
            LOG.warn(message);
        }
    }

    private static Type type(String exposition) {
        if ("COUNTER".equals(exposition)) {
            return Type.COUNTER;
        }
        if ("HISTOGRAM".equals(exposition)) {
            return Type.HISTOGRAM;
        }
        return Type.GAUGE;
    }
}
