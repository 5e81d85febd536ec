package dev.dynamo.agent.internal.webconfig;

import dev.dynamo.agent.internal.server.Access;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BasicAuthUsersTest {
    /** "password" (libxcrypt). */
    private static final String PASSWORD_HASH = "$2b$10$N9qo8uLOickgx2ZMRZoMye8fOsiTWZqYtkxvXkKm8BMzjT7t/vIdq";
    /** "secret" (libxcrypt). */
    private static final String SECRET_HASH = "$2b$10$N9qo8uLOickgx2ZMRZoMyecBPBZPbMY9K9Iy/VaK.7YTHTLYF41De";

    private static String basic(String userAndPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    private static BasicAuthUsers users() {
        Map<String, String> users = new LinkedHashMap<String, String>();
        users.put("prometheus", PASSWORD_HASH);
        users.put("ops", SECRET_HASH);
        return new BasicAuthUsers(users);
    }

    /** The final decision, bcrypt included, as the server's credential-check thread takes it. */
    private static boolean accepts(BasicAuthUsers users, String authorization) {
        return users.access(authorization).verify();
    }

    @Test
    void acceptsEachUserWithItsOwnPasswordOnly() {
        BasicAuthUsers users = users();

        assertTrue(accepts(users, basic("prometheus:password")));
        assertTrue(accepts(users, basic("ops:secret")));
        assertFalse(accepts(users, basic("prometheus:secret")));
        assertFalse(accepts(users, basic("ops:password")));
        assertFalse(accepts(users, basic("nobody:password")));
        assertEquals(5, users.bcryptRuns());
    }

    @Test
    void leavesBcryptToThePendingCheckSoTheCallerNeverRunsIt() {
        BasicAuthUsers users = users();

        Access pending = users.access(basic("prometheus:password"));

        assertTrue(pending.pending());
        assertFalse(pending.allowed());
        assertEquals(BasicAuthUsers.CHALLENGE, pending.challenge());
        assertEquals(0, users.bcryptRuns());
        assertTrue(pending.verify());
        assertEquals(1, users.bcryptRuns());
    }

    @Test
    void remembersASuccessSoRepeatedScrapesSkipBcrypt() {
        BasicAuthUsers users = users();

        assertTrue(accepts(users, basic("prometheus:password")));
        assertEquals(1, users.bcryptRuns());
        for (int i = 0; i < 5; i++) {
            assertSame(Access.ALLOW, users.access("basic " + basic("prometheus:password").substring(6)));
        }
        assertEquals(1, users.bcryptRuns());
    }

    @Test
    void aQueuedCheckOfCredentialsThatPassedMeanwhileSkipsBcrypt() {
        BasicAuthUsers users = users();
        Access first = users.access(basic("prometheus:password"));
        Access second = users.access(basic("prometheus:password"));

        assertTrue(first.verify());
        assertTrue(second.verify());
        assertEquals(1, users.bcryptRuns());
    }

    @Test
    void aRememberedSuccessNeverLetsAWrongPasswordThrough() {
        BasicAuthUsers users = users();
        assertTrue(accepts(users, basic("prometheus:password")));

        assertFalse(accepts(users, basic("prometheus:password2")));
        assertFalse(accepts(users, basic("prometheus:passwor")));
        assertFalse(accepts(users, basic("ops:password")));
        assertEquals(4, users.bcryptRuns(), "each wrong password pays for its own bcrypt");
    }

    @Test
    void checksAnUnknownUserAgainstADecoySoItTakesAsLong() {
        BasicAuthUsers users = users();

        Access unknown = users.access(basic("mallory:password"));

        assertTrue(unknown.pending(), "refused only after a bcrypt of the same cost");
        assertFalse(unknown.verify());
        assertEquals(1, users.bcryptRuns());
    }

    @Test
    void givesEachUnknownNameTheCostOfOneUserTheSameAtEachStartAndEachCostToSomeNames() {
        Map<String, String> mixed = new LinkedHashMap<String, String>();
        mixed.put("fast", "$2b$04$ds2F.42Tsj6Va/xg5L919.ctGAAGoe06OE1/ztKp8rmcvs4Q9qR.e");
        mixed.put("slow", "$2b$12$pQLXlK6uETPOQgHiQFGuOOCN6TaItToHbWysH5MDRztpMJk0guQLm");
        BasicAuthUsers users = new BasicAuthUsers(mixed);
        BasicAuthUsers afterARestart = new BasicAuthUsers(mixed);

        Map<Integer, Integer> names = new TreeMap<Integer, Integer>();
        for (int i = 0; i < 200; i++) {
            String unknown = "unknown-" + i;
            String decoy = users.decoyFor(unknown);
            names.merge(Bcrypt.cost(decoy), 1, Integer::sum);
            assertEquals(decoy, users.decoyFor(unknown), "always the same for one name");
            assertEquals(decoy, afterARestart.decoyFor(unknown), "the same after a restart");
        }

        assertEquals(Arrays.asList(4, 12), new ArrayList<Integer>(names.keySet()), "the users' costs only");
        assertTrue(names.get(4) >= 60 && names.get(12) >= 60, "about half of the names each: " + names);
    }

    @Test
    void givesEveryUnknownNameTheCostOfTheUsersWhenTheyShareOne() {
        BasicAuthUsers users = users();

        for (int i = 0; i < 20; i++) {
            assertEquals(10, Bcrypt.cost(users.decoyFor("unknown-" + i)));
        }
    }

    @Test
    void refusesMalformedCredentialsWithoutBcrypt() {
        BasicAuthUsers users = users();

        for (String malformed : new String[] {null, "", "Bearer abc", "Basic not-base64!", basic("no colon")}) {
            Access access = users.access(malformed);
            assertFalse(access.pending(), malformed);
            assertFalse(access.allowed(), malformed);
            assertEquals(BasicAuthUsers.CHALLENGE, access.challenge());
        }
        assertEquals(0, users.bcryptRuns());
    }

    @Test
    void isEmptyWithoutUsers() {
        assertTrue(new BasicAuthUsers(Collections.<String, String>emptyMap()).isEmpty());
        assertFalse(users().isEmpty());
    }
}
