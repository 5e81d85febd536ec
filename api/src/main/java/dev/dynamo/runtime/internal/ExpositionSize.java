package dev.dynamo.runtime.internal;

import java.util.List;

/**
 * How large a collection will be, found without collecting: its samples, and the bytes of their
 * lines in the text format. The agent weighs a scrape with it against the heap the application can
 * spare before it collects anything (a page of 100,000 series took more heap than a JVM started
 * with {@code -Xmx40m} had free, and ended it under {@code -XX:+ExitOnOutOfMemoryError}).
 * Upper bounds: every value is counted at its longest.
 */
final class ExpositionSize {
    /**
     * The bytes of a sample's value at most ({@code -1.7976931348623157E308}), with the space before it
     * and the line's end.
     */
    static final int VALUE_BYTES = 25;
    /** The bytes of a family's {@code # HELP} and {@code # TYPE} lines besides its name (twice) and help. */
    static final int HEADER_BYTES = 30;

    long samples;
    long bytes;

    /**
     * The bytes of a sample's line besides its label values, at most: the sample name, each label's name
     * with {@code =""} and a comma, the braces, and the value. Names are ASCII: a character is a byte.
     */
    static int lineBytes(String sampleName, List<String> labelNames) {
        int bytes = sampleName.length() + 2 + VALUE_BYTES;
        for (String label : labelNames) {
            bytes += label.length() + 4;
        }
        return bytes;
    }

    /** The bytes of a family's {@code # HELP} and {@code # TYPE} lines. */
    static long headerBytes(String familyName, String help) {
        return 2L * familyName.length() + LabelValues.exposedBytes(help) + HEADER_BYTES;
    }

    /** Adds {@code count} samples of {@code bytesEach} bytes each. */
    void add(long count, long bytesEach) {
        samples += count;
        bytes += count * bytesEach;
    }

    void addBytes(long more) {
        bytes += more;
    }

    /** Adds {@code times} collections of the size of {@code one}. */
    void addTimes(ExpositionSize one, long times) {
        samples += times * one.samples;
        bytes += times * one.bytes;
    }
}
