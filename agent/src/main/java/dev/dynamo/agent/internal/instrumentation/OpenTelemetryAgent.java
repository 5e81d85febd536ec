package dev.dynamo.agent.internal.instrumentation;

import java.nio.charset.StandardCharsets;

/**
 * What the weaver knows of the OpenTelemetry Java agent, which instruments the methods annotated
 * {@code @WithSpan}: for one that returns a {@code CompletionStage}, it hands the caller a stage of
 * its own, made by {@code whenComplete} on the method's, and cancelling that one does not cancel
 * the method's.
 *
 * <p>Where both agents instrument a method, the JVM applies their rewrites in the order the agents
 * started (each {@code -javaagent} has an environment of its own, and a transformer cannot move
 * past another agent's), and the last one's code is outermost. Started first, the dynamo agent's
 * measurement watches the method's own stage: a caller that cancels the stage it got leaves that
 * one pending, the call stays in flight and no cancellation is counted. Started after, it watches
 * the caller's stage, and counts as the caller sees. The weaver tells the first case by the class
 * file it is given: without OpenTelemetry's code in it while that agent runs in the JVM.
 */
final class OpenTelemetryAgent {
    /** The current annotation, and the one of OpenTelemetry's 1.x extension that the agent still honours. */
    private static final String WITH_SPAN = "Lio/opentelemetry/instrumentation/annotations/WithSpan;";
    private static final String OLD_WITH_SPAN = "Lio/opentelemetry/extension/annotations/WithSpan;";
    /** The {@code Premain-Class} of the agent's jar: loaded by the system class loader once it started. */
    static final String PREMAIN_CLASS = "io.opentelemetry.javaagent.OpenTelemetryAgent";
    /** In every method that agent has rewritten: its code calls its classes there. */
    private static final BytePattern WOVEN_CODE =
            new BytePattern("io/opentelemetry/javaagent/".getBytes(StandardCharsets.UTF_8));

    private OpenTelemetryAgent() {
    }

    static boolean isWithSpan(String annotationDescriptor) {
        return annotationDescriptor.equals(WITH_SPAN) || annotationDescriptor.equals(OLD_WITH_SPAN);
    }

    /** Whether that agent rewrote {@code classFile} before this one was given it. */
    static boolean wove(byte[] classFile) {
        return WOVEN_CODE.occursIn(classFile);
    }

    /** Whether that agent was started in this JVM, whose system class loader is {@code systemLoader}. */
    static boolean started(ClassLoader systemLoader) {
        try {
            Class.forName(PREMAIN_CLASS, false, systemLoader);
            return true;
        } catch (ClassNotFoundException | LinkageError | SecurityException absent) {
            return false;
        }
    }

    /** The warning for {@code where}, a method measured inside that agent's code. */
    static String measuredInside(String where) {
        return "@DynamoEndpoint on " + where + " is measured inside OpenTelemetry's @WithSpan: the OpenTelemetry"
                + " agent started after this one and gives the method's callers a CompletionStage of its own, whose"
                + " cancellation does not reach the method's, so a call its caller cancels stays in flight and counts"
                + " no cancellation; the same holds for every method that returns a stage and carries both"
                + " annotations. Put"
                + " -javaagent:dynamo-agent.jar after the OpenTelemetry agent's; an agent in JAVA_TOOL_OPTIONS starts"
                + " before those on the command line";
    }
}
