package dev.dynamo.it.styles;

/** Calls Kotlin functions the way Java code does: through the wrappers Kotlin generates for Java. */
public final class JavaCallers {
    private JavaCallers() {
    }

    /** Three calls of {@code overloads} (one per overload) and two of {@code jvmStatic}. */
    public static void callWrappers(CoroutineHandlers handlers) {
        check(handlers.overloads(2) == 7);
        check(handlers.overloads(2, 3) == 9);
        check(handlers.overloads(2, 3, 4) == 10);
        check(CoroutineHandlers.jvmStatic(1) == 2);
        check(CoroutineHandlers.Companion.jvmStatic(2) == 3);
    }

    private static void check(boolean condition) {
        if (!condition) {
            throw new AssertionError("a Kotlin function returned a wrong value under the agent");
        }
    }
}
