package dev.dynamo.it.styles;

/** What the applications of this module check of their own calls before they print {@code done}. */
final class AppChecks {
    private AppChecks() {
    }

    /** Fails the application with {@code message} unless {@code condition} holds. */
    static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
