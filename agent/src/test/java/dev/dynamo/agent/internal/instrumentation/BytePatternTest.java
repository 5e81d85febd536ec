package dev.dynamo.agent.internal.instrumentation;

import com.example.endpoints.Handlers;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BytePatternTest {
    private static final BytePattern DESCRIPTOR = new BytePattern(bytes("Ldev/dynamo/runtime/DynamoEndpoint;"));

    @Test
    void findsThePatternAtTheStartInTheMiddleAndAtTheEnd() {
        assertTrue(DESCRIPTOR.occursIn(bytes("Ldev/dynamo/runtime/DynamoEndpoint;xx")));
        assertTrue(DESCRIPTOR.occursIn(bytes("xxLdev/dynamo/runtime/DynamoEndpoint;xx")));
        assertTrue(DESCRIPTOR.occursIn(bytes("xxLdev/dynamo/runtime/DynamoEndpoint;")));
        assertTrue(DESCRIPTOR.occursIn(bytes("Ldev/dynamo/runtime/DynamoEndpoint;")));
    }

    @Test
    void missesPrefixesNearMissesAndShortInput() {
        assertFalse(DESCRIPTOR.occursIn(bytes("Ldev/dynamo/runtime/DynamoEndpoin")));
        assertFalse(DESCRIPTOR.occursIn(bytes("Ldev/dynamo/runtime/DynamoEndpoint")));
        assertFalse(DESCRIPTOR.occursIn(bytes("Ldev/dynamo/runtime/DynamoEndpoints;")));
        assertFalse(DESCRIPTOR.occursIn(bytes("dev/dynamo/runtime/DynamoEndpoint;")));
        assertFalse(DESCRIPTOR.occursIn(new byte[0]));
    }

    @Test
    void findsAMatchThatOverlapsAFalseStart() {
        BytePattern pattern = new BytePattern(bytes("abab;"));
        assertTrue(pattern.occursIn(bytes("abababab;")));
        assertTrue(pattern.occursIn(bytes("aabab;")));
        assertFalse(pattern.occursIn(bytes("ababab")));
    }

    @Test
    void handlesBytesWithTheHighBitSet() {
        BytePattern pattern = new BytePattern(new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE});
        assertTrue(pattern.occursIn(new byte[] {1, (byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, (byte) 0xFF}));
        assertFalse(pattern.occursIn(new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBF}));
    }

    @Test
    void agreesWithAPlainSearchOnRandomInput() {
        Random random = new Random(42);
        byte[] pattern = {'a', 'b', 'a', 'c', 'a'};
        BytePattern search = new BytePattern(pattern);
        for (int round = 0; round < 20_000; round++) {
            byte[] data = new byte[random.nextInt(40)];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) ('a' + random.nextInt(3)); // a, b, c: matches are frequent
            }
            assertEquals(indexOf(data, pattern) >= 0, search.occursIn(data), new String(data, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void findsTheDescriptorInAnAnnotatedClassFileAndNotInAPlainOne() throws IOException {
        assertTrue(DESCRIPTOR.occursIn(classFile(Handlers.class)));
        assertFalse(DESCRIPTOR.occursIn(classFile(BytePattern.class)));
    }

    @Test
    void refusesAnEmptyPattern() {
        assertThrows(IllegalArgumentException.class, () -> new BytePattern(new byte[0]));
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        for (int i = 0; i + pattern.length <= data.length; i++) {
            int j = 0;
            while (j < pattern.length && data[i + j] == pattern[j]) {
                j++;
            }
            if (j == pattern.length) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] classFile(Class<?> type) throws IOException {
        try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
            return in.readAllBytes();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
