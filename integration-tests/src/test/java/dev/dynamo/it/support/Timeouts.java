package dev.dynamo.it.support;

import java.time.Duration;

/** Bounds generous enough for a loaded two-core machine; a passing test never waits them out. */
public final class Timeouts {
    /** A JVM starting up, with the agent, to its first line of output. */
    public static final Duration STARTUP = Duration.ofSeconds(60);
    /** A page to show what was just recorded, or a short command to answer. */
    public static final Duration SCRAPE = Duration.ofSeconds(30);
    /** A process to exit once it has been told to. */
    public static final Duration EXIT = Duration.ofSeconds(60);

    private Timeouts() {
    }
}
