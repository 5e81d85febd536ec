package dev.dynamo.agent.internal.webconfig;

/** What {@link WebSecurity#authorize} decided for one request: serve it, or answer 401 with a challenge. */
public final class AccessDecision {
    /** The realm named in {@code WWW-Authenticate}. */
    public static final String REALM = "dynamo-agent";
    static final AccessDecision ALLOW = new AccessDecision(true);
    static final AccessDecision CHALLENGE = new AccessDecision(false);

    private final boolean allowed;

    private AccessDecision(boolean allowed) {
        this.allowed = allowed;
    }

    public boolean allowed() {
        return allowed;
    }

    /** 200 when allowed (the request is then handled as usual), otherwise 401. */
    public int status() {
        return allowed ? 200 : 401;
    }

    /** The {@code WWW-Authenticate} value to send with the 401; null when allowed. */
    public String challenge() {
        return allowed ? null : "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"";
    }
}
