package dev.dynamo.agent.internal.server;

import java.util.function.BooleanSupplier;

/**
 * What {@link ServerSecurity} decided for one request: serve it, answer 401 with a challenge, or
 * first run a check too slow for the selector thread (bcrypt), which the server runs on its
 * credential-check thread with {@link #verify()} while the request waits.
 */
public final class Access {
    /** Serve the request. */
    public static final Access ALLOW = new Access(null, null);

    private final String challenge;
    private final BooleanSupplier slowCheck;

    private Access(String challenge, BooleanSupplier slowCheck) {
        this.challenge = challenge;
        this.slowCheck = slowCheck;
    }

    /** Answer 401 with this {@code WWW-Authenticate} value. */
    public static Access challenge(String wwwAuthenticate) {
        if (wwwAuthenticate == null) {
            throw new IllegalArgumentException("a refusal needs its WWW-Authenticate value");
        }
        return new Access(wwwAuthenticate, null);
    }

    /** Serve the request if {@code slowCheck} returns true, otherwise answer 401 with {@code wwwAuthenticate}. */
    public static Access afterCheck(BooleanSupplier slowCheck, String wwwAuthenticate) {
        if (slowCheck == null || wwwAuthenticate == null) {
            throw new IllegalArgumentException("a pending decision needs its check and its WWW-Authenticate value");
        }
        return new Access(wwwAuthenticate, slowCheck);
    }

    /** Whether a slow check decides; {@link #verify()} runs it. */
    public boolean pending() {
        return slowCheck != null;
    }

    /** Whether the request may be served without any check. */
    public boolean allowed() {
        return challenge == null;
    }

    /** The {@code WWW-Authenticate} value of the 401 answer; null for {@link #ALLOW}. */
    public String challenge() {
        return challenge;
    }

    /** The final decision, true to serve; runs the slow check of a pending decision, so never call it on the selector thread. */
    public boolean verify() {
        return slowCheck != null ? slowCheck.getAsBoolean() : challenge == null;
    }
}
