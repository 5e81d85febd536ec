package dev.dynamo.agent.internal.webconfig;

import dev.dynamo.agent.internal.server.CheckPace;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BcryptTest {

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Hashes from other implementations: jBCrypt's and OpenBSD's test vectors, and glibc's libxcrypt. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "abc|$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i",
            "''|$2b$10$N9qo8uLOickgx2ZMRZoMyemRB6uo0xi1q364bzOiSV8XW5M72WqtC",
            "password|$2b$10$N9qo8uLOickgx2ZMRZoMye8fOsiTWZqYtkxvXkKm8BMzjT7t/vIdq",
            "secret|$2b$10$N9qo8uLOickgx2ZMRZoMyecBPBZPbMY9K9Iy/VaK.7YTHTLYF41De",
            "Dynamo Metrics ü|$2b$10$N9qo8uLOickgx2ZMRZoMye6MtCdWP9cA6s8e6e.8fnxJsU8pzo.UC"})
    void matchesHashesMadeByOtherImplementations(String password, String hash) {
        assertTrue(Bcrypt.verify(utf8(password), hash));
        assertEquals(hash, Bcrypt.hash(utf8(password), hash.substring(0, 29)));
    }

    /** A check tells its pace every 16 rounds, and stops when told to: cost 31 is 2^31 rounds, days of CPU. */
    @Test
    void tellsItsPaceAsItGoesAndStopsWhenTold() {
        String hash = "$2b$06$N9qo8uLOickgx2ZMRZoMyeAFKfMKdW8lBlxKHqTOnGT2P9WZ0eZDe";
        int[] steps = {0};
        Bcrypt.verify(utf8("x"), hash, () -> {
            steps[0]++;
            return true;
        });
        assertEquals(64 / Bcrypt.ROUNDS_PER_STEP, steps[0]);

        String costly = "$2b$31$N9qo8uLOickgx2ZMRZoMyeAFKfMKdW8lBlxKHqTOnGT2P9WZ0eZDe";
        int[] told = {0};
        assertThrows(CheckPace.Stopped.class, () -> Bcrypt.verify(utf8("x"), costly, () -> ++told[0] < 3));
        assertEquals(3, told[0]);
    }

    @Test
    void rejectsAWrongPassword() {
        String hash = "$2b$10$N9qo8uLOickgx2ZMRZoMye8fOsiTWZqYtkxvXkKm8BMzjT7t/vIdq";

        assertFalse(Bcrypt.verify(utf8("Password"), hash));
        assertFalse(Bcrypt.verify(utf8("password "), hash));
        assertFalse(Bcrypt.verify(utf8(""), hash));
    }

    @Test
    void readsTheTwoYAndTwoAFormsLikeTwoB() {
        String b = "$2b$10$N9qo8uLOickgx2ZMRZoMye8fOsiTWZqYtkxvXkKm8BMzjT7t/vIdq";

        assertTrue(Bcrypt.verify(utf8("password"), "$2y" + b.substring(3)));
        assertTrue(Bcrypt.verify(utf8("password"), "$2a" + b.substring(3)));
    }

    @Test
    void cutsPasswordsAtSeventyTwoBytesAsLibxcryptDoes() {
        // libxcrypt: crypt('a' * 80, ...) == crypt('a' * 72, ...) == this hash.
        String hash = "$2y$05$CCCCCCCCCCCCCCCCCCCCC.ODcEJfYFxKziEakDsjep8mcF3zSCvHq";
        byte[] eighty = new byte[80];
        Arrays.fill(eighty, (byte) 'a');

        assertTrue(Bcrypt.verify(eighty, hash));
        assertTrue(Bcrypt.verify(Arrays.copyOf(eighty, 72), hash));
        assertFalse(Bcrypt.verify(Arrays.copyOf(eighty, 71), hash));
    }

    @Test
    void hashesWithTheGivenCostAndSaltAndVerifiesItsOwnHash() {
        byte[] salt = new byte[16];
        for (int i = 0; i < salt.length; i++) {
            salt[i] = (byte) (i * 17);
        }
        String hash = Bcrypt.hash(utf8("s3cret"), 'b', 5, salt);

        assertTrue(hash.startsWith("$2b$05$"), hash);
        assertEquals(60, hash.length());
        assertEquals(5, Bcrypt.cost(hash));
        assertTrue(Bcrypt.verify(utf8("s3cret"), hash));
        assertFalse(Bcrypt.verify(utf8("s3cre"), hash));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "plaintext",
            "$2x$10$N9qo8uLOickgx2ZMRZoMye8fOsiTWZqYtkxvXkKm8BMzjT7t/vIdq",
            "$1$10$N9qo8uLOickgx2ZMRZoMye8fOsiTWZqYtkxvXkKm8BMzjT7t/vIdq",
            "$2b$03$N9qo8uLOickgx2ZMRZoMye8fOsiTWZqYtkxvXkKm8BMzjT7t/vIdq",
            "$2b$32$N9qo8uLOickgx2ZMRZoMye8fOsiTWZqYtkxvXkKm8BMzjT7t/vIdq",
            "$2b$10$N9qo8uLOickgx2ZMRZoMye8fOsiTWZqYtkxvXkKm8BMzjT7t/vId",
            "$2b$10$N9qo8uLOickgx2ZMRZoMye8fOsiTWZqYtkxvXkKm8BMzjT7t+vIdq"})
    void refusesWhatIsNotABcryptHash(String hash) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> Bcrypt.checkHash(hash));

        assertTrue(refused.getMessage().contains("bcrypt"), refused.getMessage());
    }
}
