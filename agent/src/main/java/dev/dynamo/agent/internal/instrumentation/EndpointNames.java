package dev.dynamo.agent.internal.instrumentation;

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

    EndpointNames(String namespace, String component, String endpoint) {
        this.namespace = namespace;
        this.component = component;
        this.endpoint = endpoint;
    }

    static EndpointNames of(AnnotatedMethod method, String classSimpleName, String defaultNamespace) {
        return new EndpointNames(
                orDefault(method.namespace, defaultNamespace),
                orDefault(method.component, classSimpleName),
                orDefault(method.endpoint, method.name));
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
