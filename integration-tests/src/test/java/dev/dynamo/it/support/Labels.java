package dev.dynamo.it.support;

import java.util.LinkedHashMap;
import java.util.Map;

/** Label sets for {@link Exposition} lookups. */
public final class Labels {

    private Labels() {
    }

    /** {@code of("k1", "v1", "k2", "v2")}. */
    public static Map<String, String> of(String... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values must come in pairs");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            labels.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return labels;
    }

    /** The three automatic labels of an endpoint, then {@code more} key/value pairs. */
    public static Map<String, String> endpoint(String namespace, String component, String endpoint, String... more) {
        Map<String, String> labels = of("dynamo_namespace", namespace, "dynamo_component", component,
                "dynamo_endpoint", endpoint);
        labels.putAll(of(more));
        return labels;
    }

    /** {@code labels} followed by {@code more} key/value pairs. */
    public static Map<String, String> with(Map<String, String> labels, String... more) {
        Map<String, String> combined = new LinkedHashMap<>(labels);
        combined.putAll(of(more));
        return combined;
    }
}
