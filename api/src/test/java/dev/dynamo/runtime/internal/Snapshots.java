package dev.dynamo.runtime.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Reads what the process-wide store exposes. The store is shared by every test in the JVM, so
 * tests name their metrics and namespaces with {@link #unique(String)} and look only at those.
 */
public final class Snapshots {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private Snapshots() {
    }

    /** {@code base} plus a suffix no other call in this JVM returns. */
    public static String unique(String base) {
        return base + "_u" + SEQUENCE.incrementAndGet();
    }

    /** The family {@code name} in a fresh snapshot of the global store, or null. */
    public static FamilySnapshot findFamily(String name) {
        return findFamily(MetricStore.global().snapshot(), name);
    }

    public static FamilySnapshot findFamily(List<FamilySnapshot> families, String name) {
        FamilySnapshot found = null;
        for (FamilySnapshot family : families) {
            if (family.name().equals(name)) {
                if (found != null) {
                    fail("family " + name + " appears twice");
                }
                found = family;
            }
        }
        return found;
    }

    /** The family {@code name} in a fresh snapshot of the global store; fails when there is none. */
    public static FamilySnapshot family(String name) {
        FamilySnapshot family = findFamily(name);
        if (family == null) {
            fail("no family " + name + " in the store");
        }
        return family;
    }

    /** The samples of {@code family} named {@code sampleName}. */
    public static List<Sample> samples(FamilySnapshot family, String sampleName) {
        List<Sample> result = new ArrayList<Sample>();
        for (Sample sample : family.samples()) {
            if (sample.name().equals(sampleName)) {
                result.add(sample);
            }
        }
        return result;
    }

    /** The one sample of {@code family} named {@code sampleName} with exactly {@code labels}. */
    public static Sample sample(FamilySnapshot family, String sampleName, Map<String, String> labels) {
        Sample found = null;
        for (Sample sample : samples(family, sampleName)) {
            if (labels(sample).equals(labels)) {
                if (found != null) {
                    fail("series " + sampleName + labels + " appears twice in " + family.samples());
                }
                found = sample;
            }
        }
        if (found == null) {
            fail("no series " + sampleName + labels + " in " + family.samples());
        }
        return found;
    }

    /** The value of the one sample named {@code sampleName} with {@code labels} in the global store. */
    public static double value(String familyName, String sampleName, Map<String, String> labels) {
        return sample(family(familyName), sampleName, labels).value();
    }

    /** The labels of {@code sample}, in order. */
    public static Map<String, String> labels(Sample sample) {
        assertEquals(sample.labelNames().size(), sample.labelValues().size(), "names and values of " + sample);
        Map<String, String> labels = new LinkedHashMap<String, String>();
        for (int i = 0; i < sample.labelNames().size(); i++) {
            labels.put(sample.labelNames().get(i), sample.labelValues().get(i));
        }
        return labels;
    }

    /** A map of alternating keys and values, in that order. */
    public static Map<String, String> map(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<String, String>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
