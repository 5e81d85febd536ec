package dev.dynamo.agent.internal.instrumentation;

import net.bytebuddy.jar.asm.Opcodes;

/** A method of the class being woven that carries {@code @DynamoEndpoint}, as its class file declares it. */
final class AnnotatedMethod {
    final int access;
    final String name;
    final String descriptor;
    /** The annotation's attributes; null when not given. */
    String namespace;
    String component;
    String endpoint;
    /** The {@code max_locals} of its code; -1 without code. */
    int maxLocals = -1;
    /**
     * The class whose method of the same name and descriptor its whole code calls through {@code super}, or
     * null (see {@code EndpointScan.superCallOwner}).
     */
    String superCallOwner;
    /** Whether it also carries OpenTelemetry's {@code @WithSpan} (see {@link OpenTelemetryAgent}). */
    boolean withSpan;

    AnnotatedMethod(int access, String name, String descriptor) {
        this.access = access;
        this.name = name;
        this.descriptor = descriptor;
    }

    boolean hasBody() {
        return (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) == 0 && !name.startsWith("<");
    }

    boolean is(String otherName, String otherDescriptor) {
        return name.equals(otherName) && descriptor.equals(otherDescriptor);
    }

    /**
     * Whether {@code other}, a method of the same name in the same class, carries the same annotation
     * attributes, and so measures the same endpoint.
     */
    boolean sameAttributes(AnnotatedMethod other) {
        return same(namespace, other.namespace) && same(component, other.component) && same(endpoint, other.endpoint);
    }

    private static boolean same(String one, String other) {
        return one == null ? other == null : one.equals(other);
    }

    /** {@code com.example.Type.method(I)I}, as warnings name it. */
    String where(String className) {
        return className + "." + name + descriptor;
    }
}
