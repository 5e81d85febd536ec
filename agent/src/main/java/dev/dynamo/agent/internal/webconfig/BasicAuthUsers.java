package dev.dynamo.agent.internal.webconfig;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks {@code Authorization: Basic} credentials against {@code basic_auth_users}.
 *
 * <p>bcrypt is slow on purpose (cost 10 is some 50-100 ms), so a scraper that sends the same
 * credentials every second would keep a core busy. A check that succeeded is remembered under
 * a SHA-256 digest of user, stored hash and password; only that exact triple is let through
 * without bcrypt, so the memory never helps a wrong password, and a changed hash invalidates it.
 * Failures are not remembered: each wrong guess pays the full bcrypt price. An unknown user is
 * checked against a decoy hash of the same cost, so the answer time does not reveal which users
 * exist.
 *
 * <p>The server asks on its one selector thread, so bcrypt may take at most
 * {@link #BCRYPT_MILLIS_PER_SECOND} of each second (one run always goes ahead): beyond that,
 * credentials not yet remembered are refused without a check until the next second. A flood of guesses then costs the server a
 * bounded share of a core, however slow the machine; a scraper that succeeded before is still let
 * in from memory.
 */
final class BasicAuthUsers {
    /** Distinct successful credentials remembered; beyond this the memory starts over. */
    static final int REMEMBERED_LIMIT = 256;
    static final int BCRYPT_MILLIS_PER_SECOND = 250;
    private static final long SECOND_NANOS = 1_000_000_000L;

    private final Map<String, String> hashes;
    private final Map<String, Boolean> verified = new ConcurrentHashMap<String, Boolean>();
    /** One bcrypt at a time: a flood of guesses queues instead of taking every core. */
    private final Object bcryptLock = new Object();
    private final String decoyHash;
    private final WebSecurity.Clock clock;
    private volatile int bcryptRuns;
    /** Guarded by {@link #bcryptLock}. */
    private long budgetSecondStart;
    /** Guarded by {@link #bcryptLock}. */
    private long budgetUsedNanos;

    BasicAuthUsers(Map<String, String> hashes, WebSecurity.Clock clock) {
        this.clock = clock;
        this.budgetSecondStart = clock.nanoTime();
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

    /** Whether {@code authorization} (the header's value, or null) names a configured user and its password. */
    boolean accepts(String authorization) {
        if (authorization == null || authorization.length() < 6
                || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(authorization.substring(6).trim());
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
        int colon = -1;
        for (int i = 0; i < decoded.length; i++) {
            if (decoded[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon < 0) {
            return false;
        }
        String user = new String(decoded, 0, colon, StandardCharsets.UTF_8);
        byte[] password = Arrays.copyOfRange(decoded, colon + 1, decoded.length);
        Arrays.fill(decoded, (byte) 0);
        try {
            String hash = hashes.get(user);
            if (hash == null) {
                bcrypt(password, decoyHash);
                return false;
            }
            String key = rememberKey(user, hash, password);
            if (verified.containsKey(key)) {
                return true;
            }
            if (!bcrypt(password, hash)) {
                return false;
            }
            if (verified.size() >= REMEMBERED_LIMIT) {
                verified.clear();
            }
            verified.put(key, Boolean.TRUE);
            return true;
        } finally {
            Arrays.fill(password, (byte) 0);
        }
    }

    /** How many bcrypt computations ran (tests). */
    int bcryptRuns() {
        return bcryptRuns;
    }

    private boolean bcrypt(byte[] password, String hash) {
        synchronized (bcryptLock) {
            long start = clock.nanoTime();
            if (start - budgetSecondStart >= SECOND_NANOS) {
                budgetSecondStart = start;
                budgetUsedNanos = 0;
            }
            if (budgetUsedNanos >= BCRYPT_MILLIS_PER_SECOND * 1_000_000L) {
                return false;
            }
            bcryptRuns++;
            try {
                return Bcrypt.verify(password, hash);
            } finally {
                budgetUsedNanos += clock.nanoTime() - start;
            }
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
