package dev.dynamo.it.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A parsed page in the Prometheus text format 0.0.4: samples with their labels, and each family's
 * {@code # TYPE} and {@code # HELP}. Rejects lines it cannot read, so a malformed page fails loudly.
 */
public final class Exposition {
    private final String text;
    private final List<Sample> samples;
    private final Map<String, String> types;
    private final Map<String, String> helps;

    private Exposition(String text, List<Sample> samples, Map<String, String> types, Map<String, String> helps) {
        this.text = text;
        this.samples = samples;
        this.types = types;
        this.helps = helps;
    }

    /** One sample line: name, labels in the order written, value. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    public static Exposition parse(String text) {
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new HashMap<>();
        Map<String, String> helps = new HashMap<>();
        int lineNumber = 0;
        for (String line : text.split("\n", -1)) {
            lineNumber++;
            if (line.isEmpty()) {
                continue;
            }
            try {
                if (line.startsWith("# TYPE ")) {
                    String[] parts = line.substring(7).split(" ", 2);
                    if (types.put(parts[0], parts[1]) != null) {
                        throw new IllegalArgumentException("second # TYPE for " + parts[0]);
                    }
                } else if (line.startsWith("# HELP ")) {
                    String[] parts = line.substring(7).split(" ", 2);
                    helps.put(parts[0], parts.length > 1 ? unescapeHelp(parts[1]) : "");
                } else if (!line.startsWith("#")) {
                    samples.add(parseSample(line));
                }
            } catch (RuntimeException unreadable) {
                throw new IllegalArgumentException("line " + lineNumber + " is not valid exposition text: " + line,
                        unreadable);
            }
        }
        return new Exposition(text, Collections.unmodifiableList(samples), types, helps);
    }

    private static Sample parseSample(String line) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        Map<String, String> labels = new LinkedHashMap<>();
        String name;
        String rest;
        if (brace >= 0 && (space < 0 || brace < space)) {
            name = line.substring(0, brace);
            int i = brace + 1;
            while (line.charAt(i) != '}') {
                int equals = line.indexOf('=', i);
                String label = line.substring(i, equals);
                if (line.charAt(equals + 1) != '"') {
                    throw new IllegalArgumentException("label value not quoted");
                }
                StringBuilder value = new StringBuilder();
                int j = equals + 2;
                for (char c; (c = line.charAt(j)) != '"'; j++) {
                    if (c == '\\') {
                        char escaped = line.charAt(++j);
                        value.append(escaped == 'n' ? '\n' : escaped);
                    } else {
                        value.append(c);
                    }
                }
                if (labels.put(label, value.toString()) != null) {
                    throw new IllegalArgumentException("label " + label + " twice");
                }
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            rest = line.substring(i + 1);
        } else {
            name = line.substring(0, space);
            rest = line.substring(space);
        }
        if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
            throw new IllegalArgumentException("invalid metric name " + name);
        }
        String[] valueAndTimestamp = rest.trim().split(" ");
        boolean timestampOk = valueAndTimestamp.length == 1
                || valueAndTimestamp.length == 2 && valueAndTimestamp[1].matches("-?\\d+");
        if (!timestampOk) {
            throw new IllegalArgumentException("expected a value and at most a timestamp after the labels");
        }
        return new Sample(name, Collections.unmodifiableMap(labels), parseValue(valueAndTimestamp[0]));
    }

    private static double parseValue(String value) {
        switch (value) {
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                return Double.parseDouble(value);
        }
    }

    private static String unescapeHelp(String help) {
        return help.replace("\\n", "\n").replace("\\\\", "\\");
    }

    /** The page as scraped. */
    public String text() {
        return text;
    }

    public List<Sample> samples() {
        return samples;
    }

    /** The samples named {@code name}, any labels. */
    public List<Sample> samples(String name) {
        return samples.stream().filter(sample -> sample.name().equals(name)).collect(Collectors.toList());
    }

    /** Every distinct sample name. */
    public Set<String> sampleNames() {
        return samples.stream().map(Sample::name).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** The sample with exactly these labels, or null. */
    public Sample find(String name, Map<String, String> labels) {
        for (Sample sample : samples) {
            if (sample.name().equals(name) && sample.labels().equals(labels)) {
                return sample;
            }
        }
        return null;
    }

    /** Whether there is a sample with exactly these labels. */
    public boolean has(String name, Map<String, String> labels) {
        return find(name, labels) != null;
    }

    /** The value of the sample with exactly these labels; fails, listing the samples of that name, if none. */
    public double value(String name, Map<String, String> labels) {
        Sample sample = find(name, labels);
        if (sample == null) {
            throw new AssertionError("no sample " + name + labels + " on the page; samples named " + name + ": "
                    + samples(name));
        }
        return sample.value();
    }

    /**
     * The non-zero samples {@code name} whose labels are {@code others} plus {@code label}, by that
     * label's value: e.g. an endpoint's errors by {@code error_type}.
     */
    public Map<String, Integer> countsBy(String name, String label, Map<String, String> others) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Sample sample : samples(name)) {
            Map<String, String> labels = new LinkedHashMap<>(sample.labels());
            String value = labels.remove(label);
            if (value != null && labels.equals(others) && sample.value() > 0) {
                counts.put(value, (int) sample.value());
            }
        }
        return counts;
    }

    /** The value of the sample with exactly these labels, or {@code absent} when there is none. */
    public double valueOr(String name, Map<String, String> labels, double absent) {
        Sample sample = find(name, labels);
        return sample == null ? absent : sample.value();
    }

    /** The {@code le} values of the buckets of one histogram series, in page order. */
    public List<String> bucketEdges(String histogram, Map<String, String> labels) {
        List<String> edges = new ArrayList<>();
        for (Sample bucket : samples(histogram + "_bucket")) {
            Map<String, String> withoutLe = new LinkedHashMap<>(bucket.labels());
            String le = withoutLe.remove("le");
            if (le != null && withoutLe.equals(labels)) {
                edges.add(le);
            }
        }
        return edges;
    }

    /** The {@code # TYPE} of a family, or null. */
    public String type(String family) {
        return types.get(family);
    }

    /** The {@code # HELP} of a family, or null. */
    public String help(String family) {
        return helps.get(family);
    }

    /** The lines of the page whose sample or family name starts with {@code prefix}, for failure messages. */
    public String linesStartingWith(String prefix) {
        return text.lines().filter(line -> line.startsWith(prefix) || line.startsWith("# TYPE " + prefix)
                || line.startsWith("# HELP " + prefix)).collect(Collectors.joining("\n"));
    }
}
