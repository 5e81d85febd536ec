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

    private static BasicAuthUsers users() {
        Map<String, String> users = new LinkedHashMap<String, String>();
        users.put("prometheus", PASSWORD_HASH);
        users.put("ops", SECRET_HASH);
        return new BasicAuthUsers(users);
    }

    @Test
    void acceptsEachUserWithItsOwnPasswordOnly() {
        BasicAuthUsers users = users();

        assertTrue(users.accepts(basic("prometheus:password")));
        assertTrue(users.accepts(basic("ops:secret")));
        assertFalse(users.accepts(basic("prometheus:secret")));
        assertFalse(users.accepts(basic("ops:password")));
        assertFalse(users.accepts(basic("nobody:password")));
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
        assertTrue(new BasicAuthUsers(Collections.<String, String>emptyMap()).isEmpty());
        assertFalse(users().isEmpty());
    }
}
