package dev.dynamo.it.apps;

/**
 * An agent of the application's own that runs before the dynamo agent on the command line (or in
 * {@code JAVA_TOOL_OPTIONS}, whose agents come first) and calls an annotated method in its
 * {@code premain}, so that the method's class is loaded before the dynamo agent starts. Started from
 * a jar whose manifest names only this class: the JVM finds it on the class path.
 */
public final class EarlyCallerAgent {
    private EarlyCallerAgent() {
    }

    /** Calls {@link Handlers#work} as many times as {@code args} says (1 when empty). */
    public static void premain(String args) {
        int calls = args == null || args.isEmpty() ? 1 : Integer.parseInt(args);
        for (int i = 0; i < calls; i++) {
            Handlers.work(i);
        }
    }
}
