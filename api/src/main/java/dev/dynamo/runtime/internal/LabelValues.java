package dev.dynamo.runtime.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Label values as the page can carry them. The page is UTF-8, where half of a character (an
 * unpaired surrogate, as a string cut inside an emoji leaves) can only be written as a replacement:
 * two values that differ only there would be two series of the same name and labels on the page,
 * of which Prometheus keeps one, and their counts would be lost. Such a value is one series, with
 * U+FFFD in place of each half, in the API and on the page alike.
 */
final class LabelValues {
    private static final char REPLACEMENT = '\uFFFD';

    private LabelValues() {
    }

    /** {@code values} with each value made well-formed; the same list when all are. */
    static List<String> wellFormed(List<String> values) {
        List<String> replaced = null;
        for (int i = 0; i < values.size(); i++) {
            String value = values.get(i);
            String fixed = wellFormed(value);
            if (fixed != value) {
                replaced = replaced == null ? new ArrayList<String>(values) : replaced;
                replaced.set(i, fixed);
            }
        }
        return replaced == null ? values : replaced;
    }

    /** The bytes {@code values} take on a page: UTF-8, with {@code \\}, {@code "} and the line feed escaped. */
    static long exposedBytes(List<String> values) {
        long bytes = 0;
        for (String value : values) {
            bytes += exposedBytes(value);
        }
        return bytes;
    }

    static long exposedBytes(String value) {
        long bytes = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean escaped = c == '\\' || c == '"' || c == '\n';
            // A surrogate pair is four bytes, two per half.
            bytes += escaped ? 2 : c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }

    /** {@code value} with U+FFFD for each unpaired surrogate; the same string when it has none. */
    static String wellFormed(String value) {
        StringBuilder fixed = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1));
            if (paired) {
                if (fixed != null) {
                    fixed.append(c).append(value.charAt(i + 1));
                }
                i++;
                continue;
            }
            boolean unpaired = Character.isSurrogate(c);
            if (unpaired && fixed == null) {
                fixed = new StringBuilder(value.length()).append(value, 0, i);
            }
            if (fixed != null) {
                fixed.append(unpaired ? REPLACEMENT : c);
            }
        }
        return fixed == null ? value : fixed.toString();
    }
}
