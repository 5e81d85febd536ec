package dev.dynamo.runtime.internal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Runs against an isolated copy, so that the shared copy's sink stays untouched. */
class ApiLogTest {
    private static final String LOG = ApiLog.class.getName();

    private IsolatedApi api;
    private PrintStream originalErr;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void captureStderr() {
        api = new IsolatedApi();
        originalErr = System.err;
        System.setErr(new PrintStream(err, true));
    }

    @AfterEach
    void restoreStderr() {
        System.setErr(originalErr);
        api.close();
    }

    private String stderr() {
        return new String(err.toByteArray(), StandardCharsets.UTF_8);
    }

    @Test
    void printsWarningsButNotDebugMessagesToStderrByDefault() {
        api.callStatic(LOG, "warn", "port taken");
        api.callStatic(LOG, "debug", "details");

        assertEquals("dynamo-metrics WARN port taken" + System.lineSeparator(), stderr());
    }

    @Test
    void keepsEachWarningOnOneLineWhateverItQuotes() {
        api.callStatic(LOG, "warn", "label values [a\nb, c]\r\n");

        assertEquals("dynamo-metrics WARN label values [a\\nb, c]\\r\\n" + System.lineSeparator(), stderr());
    }

    @Test
    void namesAClassLoaderByItsClassAndIdentity() {
        ClassLoader wordy = new ClassLoader(null) {
            @Override
            public String toString() {
                return "WebappClassLoader\n  context: app\n----------> Parent Classloader:\n" + getParent();
            }
        };

        assertEquals(wordy.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(wordy)),
                ApiLog.loaderName(wordy));
        assertEquals("the bootstrap class loader", ApiLog.loaderName(null));
    }

    @Test
    void sendsLevelAndMessageToTheSink() {
        List<String> seen = new ArrayList<String>();
        BiConsumer<String, String> sink = (level, message) -> seen.add(level + ":" + message);
        api.callStatic(LOG, "setSink", sink);

        api.callStatic(LOG, "warn", "w");
        api.callStatic(LOG, "debug", "d");

        assertEquals(Arrays.asList("WARN:w", "DEBUG:d"), seen);
        assertEquals("", stderr());
    }

    @Test
    void returnsToStderrWhenTheSinkIsCleared() {
        List<String> seen = new ArrayList<String>();
        BiConsumer<String, String> sink = (level, message) -> seen.add(message);
        api.callStatic(LOG, "setSink", sink);
        api.callStatic(LOG, "setSink", new Object[] {null});

        api.callStatic(LOG, "warn", "back on stderr");

        assertEquals(0, seen.size());
        assertEquals("dynamo-metrics WARN back on stderr" + System.lineSeparator(), stderr());
    }

    @Test
    void neverThrowsWhenTheSinkFails() {
        BiConsumer<String, String> sink = (level, message) -> {
            throw new IllegalStateException("sink broken");
        };
        api.callStatic(LOG, "setSink", sink);

        api.callStatic(LOG, "warn", "lost");
        api.callStatic(LOG, "debug", "lost too");

        assertEquals("", stderr());
    }
}
