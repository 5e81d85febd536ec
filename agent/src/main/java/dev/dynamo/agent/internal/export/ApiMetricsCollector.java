package dev.dynamo.agent.internal.export;

import dev.dynamo.agent.internal.bootstrap.PrimaryApi;
import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.runtime.internal.ExportBridge;
import dev.dynamo.runtime.internal.FamilySnapshot;
import dev.dynamo.runtime.internal.Sample;
import dev.dynamo.runtime.internal.bridge.SnapshotFormat;
import io.prometheus.client.Collector;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Exposes the metrics created through the API (and the agent's endpoint metrics, which are created
 * the same way) to the agent's simpleclient registry.
 */
public final class ApiMetricsCollector extends Collector {
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
            if (!failureReported) {
                failureReported = true;
                Throwable cause = failed instanceof InvocationTargetException && failed.getCause() != null
                        ? failed.getCause() : failed;
                LOG.error("cannot collect the API's metrics; /metrics shows the rest: " + cause);
            }
            return Collections.emptyList();
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
