package dev.dynamo.agent.internal.instrumentation;

import com.example.endpoints.SuspendHandlers;

/** Calls Kotlin functions as Java does: through the overloads and static bridges Kotlin generates for Java. */
final class KotlinWrapperCalls {
    private KotlinWrapperCalls() {
    }

    static void callEachOnce(SuspendHandlers handlers) {
        handlers.overloads(1);
        handlers.overloads(1, 2);
        SuspendHandlers.jvmStatic(1);
        SuspendHandlers.Companion.jvmStatic(1);
    }
}
