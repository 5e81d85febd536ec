package dev.dynamo.runtime.internal;

import java.util.List;

/**
 * Writes families in the Prometheus text format 0.0.4, byte for byte as the agent's page does
 * (simpleclient's {@code TextFormat.write004}): {@code # HELP} and {@code # TYPE} with the
 * {@code _total} name for counters, a comma after every label, {@code +Inf}/{@code -Inf}/{@code NaN}
 * and Java's shortest decimal form for values. The agent's tests compare the two.
 */
final class TextExposition {

    private TextExposition() {
    }

    public static String write(List<FamilySnapshot> families) {
        StringBuilder out = new StringBuilder(256 * Math.max(1, families.size()));
        for (FamilySnapshot family : families) {
            write(family, out);
        }
        return out.toString();
    }

    private static void write(FamilySnapshot family, StringBuilder out) {
        String name = family.type() == MetricType.Exposition.COUNTER ? family.name() + "_total" : family.name();
        out.append("# HELP ").append(name).append(' ');
        appendEscaped(family.help(), false, out);
        out.append('\n');
        out.append("# TYPE ").append(name).append(' ').append(family.type().typeName()).append('\n');
        for (Sample sample : family.samples()) {
            out.append(sample.name());
            List<String> labelNames = sample.labelNames();
            if (!labelNames.isEmpty()) {
                out.append('{');
                List<String> labelValues = sample.labelValues();
                for (int i = 0; i < labelNames.size(); i++) {
                    out.append(labelNames.get(i)).append("=\"");
                    appendEscaped(labelValues.get(i), true, out);
                    out.append("\",");
                }
                out.append('}');
            }
            out.append(' ').append(value(sample.value())).append('\n');
        }
    }

    static String value(double value) {
        if (value == Double.POSITIVE_INFINITY) {
            return "+Inf";
        }
        if (value == Double.NEGATIVE_INFINITY) {
            return "-Inf";
        }
        return Double.toString(value);
    }

    /** Help escapes backslash and newline; label values also the double quote. */
    private static void appendEscaped(String text, boolean labelValue, StringBuilder out) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                out.append("\\\\");
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '"' && labelValue) {
                out.append("\\\"");
            } else {
                out.append(c);
            }
        }
    }
}
