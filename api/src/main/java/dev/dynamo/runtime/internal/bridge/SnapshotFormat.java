package dev.dynamo.runtime.internal.bridge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * How metric families cross between copies of the API and to the agent: a {@code List<Object[]>},
 * one array per family, holding JDK types only.
 *
 * <pre>
 * family: {name (String), exposition type (String: COUNTER, GAUGE, HISTOGRAM), help (String),
 *          samples (Object[] of sample), format version (Integer)}
 * sample: {full sample name (String), label names (String[]), label values (String[]), value (Double)}
 * </pre>
 *
 * The family name of a counter has no {@code _total}; its samples do. The one encoder and the one
 * decoder both sides use are here; see the package description for the versioning rules.
 */
public final class SnapshotFormat {
    /** The format this code writes, and the newest it reads. 2: the version travels at {@link #FAMILY_VERSION}. */
    public static final int VERSION = 2;
    /** The version of a family that carries none: written before the version travelled, same indices otherwise. */
    public static final int UNVERSIONED = 1;

    public static final int FAMILY_NAME = 0;
    public static final int FAMILY_TYPE = 1;
    public static final int FAMILY_HELP = 2;
    public static final int FAMILY_SAMPLES = 3;
    /** Stays at this index in every future version, so that any reader can tell what it reads. */
    public static final int FAMILY_VERSION = 4;

    public static final int SAMPLE_NAME = 0;
    public static final int SAMPLE_LABEL_NAMES = 1;
    public static final int SAMPLE_LABEL_VALUES = 2;
    public static final int SAMPLE_VALUE = 3;

    private SnapshotFormat() {
    }

    /** One family; {@code samples} are made by {@link #sample}. */
    public static Object[] family(String name, String exposition, String help, Object[] samples) {
        return new Object[] {name, exposition, help, samples, VERSION};
    }

    public static Object[] sample(String name, String[] labelNames, String[] labelValues, double value) {
        return new Object[] {name, labelNames, labelValues, value};
    }

    /** The format version of an encoded family. */
    public static int versionOf(Object[] family) {
        return family.length > FAMILY_VERSION ? (Integer) family[FAMILY_VERSION] : UNVERSIONED;
    }

    /**
     * Decodes {@code encoded} into the caller's own types. A family in a newer version than this
     * code reads is left out, and {@code skipped} gets a message that is the same for each family
     * of that version, so that a caller can report it once.
     *
     * @throws RuntimeException when a family of a known version does not follow it
     */
    public static <F, S> List<F> decode(List<Object[]> encoded, Builder<F, S> builder, Consumer<String> skipped) {
        List<F> families = new ArrayList<F>(encoded.size());
        for (Object[] family : encoded) {
            int version = versionOf(family);
            if (version > VERSION) {
                skipped.accept("metric families in snapshot format version " + version + ", newer than this"
                        + " code reads (" + VERSION + "), are left out; use a dynamo agent at least as new as the"
                        + " application's dynamo API");
                continue;
            }
            Object[] samples = (Object[]) family[FAMILY_SAMPLES];
            List<S> decoded = new ArrayList<S>(samples.length);
            for (Object element : samples) {
                Object[] sample = (Object[]) element;
                decoded.add(builder.sample((String) sample[SAMPLE_NAME],
                        Arrays.asList((String[]) sample[SAMPLE_LABEL_NAMES]),
                        Arrays.asList((String[]) sample[SAMPLE_LABEL_VALUES]), (Double) sample[SAMPLE_VALUE]));
            }
            families.add(builder.family((String) family[FAMILY_NAME], (String) family[FAMILY_TYPE],
                    (String) family[FAMILY_HELP], decoded));
        }
        return families;
    }

    /** Makes the decoder's caller's own family type {@code F} from samples of its own type {@code S}. */
    public interface Builder<F, S> {
        S sample(String name, List<String> labelNames, List<String> labelValues, double value);

        /** @param exposition COUNTER, GAUGE or HISTOGRAM */
        F family(String name, String exposition, String help, List<S> samples);
    }
}
