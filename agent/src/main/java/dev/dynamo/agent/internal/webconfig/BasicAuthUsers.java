package dev.dynamo.agent.internal.webconfig;

import dev.dynamo.agent.internal.server.Access;
import dev.dynamo.agent.internal.server.CheckPace;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks {@code Authorization: Basic} credentials against {@code basic_auth_users}.
 *
 * <p>bcrypt is slow on purpose (cost 10 is some 50-200 ms), so {@link #access} decides at once
 * only what needs no bcrypt: malformed credentials are refused, and credentials that passed
 * before are let in. A check that succeeded is remembered under a SHA-256 digest of user, stored
 * hash and password; only that exact triple is let through without bcrypt, so the memory never
 * helps a wrong password, and a changed hash invalidates it. Everything else is a pending decision
 * whose bcrypt the server runs on its credential-check thread, off the selector thread. Failures
 * are not remembered: each wrong guess pays the full bcrypt price there.
 *
 * <p>An unknown user is checked against a decoy hash, so the answer time does not reveal which users
 * exist. Users may have different costs: the decoy of an unknown name has the cost of one of the users,
 * picked by a keyed hash of the name ({@link #decoyFor}), so each unknown name always takes as long as
 * some existing user does, and the unknown names take the users' costs in the users' proportions. A
 * decoy of the highest cost made a cost-4 user's wrong password answer 80 times faster than an
 * unknown name (a re-tester).
 */
final class BasicAuthUsers {
    /** The realm named in {@code WWW-Authenticate}. */
    static final String REALM = "dynamo-agent";
    static final String CHALLENGE = "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"";
    /** The highest cost whose check ends within a few seconds at a quarter of a core; above it, a warning. */
    static final int HIGHEST_PROMPT_COST = 12;
    /** Distinct successful credentials remembered; beyond this the memory starts over. */
    static final int REMEMBERED_LIMIT = 256;
    private static final Access REFUSED = Access.challenge(CHALLENGE);

    private final Map<String, String> hashes;
    /** Replaced only by {@link #rememberFrom}, before this is published. */
    private Map<String, Boolean> verified = new ConcurrentHashMap<String, Boolean>();
    /** The configuration that replaced this one, once a reload did. */
    private volatile BasicAuthUsers successor;
    /** One decoy hash per user, of that user's cost, by ascending cost; one of the lowest cost when there are no users. */
    private final String[] decoyHashes;
    /**
     * The key of the hash that picks an unknown name's decoy: a digest of the stored hashes, whose salts no
     * client knows. Made from the configuration rather than at random, so that a restart keeps each name's
     * decoy: one drawn anew at each start would let a client that times a name before and after a restart
     * see an unknown name's time change, and an existing user's never.
     */
    private final byte[] decoyKey;
    private final AtomicInteger bcryptRuns = new AtomicInteger();

    BasicAuthUsers(Map<String, String> hashes) {
        this.hashes = Collections.unmodifiableMap(new LinkedHashMap<String, String>(hashes));
        List<Integer> costs = new ArrayList<Integer>();
        for (String hash : hashes.values()) {
            costs.add(Bcrypt.cost(hash));
        }
        if (costs.isEmpty()) {
            costs.add(Bcrypt.MIN_COST);
        }
        Collections.sort(costs);
        this.decoyHashes = new String[costs.size()];
        for (int i = 0; i < decoyHashes.length; i++) {
            // Only its cost matters: it never matches, and takes as long as a user's hash of that cost.
            int cost = costs.get(i);
            decoyHashes[i] = "$2b$" + (cost < 10 ? "0" : "") + cost + "$"
                    + "WFpaWlpaWlpaWlpaWlpaWlFpaWlpaWlpaWlpaWlpaWlpaWlpaWlpa";
        }
        this.decoyKey = decoyKey(this.hashes.values());
    }

    boolean isEmpty() {
        return hashes.isEmpty();
    }

    /**
     * One warning per user whose hash's cost is above {@link #HIGHEST_PROMPT_COST}: its checks, run at a quarter
     * of a core, take seconds to days, and those that do not end by the request timeout are answered 503.
     */
    List<String> costWarnings() {
        List<String> warnings = new ArrayList<String>();
        for (Map.Entry<String, String> user : hashes.entrySet()) {
            int cost = Bcrypt.cost(user.getValue());
            if (cost > HIGHEST_PROMPT_COST) {
                warnings.add("user '" + user.getKey() + "' has bcrypt cost " + cost + ": a check of it takes "
                        + (1L << (cost - 10)) + " times one of cost 10 (50-200 ms of CPU), and checks run at a quarter"
                        + " of a core and stop at the request timeout (DYN_SYSTEM_REQUEST_TIMEOUT_MS), so its logins"
                        + " may be answered 503; hash the password again with cost 10 to " + HIGHEST_PROMPT_COST);
            }
        }
        return warnings;
    }

    /**
     * Keeps what {@code before} (the configuration this one replaces) remembered: a reload with the same users,
     * a touched file or a rotated certificate, made every client pay a bcrypt again, and under a flood of wrong
     * passwords Prometheus was answered 503 until it ended (a re-tester). Safe to keep all: each entry is a digest
     * of user, stored hash and password, so one of a changed hash or a removed user never matches again.
     */
    void rememberFrom(BasicAuthUsers before) {
        // Shared, not copied: a check of the configuration before that passes after the reload is remembered too.
        verified = before.verified;
        before.successor = this;
    }

    /**
     * Whether the newest configuration still has {@code user} with {@code hash}: a check that passes after a reload
     * removed its user or changed the hash must not let the request in. A re-tester's login queued behind a flood
     * was let in 6.8 s after its user's removal had been loaded.
     */
    private boolean stillHas(String user, String hash) {
        BasicAuthUsers newest = this;
        for (BasicAuthUsers next = successor; next != null; next = next.successor) {
            newest = next;
        }
        return hash.equals(newest.hashes.get(user));
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
            return Access.afterCheck(pace -> decoy(user, password, pace), CHALLENGE);
        }
        String key = rememberKey(user, hash, password);
        if (verified.containsKey(key)) {
            Arrays.fill(password, (byte) 0);
            return Access.ALLOW;
        }
        return Access.afterCheck(pace -> verify(user, key, password, hash, pace), CHALLENGE);
    }

    /** How many bcrypt computations ran (tests). */
    int bcryptRuns() {
        return bcryptRuns.get();
    }

    private boolean verify(String user, String key, byte[] password, String hash, CheckPace pace) {
        // An earlier check of the same credentials, queued before this one, may have passed meanwhile.
        if (verified.containsKey(key)) {
            Arrays.fill(password, (byte) 0);
            return stillHas(user, hash);
        }
        if (!bcryptOnce(password, hash, pace) || !stillHas(user, hash)) {
            return false;
        }
        if (verified.size() >= REMEMBERED_LIMIT) {
            verified.clear();
        }
        verified.put(key, Boolean.TRUE);
        return true;
    }

    /** Takes as long as checking the password of the user whose cost {@code user}'s decoy has, and refuses. */
    private boolean decoy(String user, byte[] password, CheckPace pace) {
        bcryptOnce(password, decoyFor(user), pace);
        return false;
    }

    /**
     * The decoy hash of an unknown {@code user}: always the same for a name, and of the cost of one of the
     * users, picked by a hash of the name keyed with {@link #decoyKey}, so that no client can tell which.
     */
    String decoyFor(String user) {
        if (decoyHashes.length == 1) {
            return decoyHashes[0];
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(decoyKey, "HmacSHA256"));
            byte[] digest = mac.doFinal(user.getBytes(StandardCharsets.UTF_8));
            long picked = ((digest[0] & 0xffL) << 24 | (digest[1] & 0xff) << 16 | (digest[2] & 0xff) << 8
                    | digest[3] & 0xff) % decoyHashes.length;
            return decoyHashes[(int) picked];
        } catch (GeneralSecurityException everyJvmHasIt) {
            throw new IllegalStateException(everyJvmHasIt);
        }
    }

    private static byte[] decoyKey(Collection<String> hashes) {
        List<String> sorted = new ArrayList<String>(hashes);
        Collections.sort(sorted);
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update("dynamo-agent unknown-user decoy".getBytes(StandardCharsets.US_ASCII));
            for (String hash : sorted) {
                digest.update((byte) 0);
                digest.update(hash.getBytes(StandardCharsets.US_ASCII));
            }
            return digest.digest();
        } catch (NoSuchAlgorithmException everyJvmHasIt) {
            throw new IllegalStateException(everyJvmHasIt);
        }
    }

    /** bcrypt, then the password forgotten: a pending decision is verified once. */
    private boolean bcryptOnce(byte[] password, String hash, CheckPace pace) {
        bcryptRuns.incrementAndGet();
        try {
            return Bcrypt.verify(password, hash, pace);
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
