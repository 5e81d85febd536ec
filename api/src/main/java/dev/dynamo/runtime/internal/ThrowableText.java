package dev.dynamo.runtime.internal;

/**
 * What a throwable of the application's says of itself, for a log line or a response, whatever its
 * {@code toString()} does. An application's exception may override it to throw (a re-tester's threw
 * {@code UnsupportedOperationException}): concatenated into a warning, it killed a metric callback's
 * thread at every scrape, which reached the application's uncaught-exception handler, and turned a
 * failed health check into a {@code 500}. Public for the agent, which reports the failures of the
 * health checks the application registers.
 */
public final class ThrowableText {
    private ThrowableText() {
    }

    /** {@code failed.toString()}, or its class's name and what its {@code toString()} threw instead. */
    public static String of(Throwable failed) {
        try {
            return String.valueOf(failed);
        } catch (Throwable unprintable) {
            // Also a StackOverflowError of a toString() that recurses, or one this frame met: nothing here allocates
            // much, and the class names are there without a call into the application's code.
            return failed.getClass().getName() + " (its toString() threw " + unprintable.getClass().getName() + ")";
        }
    }
}
