package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.runtime.metrics.PrometheusNames;

/**
 * The namespace, component and endpoint of an annotated method, with the defaults of
 * {@code @DynamoEndpoint} applied: namespace from {@code DYN_NAMESPACE} (else {@code dynamo}),
 * component = the declaring class's simple name, endpoint = the method's name. The API sanitizes
 * them as label values.
 */
final class EndpointNames {
    private final String namespace;
    private final String component;
    private final String endpoint;
    /** Where each name came from when the annotation did not give it, else null: for messages. */
    private final String namespaceDefault;
    private final String componentDefault;
    private final String endpointDefault;

    EndpointNames(String namespace, String component, String endpoint) {
        this(namespace, component, endpoint, null, null, null);
    }

    private EndpointNames(String namespace, String component, String endpoint, String namespaceDefault,
            String componentDefault, String endpointDefault) {
        this.namespace = namespace;
        this.component = component;
        this.endpoint = endpoint;
        this.namespaceDefault = namespaceDefault;
        this.componentDefault = componentDefault;
        this.endpointDefault = endpointDefault;
    }

    /** @param kotlin whether the class is Kotlin's, whose compiler may mangle the method's name */
    static EndpointNames of(AnnotatedMethod method, String classSimpleName, String defaultNamespace, boolean kotlin) {
        return new EndpointNames(
                orDefault(method.namespace, defaultNamespace),
                orDefault(method.component, classSimpleName),
                orDefault(method.endpoint, kotlin ? kotlinSourceName(method.name) : method.name),
                isGiven(method.namespace) ? null : "DYN_NAMESPACE, or dynamo",
                isGiven(method.component) ? null : "the class's simple name",
                isGiven(method.endpoint) ? null : "the method's name");
    }

    /**
     * The name a Kotlin function has in its source: the compiler appends {@code $module} to an
     * {@code internal} function's name and {@code -hash} to one whose signature has a value class
     * ({@code find-3FpQXfQ}), and the hash changes with the signature. The endpoint is the function's
     * name, as the annotation documents, and must not change when a parameter does.
     */
    static String kotlinSourceName(String jvmName) {
        int end = jvmName.length();
        for (int i = 1; i < jvmName.length(); i++) {
            char c = jvmName.charAt(i);
            if (c == '$' || c == '-') {
                end = i;
                break;
            }
        }
        return jvmName.substring(0, end);
    }

    private static boolean isGiven(String value) {
        return value != null && !value.isEmpty();
    }

    /**
     * Which name cannot be a label value and how to fix it, for a warning; {@code cause} (what the API
     * said) when each name on its own can.
     */
    String explainInvalid(String cause) {
        String[][] names = {
            {"namespace", namespace, namespaceDefault},
            {"component", component, componentDefault},
            {"endpoint", endpoint, endpointDefault},
        };
        for (String[] name : names) {
            try {
                PrometheusNames.sanitizeLabelName(name[1]);
            } catch (IllegalArgumentException unusable) {
                return "its " + name[0] + " '" + name[1] + "'" + (name[2] == null ? "" : " (by default " + name[2] + ")")
                        + " cannot be a label value: " + unusable.getMessage() + ". Set @DynamoEndpoint(" + name[0]
                        + " = \"...\") to a name with at least one letter or digit";
            }
        }
        return cause;
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isEmpty() ? fallback : value;
    }

    String namespace() {
        return namespace;
    }

    String component() {
        return component;
    }

    String endpoint() {
        return endpoint;
    }

    @Override
    public String toString() {
        return namespace + "/" + component + "/" + endpoint;
    }
}
