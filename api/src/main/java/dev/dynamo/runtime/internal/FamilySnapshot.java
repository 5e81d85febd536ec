package dev.dynamo.runtime.internal;

import java.util.List;

/** The samples of one metric family at one moment, ready to be written in an exposition format. */
public final class FamilySnapshot {
    private final String name;
    private final MetricType.Exposition type;
    private final String help;
    private final List<Sample> samples;

    public FamilySnapshot(String name, MetricType.Exposition type, String help, List<Sample> samples) {
        this.name = name;
        this.type = type;
        this.help = help;
        this.samples = samples;
    }

    /** The family name; for counters without the {@code _total} suffix that the samples carry. */
    public String name() {
        return name;
    }

    public MetricType.Exposition type() {
        return type;
    }

    public String help() {
        return help;
    }

    public List<Sample> samples() {
        return samples;
    }
}
