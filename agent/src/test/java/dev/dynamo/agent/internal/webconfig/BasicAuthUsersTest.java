package dev.dynamo.agent.internal.webconfig;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BasicAuthUsersTest {
    /** "password" (libxcrypt). */
    private static final String PASSWORD_HASH = "$2b$10$N9qo8uLOickgx2ZMRZoMye8fOsiTWZqYtkxvXkKm8BMzjT7t/vIdq";
    /** "secret" (libxcrypt). */
    private static final String SECRET_HASH = "$2b$10$N9qo8uLOickgx2ZMRZoMyecBPBZPbMY9K9Iy/VaK.7YTHTLYF41De";

    private static String basic(String userAndPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    private long now;

    /** Lets a second pass, so the bcrypt budget starts afresh. */
    private boolean later(boolean result) {
        now += 1_000_000_000L;
        return result;
    }

    private BasicAuthUsers users() {
        Map<String, String> users = new LinkedHashMap<String, String>();
        users.put("prometheus", PASSWORD_HASH);
        users.put("ops", SECRET_HASH);
        return new BasicAuthUsers(users, () -> now);
    }

    @Test
    void acceptsEachUserWithItsOwnPasswordOnly() {
        BasicAuthUsers users = users();

        assertTrue(later(users.accepts(basic("prometheus:password"))));
        assertTrue(later(users.accepts(basic("ops:secret"))));
        assertFalse(later(users.accepts(basic("prometheus:secret"))));
        assertFalse(later(users.accepts(basic("ops:password"))));
        assertFalse(later(users.accepts(basic("nobody:password"))));
        assertEquals(5, users.bcryptRuns());
    }

    @Test
    void remembersASuccessSoRepeatedScrapesSkipBcrypt() {
        BasicAuthUsers users = users();

        assertTrue(users.accepts(basic("prometheus:password")));
        assertEquals(1, users.bcryptRuns());
        for (int i = 0; i < 5; i++) {
            assertTrue(users.accepts("basic " + basic("prometheus:password").substring(6)));
        }
        assertEquals(1, users.bcryptRuns());
    }

    @Test
    void aRememberedSuccessNeverLetsAWrongPasswordThrough() {
        BasicAuthUsers users = users();
        assertTrue(users.accepts(basic("prometheus:password")));

        assertFalse(users.accepts(basic("prometheus:password2")));
        assertFalse(users.accepts(basic("prometheus:passwor")));
        assertFalse(users.accepts(basic("ops:password")));
        assertEquals(4, users.bcryptRuns(), "each wrong password pays for its own bcrypt");
    }

    @Test
    void limitsTheTimeSpentInBcryptEachSecondButStillLetsARememberedUserIn() {
        // Each reading of the clock moves it on 50 ms: a bcrypt run "takes" 50 ms.
        BasicAuthUsers users = new BasicAuthUsers(Collections.singletonMap("prometheus", PASSWORD_HASH),
                () -> now += 50_000_000L);
        assertTrue(users.accepts(basic("prometheus:password")));

        for (int i = 0; i < 10; i++) {
            assertFalse(users.accepts(basic("prometheus:guess" + i)));
        }
        // 250 ms of a second: the success and four guesses ran, the rest were refused unchecked.
        assertEquals(5, users.bcryptRuns());
        assertTrue(users.accepts(basic("prometheus:password")), "remembered");

        now += 1_000_000_000L;
        assertFalse(users.accepts(basic("prometheus:another guess")));
        assertEquals(6, users.bcryptRuns(), "checked again in the next second");
    }

    @Test
    void checksAnUnknownUserAgainstADecoySoItTakesAsLong() {
        BasicAuthUsers users = users();

        assertFalse(users.accepts(basic("mallory:password")));
        assertEquals(1, users.bcryptRuns());
    }

    @Test
    void refusesMalformedCredentialsWithoutBcrypt() {
        BasicAuthUsers users = users();

        assertFalse(users.accepts(null));
        assertFalse(users.accepts(""));
        assertFalse(users.accepts("Bearer abc"));
        assertFalse(users.accepts("Basic not-base64!"));
        assertFalse(users.accepts(basic("no colon")));
        assertEquals(0, users.bcryptRuns());
    }

    @Test
    void isEmptyWithoutUsers() {
        assertTrue(new BasicAuthUsers(Collections.<String, String>emptyMap(), () -> now).isEmpty());
        assertFalse(users().isEmpty());
    }
}
