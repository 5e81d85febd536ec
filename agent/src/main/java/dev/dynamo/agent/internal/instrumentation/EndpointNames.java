package dev.dynamo.agent.internal.instrumentation;

import net.bytebuddy.description.annotation.AnnotationDescription;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;

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

    static EndpointNames of(AnnotationDescription annotation, TypeDescription type, MethodDescription method,
            String defaultNamespace) {
        return new EndpointNames(
                orDefault(attribute(annotation, "namespace"), defaultNamespace),
                orDefault(attribute(annotation, "component"), simpleName(type)),
                orDefault(attribute(annotation, "endpoint"), method.getName()));
    }

    private static String attribute(AnnotationDescription annotation, String name) {
        return annotation.getValue(name).resolve(String.class);
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isEmpty() ? fallback : value;
    }

    /** The simple name; for anonymous and local classes the binary name's last part ({@code Outer$1}). */
    private static String simpleName(TypeDescription type) {
        String simple = type.getSimpleName();
        if (simple != null && !simple.isEmpty()) {
            return simple;
        }
        String name = type.getName();
        return name.substring(name.lastIndexOf('.') + 1);
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
