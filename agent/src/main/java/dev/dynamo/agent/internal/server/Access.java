package dev.dynamo.agent.internal.server;

/**
 * What {@link ServerSecurity} decided for one request: serve it, answer 401 with a challenge, or
 * first run a check too slow for the selector thread (bcrypt), which the server runs on its
 * credential-check thread with {@link #verify()} while the request waits.
 */
public final class Access {
    /** Serve the request. */
    public static final Access ALLOW = new Access(null, null);

    private final String challenge;
    private final SlowCheck slowCheck;

    /** A check too slow for the selector thread; it calls {@link CheckPace#proceed()} as it goes. */
    public interface SlowCheck {
        /** True to serve the request. */
        boolean check(CheckPace pace);
    }

    private Access(String challenge, SlowCheck slowCheck) {
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
    public static Access afterCheck(SlowCheck slowCheck, String wwwAuthenticate) {
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
        return verify(CheckPace.UNPACED);
    }

    /**
     * {@link #verify()}, the slow check paced by {@code pace}.
     *
     * @throws CheckPace.Stopped when {@code pace} stopped the check
     */
    public boolean verify(CheckPace pace) {
        return slowCheck != null ? slowCheck.check(pace) : challenge == null;
    }
}
