package dev.dynamo.agent.internal.webconfig;

import dev.dynamo.agent.internal.server.Access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Checks {@code Authorization: Basic} credentials against {@code basic_auth_users}.
 *
 * <p>bcrypt is slow on purpose (cost 10 is some 50-200 ms), so {@link #access} decides at once
 * only what needs no bcrypt: malformed credentials are refused, and credentials that passed
 * before are let in. A check that succeeded is remembered under a SHA-256 digest of user, stored
 * hash and password; only that exact triple is let through without bcrypt, so the memory never
 * helps a wrong password, and a changed hash invalidates it. Everything else is a pending decision
 * whose bcrypt the server runs on its credential-check thread, off the selector thread. Failures
 * are not remembered: each wrong guess pays the full bcrypt price there. An unknown user is checked
 * against a decoy hash of the same cost, so the answer time does not reveal which users exist.
 */
final class BasicAuthUsers {
    /** The realm named in {@code WWW-Authenticate}. */
    static final String REALM = "dynamo-agent";
    static final String CHALLENGE = "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"";
    /** Distinct successful credentials remembered; beyond this the memory starts over. */
    static final int REMEMBERED_LIMIT = 256;
    private static final Access REFUSED = Access.challenge(CHALLENGE);

    private final Map<String, String> hashes;
    private final Map<String, Boolean> verified = new ConcurrentHashMap<String, Boolean>();
    private final String decoyHash;
    private final AtomicInteger bcryptRuns = new AtomicInteger();

    BasicAuthUsers(Map<String, String> hashes) {
        this.hashes = Collections.unmodifiableMap(new LinkedHashMap<String, String>(hashes));
        int cost = Bcrypt.MIN_COST;
        for (String hash : hashes.values()) {
            cost = Math.max(cost, Bcrypt.cost(hash));
        }
        // Only its cost matters: unknown users are checked against it so they take as long as known ones.
        this.decoyHash = "$2b$" + (cost < 10 ? "0" : "") + cost + "$"
                + "WFpaWlpaWlpaWlpaWlpaWlFpaWlpaWlpaWlpaWlpaWlpaWlpaWlpa";
    }

    boolean isEmpty() {
        return hashes.isEmpty();
    }

    /**
     * Whether {@code authorization} (the header's value, or null) names a configured user and its
     * password: decided at once when no bcrypt is needed, otherwise {@link Access#afterCheck pending}.
     */
    Access access(String authorization) {
        if (authorization == null || authorization.length() < 6
                || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return REFUSED;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(authorization.substring(6).trim());
        } catch (IllegalArgumentException notBase64) {
            return REFUSED;
        }
        int colon = -1;
        for (int i = 0; i < decoded.length; i++) {
            if (decoded[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon < 0) {
            return REFUSED;
        }
        String user = new String(decoded, 0, colon, StandardCharsets.UTF_8);
        byte[] password = Arrays.copyOfRange(decoded, colon + 1, decoded.length);
        Arrays.fill(decoded, (byte) 0);
        String hash = hashes.get(user);
        if (hash == null) {
            return Access.afterCheck(() -> decoy(password), CHALLENGE);
        }
        String key = rememberKey(user, hash, password);
        if (verified.containsKey(key)) {
            Arrays.fill(password, (byte) 0);
            return Access.ALLOW;
        }
        return Access.afterCheck(() -> verify(key, password, hash), CHALLENGE);
    }

    /** How many bcrypt computations ran (tests). */
    int bcryptRuns() {
        return bcryptRuns.get();
    }

    private boolean verify(String key, byte[] password, String hash) {
        // An earlier check of the same credentials, queued before this one, may have passed meanwhile.
        if (verified.containsKey(key)) {
            Arrays.fill(password, (byte) 0);
            return true;
        }
        if (!bcryptOnce(password, hash)) {
            return false;
        }
        if (verified.size() >= REMEMBERED_LIMIT) {
            verified.clear();
        }
        verified.put(key, Boolean.TRUE);
        return true;
    }

    /** Takes as long as checking a known user's password, and refuses. */
    private boolean decoy(byte[] password) {
        bcryptOnce(password, decoyHash);
        return false;
    }

    /** bcrypt, then the password forgotten: a pending decision is verified once. */
    private boolean bcryptOnce(byte[] password, String hash) {
        bcryptRuns.incrementAndGet();
        try {
            return Bcrypt.verify(password, hash);
        } finally {
            Arrays.fill(password, (byte) 0);
        }
    }

    private static String rememberKey(String user, String hash, byte[] password) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(user.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(hash.getBytes(StandardCharsets.US_ASCII));
            digest.update((byte) 0);
            digest.update(password);
            return Base64.getEncoder().encodeToString(digest.digest());
        } catch (NoSuchAlgorithmException everyJvmHasIt) {
            throw new IllegalStateException(everyJvmHasIt);
        }
    }
}
