package dev.dynamo.agent.internal.instrumentation;

import java.util.Arrays;

/**
 * A byte string to look for in class files, with Horspool's skip table: after a mismatch the search
 * moves on by as much as the pattern's length, so it reads a fraction of the bytes. Every class the
 * application loads is scanned for the annotation's descriptor (35 bytes) before any parsing, most of
 * them while the scan still runs in the interpreter, where reading fewer bytes counts most (the
 * {@code class-scan} benchmark compares it with a byte-by-byte search on a Spring Boot application's
 * class files). Public for that benchmark only.
 */
public final class BytePattern {
    private final byte[] pattern;
    /** For each byte value: how far the pattern may move when that byte is under its last position. */
    private final int[] skip = new int[256];

    public BytePattern(byte[] pattern) {
        if (pattern.length == 0) {
            throw new IllegalArgumentException("an empty pattern");
        }
        this.pattern = pattern.clone();
        Arrays.fill(skip, pattern.length);
        for (int i = 0; i < pattern.length - 1; i++) {
            skip[pattern[i] & 0xFF] = pattern.length - 1 - i;
        }
    }

    /** Whether the pattern occurs in {@code data}. */
    public boolean occursIn(byte[] data) {
        int last = pattern.length - 1;
        for (int end = last; end < data.length; end += skip[data[end] & 0xFF]) {
            int i = end;
            int j = last;
            while (data[i] == pattern[j]) {
                if (j == 0) {
                    return true;
                }
                i--;
                j--;
            }
        }
        return false;
    }
}
