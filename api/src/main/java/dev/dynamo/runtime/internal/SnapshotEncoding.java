package dev.dynamo.runtime.internal;

import dev.dynamo.runtime.internal.bridge.SnapshotFormat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** {@link FamilySnapshot}s to and from {@link SnapshotFormat}, the form in which they cross class loaders. */
final class SnapshotEncoding {
    private static final SnapshotFormat.Builder<FamilySnapshot, Sample> SNAPSHOTS =
            new SnapshotFormat.Builder<FamilySnapshot, Sample>() {
                @Override
                public Sample sample(String name, List<String> labelNames, List<String> labelValues, double value) {
                    return new Sample(name, labelNames, labelValues, value);
                }

                @Override
                public FamilySnapshot family(String name, String exposition, String help, List<Sample> samples) {
                    return new FamilySnapshot(name, MetricType.Exposition.valueOf(exposition), help, samples);
                }
            };

    private SnapshotEncoding() {
    }

    static List<Object[]> encode(List<FamilySnapshot> families) {
        List<Object[]> encoded = new ArrayList<Object[]>(families.size());
        for (FamilySnapshot family : families) {
            Object[] samples = new Object[family.samples().size()];
            for (int i = 0; i < samples.length; i++) {
                Sample sample = family.samples().get(i);
                samples[i] = SnapshotFormat.sample(sample.name(), sample.labelNames().toArray(new String[0]),
                        sample.labelValues().toArray(new String[0]), sample.value());
            }
            encoded.add(SnapshotFormat.family(family.name(), family.type().name(), family.help(), samples));
        }
        return encoded;
    }

    /**
     * @param skipped told of each family left out because it comes in a newer format
     * @throws IllegalArgumentException for an exposition type this copy does not know
     */
    static List<FamilySnapshot> decode(List<Object[]> encoded, Consumer<String> skipped) {
        return SnapshotFormat.decode(encoded, SNAPSHOTS, skipped);
    }
}
