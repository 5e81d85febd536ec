package dev.dynamo.runtime.internal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        // The default level, whatever DYN_LOG the environment running the tests has: the property comes first.
        System.setProperty(StderrLogSetting.PROPERTY, "0");
    }

    @AfterEach
    void restoreStderr() {
        System.setErr(originalErr);
        System.clearProperty(StderrLogSetting.PROPERTY);
        api.close();
    }

    private String stderr() {
        return new String(err.toByteArray(), StandardCharsets.UTF_8);
    }

    /** Stderr without the time each line begins with, which {@link #beginsEachLineWithTheTimeInUtc} checks. */
    private String stderrUntimed() {
        return stderr().replaceAll("(?m)^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z ", "");
    }

    @Test
    void printsWarningsButNotDebugMessagesToStderrByDefault() {
        api.callStatic(LOG, "warn", "port taken");
        api.callStatic(LOG, "debug", "details");

        assertEquals("WARN dynamo-metrics [runtime] port taken" + System.lineSeparator(), stderrUntimed());
    }

    @Test
    void beginsEachLineWithTheTimeInUtcAsTheAgentsLinesDo() {
        long before = System.currentTimeMillis();
        api.callStatic(LOG, "warn", "port taken");
        long after = System.currentTimeMillis();

        String line = stderr();
        assertTrue(line.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z WARN dynamo-metrics \\[runtime\\] port taken"
                + System.lineSeparator()), line);
        long stamped = Instant.parse(line.substring(0, line.indexOf(' '))).toEpochMilli();
        assertTrue(stamped >= before && stamped <= after, line);
    }

    @Test
    void writesTheTimeAsIsoInstantsWithMilliseconds() {
        DateTimeFormatter iso = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
        for (long millis : new long[] {0L, 951_782_400_000L, 1_709_164_799_999L, 4_102_444_800_000L,
            1_798_675_200_123L}) {
            assertEquals(iso.format(Instant.ofEpochMilli(millis)), ApiLog.timestamp(millis), String.valueOf(millis));
        }
    }

    @Test
    void printsNothingWithDynLogOff() {
        System.setProperty(StderrLogSetting.PROPERTY, "off");

        api.callStatic(LOG, "warn", "not exported");

        assertEquals("", stderr());
    }

    @Test
    void printsDebugMessagesWhenDynLogAsksForThem() {
        System.setProperty(StderrLogSetting.PROPERTY, "debug");

        api.callStatic(LOG, "debug", "details");

        assertEquals("DEBUG dynamo-metrics [runtime] details" + System.lineSeparator(), stderrUntimed());
    }

    @Test
    void readsDynLogAsTheAgentDoesForTheApisLogger() {
        int trace = 0;
        int info = 2;
        int warn = 3;
        int error = 4;
        int off = 5;
        assertEquals(warn, StderrLogSetting.threshold(null));
        assertEquals(warn, StderrLogSetting.threshold(" "));
        assertEquals(warn, StderrLogSetting.threshold("0"));
        assertEquals(info, StderrLogSetting.threshold("1"));
        assertEquals(info, StderrLogSetting.threshold("TRUE"));
        assertEquals(off, StderrLogSetting.threshold("OFF"));
        assertEquals(error, StderrLogSetting.threshold(" error "));
        assertEquals(warn, StderrLogSetting.threshold("loud"), "a part that is no level is skipped");
        assertEquals(off, StderrLogSetting.threshold("info,dev.dynamo.runtime=off"));
        assertEquals(warn, StderrLogSetting.threshold("off,dev.dynamo=warn"), "a package above the API's");
        assertEquals(trace, StderrLogSetting.threshold("dev=off,dev.dynamo::runtime=trace"), "the longest wins");
        assertEquals(info, StderrLogSetting.threshold("info,dev.dynamo.agent=off"), "another logger's directive");
        assertEquals(info, StderrLogSetting.threshold("info,dev.dyn=off"), "a prefix that is no package");
    }

    @Test
    void keepsEachWarningOnOneLineWhateverItQuotes() {
        api.callStatic(LOG, "warn", "label values [a\nb, c]\r\n");

        assertEquals("WARN dynamo-metrics [runtime] label values [a\\nb, c]\\r\\n" + System.lineSeparator(),
                stderrUntimed());
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
        assertEquals("WARN dynamo-metrics [runtime] back on stderr" + System.lineSeparator(), stderrUntimed());
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
