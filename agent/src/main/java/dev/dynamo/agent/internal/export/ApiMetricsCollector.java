package dev.dynamo.agent.internal.export;

import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.runtime.internal.ExportBridge;
import dev.dynamo.runtime.internal.FamilySnapshot;
import dev.dynamo.runtime.internal.Sample;
import io.prometheus.client.Collector;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Exposes the metrics created through the API (and the agent's endpoint metrics, which are created
 * the same way) to the agent's simpleclient registry.
 */
public final class ApiMetricsCollector extends Collector {
    private static final AgentLog LOG = AgentLog.get(ApiMetricsCollector.class);

    private final PrimaryApi api;
    private volatile boolean failureReported;

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

    private static List<MetricFamilySamples> fromEncoded(List<Object[]> families) {
        List<MetricFamilySamples> result = new ArrayList<MetricFamilySamples>(families.size());
        for (Object[] family : families) {
            result.add(decode(family));
        }
        return result;
    }

    /**
     * One family as {@code ExportBridge.encode} writes it: name, exposition type, help, samples.
     * Decoded here rather than by {@code ExportBridge.decode}: on this path the agent links to the
     * application's own copy of the API, which may be older than the agent's embedded copy that
     * encoded the families; this decoder always ships with the encoder it reads.
     */
    static MetricFamilySamples decode(Object[] family) {
        Object[] encodedSamples = (Object[]) family[3];
        List<MetricFamilySamples.Sample> samples = new ArrayList<MetricFamilySamples.Sample>(encodedSamples.length);
        for (Object element : encodedSamples) {
            Object[] sample = (Object[]) element;
            samples.add(new MetricFamilySamples.Sample((String) sample[0], Arrays.asList((String[]) sample[1]),
                    Arrays.asList((String[]) sample[2]), (Double) sample[3]));
        }
        return new MetricFamilySamples((String) family[0], type((String) family[1]), (String) family[2], samples);
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
