package dev.dynamo.runtime.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every metric created through one copy of the API, grouped into families by exposed name.
 * Creation is rare and takes a lock, so that conflicts are found at creation and a failed creation
 * leaves nothing behind; collection reads a published array and takes no lock.
 */
public final class MetricStore {
    private static final MetricStore GLOBAL = new MetricStore();

    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private final Map<String, MetricFamily> families = new LinkedHashMap<String, MetricFamily>();
    /** Every sample name a family exposes, to its family's name. Guarded by {@link #lock}. */
    private final Map<String, String> sampleNameOwners = new HashMap<String, String>();
    private volatile MetricFamily[] published = new MetricFamily[0];

    /** The store behind {@code DistributedRuntime.get()}. */
    public static MetricStore global() {
        return GLOBAL;
    }

    /**
     * Returns the metric registered under {@code definition}'s family and fixed label values, or
     * registers {@code created} there.
     *
     * @throws IllegalArgumentException when the definition conflicts with an earlier one
     */
    Collectable register(MetricDefinition definition, Collectable created) {
        synchronized (lock) {
            MetricFamily family = families.get(definition.familyName());
            if (family == null) {
                List<String> exposed = exposedSampleNames(definition);
                for (String sampleName : exposed) {
                    String owner = sampleNameOwners.get(sampleName);
                    if (owner != null) {
                        throw new IllegalArgumentException("Metric '" + definition.familyName() + "' would expose '"
                                + sampleName + "', which metric '" + owner + "' already exposes; choose another name");
                    }
                }
                family = new MetricFamily(definition);
                families.put(family.name, family);
                for (String sampleName : exposed) {
                    sampleNameOwners.put(sampleName, family.name);
                }
                published = families.values().toArray(new MetricFamily[0]);
            } else {
                family.checkCompatible(definition);
            }
            return family.registerOrGet(definition, created);
        }
    }

    /** The current samples of every family, in creation order. */
    public List<FamilySnapshot> snapshot() {
        MetricFamily[] current = published;
        List<FamilySnapshot> result = new ArrayList<FamilySnapshot>(current.length);
        for (MetricFamily family : current) {
            result.add(family.snapshot());
        }
        return result;
    }

    private static List<String> exposedSampleNames(MetricDefinition definition) {
        String name = definition.familyName();
        switch (definition.type().exposition()) {
            case COUNTER:
                return Arrays.asList(name, name + "_total");
            case HISTOGRAM:
                return Arrays.asList(name, name + "_bucket", name + "_count", name + "_sum");
            default:
                return Collections.singletonList(name);
        }
    }

    /** All registrations of one exposed name: they share type, help and label names. */
    private static final class MetricFamily {
        final String name;
        final MetricType type;
        final String help;
        final List<String> labelNames;
        final SampleNames sampleNames;
        /** Guarded by the store's lock. */
        final Map<List<String>, Registration> byFixedValues = new LinkedHashMap<List<String>, Registration>();
        volatile Registration[] registrations = new Registration[0];

        MetricFamily(MetricDefinition definition) {
            this.name = definition.familyName();
            this.type = definition.type();
            this.help = definition.help();
            this.labelNames = definition.labelNames();
            this.sampleNames = new SampleNames(name, labelNames);
        }

        void checkCompatible(MetricDefinition definition) {
            if (type != definition.type()) {
                throw new IllegalArgumentException("Metric '" + name + "' is already registered as " + type.apiName()
                        + "; cannot create it as " + definition.type().apiName()
                        + ". Use another name, or create it with the same type everywhere");
            }
            if (!help.equals(definition.help())) {
                throw new IllegalArgumentException("Metric '" + name + "' is already registered with help '" + help
                        + "'; cannot create it with help '" + definition.help()
                        + "'. Use the same help text everywhere the metric is created");
            }
            if (!labelNames.equals(definition.labelNames())) {
                throw new IllegalArgumentException("Metric '" + name + "' is already registered with label names "
                        + labelNames + "; cannot create it with " + definition.labelNames()
                        + ". Every series of a metric needs the same label names (automatic, constant and variable)");
            }
        }

        Collectable registerOrGet(MetricDefinition definition, Collectable created) {
            Registration existing = byFixedValues.get(definition.fixedLabelValues());
            if (existing != null) {
                if (!Arrays.equals(existing.buckets, definition.buckets())) {
                    throw new IllegalArgumentException("Metric '" + name + "' with labels "
                            + describe(definition.fixedLabelValues()) + " already exists with buckets "
                            + Arrays.toString(existing.buckets) + "; cannot create it again with buckets "
                            + Arrays.toString(definition.buckets()) + ". Use the same buckets, or another name");
                }
                return existing.metric;
            }
            Registration registration = new Registration(definition.fixedLabelValues(), definition.buckets(), created);
            byFixedValues.put(registration.fixedValues, registration);
            registrations = byFixedValues.values().toArray(new Registration[0]);
            return created;
        }

        private String describe(List<String> fixedValues) {
            StringBuilder out = new StringBuilder("{");
            for (int i = 0; i < fixedValues.size(); i++) {
                out.append(i == 0 ? "" : ", ").append(labelNames.get(i)).append("=\"").append(fixedValues.get(i))
                        .append('"');
            }
            return out.append('}').toString();
        }

        FamilySnapshot snapshot() {
            List<Sample> samples = new ArrayList<Sample>();
            for (Registration registration : registrations) {
                registration.metric.collect(sampleNames, registration.fixedValues, samples);
            }
            return new FamilySnapshot(name, type.exposition(), help, samples);
        }
    }

    private static final class Registration {
        final List<String> fixedValues;
        final double[] buckets;
        final Collectable metric;

        Registration(List<String> fixedValues, double[] buckets, Collectable metric) {
            this.fixedValues = fixedValues;
            this.buckets = buckets;
            this.metric = metric;
        }
    }
}
