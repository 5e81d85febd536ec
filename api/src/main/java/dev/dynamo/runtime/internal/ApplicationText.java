package dev.dynamo.runtime.internal;

/**
 * What an object of the application's (an exception, a callback's label values) says of itself, for a log line
 * or a response, whatever its {@code toString()} does. An application's class may override it to throw (a
 * re-tester's exception threw {@code UnsupportedOperationException}): concatenated into a warning, it killed a
 * metric callback's thread at every scrape, which reached the application's uncaught-exception handler, and turned
 * a failed health check into a {@code 500}; a labelled callback's key of such a list class failed the whole
 * callback, its good entries too. Public for the agent, which reports the failures of the health checks the
 * application registers.
 */
public final class ApplicationText {
    private ApplicationText() {
    }

    /** {@code String.valueOf(value)}, or its class's name and what its {@code toString()} threw instead. */
    public static String of(Object value) {
        try {
            return String.valueOf(value);
        } catch (Throwable unprintable) {
            // Also a StackOverflowError of a toString() that recurses, or one this frame met: nothing here allocates
            // much, and the class names are there without a call into the application's code.
            return value.getClass().getName() + " (its toString() threw " + unprintable.getClass().getName() + ")";
        }
    }
}
