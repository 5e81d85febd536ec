package dev.dynamo.runtime.internal.bridge;

/**
 * How the size of the next collection crosses to the agent ({@link ReflectiveCall#MEASURE}), which
 * weighs a scrape against the heap before it collects anything: one {@code long[]}.
 *
 * <pre>
 * {samples, bytes of their lines in the text format, samples merged with foreign copies}
 * </pre>
 *
 * A newer copy may add entries after these, and a reader reads the ones it knows; an entry keeps its
 * index and meaning for good.
 */
public final class SizeFormat {
    /** The samples the collection will give. */
    public static final int SAMPLES = 0;
    /** The bytes of their lines in the text format, at most: every value at its longest. */
    public static final int BYTES = 1;
    /**
     * Of {@link #SAMPLES}, those read while foreign copies are connected, which the primary merges by
     * series (each costs a key of its labels): all of them then, none otherwise.
     */
    public static final int MERGED_SAMPLES = 2;
    /** The entries this version writes. */
    public static final int LENGTH = 3;

    private SizeFormat() {
    }
}
