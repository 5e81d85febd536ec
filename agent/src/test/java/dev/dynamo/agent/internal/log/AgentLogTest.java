package dev.dynamo.agent.internal.log;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Date;
import java.util.Random;
import java.util.TimeZone;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentLogTest {
    private final ByteArrayOutputStream lines = new ByteArrayOutputStream();
    private final AgentLog log = AgentLog.get(AgentLogTest.class);

    @BeforeEach
    void captureLines() {
        AgentLog.redirect(new PrintStream(lines, true));
    }

    @AfterEach
    void restoreDefaults() {
        AgentLog.configure(LogSettings.DEFAULT);
        AgentLog.redirect(null);
    }

    private String written() {
        return new String(lines.toByteArray(), StandardCharsets.UTF_8);
    }

    /**
     * A thread of the agent's or its API's (the server's, a metric callback's) logs while stderr takes
     * nothing: it goes on at once, its lines are written once stderr drains, and those beyond the
     * queue are counted in one line. Before, the server's thread waited in the write, and /live
     * answered nothing; a metric callback's thread waited for good, and its metric was gone.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dynamo-system-server", "dynamo-metrics-callback-1"})
    void anOwnThreadGoesOnWhileStderrTakesNothing(String threadName) throws Exception {
        CountDownLatch drained = new CountDownLatch(1);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        AgentLog.redirect(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                try {
                    drained.await();
                } catch (InterruptedException stop) {
                    throw new IOException(stop);
                }
                synchronized (written) {
                    written.write(b);
                }
            }
        }, true));
        int lines = QueuedLines.CAPACITY + 50;
        Thread server = new Thread(() -> {
            for (int i = 0; i < lines; i++) {
                log.warn("bad request " + i);
            }
        }, threadName);
        server.start();
        server.join(5000);
        assertFalse(server.isAlive(), "the thread waited for stderr");

        drained.countDown();
        // The count of dropped lines is written after the first line stderr takes, the kept lines after it.
        java.util.regex.Pattern droppedLine = java.util.regex.Pattern.compile(
                " (\\d+) log lines of the agent's own threads were dropped");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String text = "";
        long dropped = -1;
        long kept = 0;
        while ((dropped < 0 || kept + dropped < lines) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            synchronized (written) {
                text = written.toString(StandardCharsets.UTF_8);
            }
            java.util.regex.Matcher matcher = droppedLine.matcher(text);
            dropped = matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
            kept = text.lines().filter(line -> line.contains("bad request")).count();
        }
        assertTrue(text.contains("WARN dynamo-agent [AgentLogTest] bad request 0"), text);
        assertTrue(dropped > 0 && kept >= QueuedLines.CAPACITY, kept + " lines written, " + dropped + " dropped");
        assertEquals(lines, kept + dropped, "every line written or counted");
    }

    @Test
    void writesWarningsAndErrorsOnlyByDefault() {
        AgentLog.configure(LogSettings.DEFAULT);

        log.info("hidden info");
        log.debug("hidden debug");
        log.warn("shown warning");
        log.error("shown error");

        assertFalse(written().contains("hidden"), written());
        assertTrue(written().contains(" WARN dynamo-agent [AgentLogTest] shown warning"), written());
        assertTrue(written().contains(" ERROR dynamo-agent [AgentLogTest] shown error"), written());
    }

    @Test
    void showsANoticeAsInfoAtTheDefaultLevelAndHidesItBelowWarnings() {
        log.notice("the chosen port");
        assertTrue(written().contains(" INFO dynamo-agent [AgentLogTest] the chosen port"), written());

        lines.reset();
        AgentLog.configure(LogSettings.parse("error", new ArrayList<String>()));
        log.notice("hidden notice");
        AgentLog.configure(LogSettings.parse("off", new ArrayList<String>()));
        log.notice("hidden notice");
        assertEquals("", written());
    }

    @Test
    void writesOneTimestampedLinePerMessage() {
        log.warn("one");

        String line = written();
        String timestamp = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";
        assertTrue(line.matches(timestamp + " WARN dynamo-agent \\[AgentLogTest] one" + System.lineSeparator()), line);
    }

    /** A tester forged a line through an exception's message that a failing callback's warning quoted. */
    @Test
    void keepsEachMessageOnOneLineWhateverItQuotes() {
        log.warn("callback failed: first line\n2026-01-01T00:00:00.000Z ERROR dynamo-agent [AgentStarter] forged\r\n"
                + "\tat fake.Frame(Fake.java:1)\u0000\u2028end");

        String line = written();
        assertEquals(1, line.split(System.lineSeparator(), -1).length - 1, line);
        assertTrue(line.endsWith("callback failed: first line\\n2026-01-01T00:00:00.000Z ERROR dynamo-agent"
                + " [AgentStarter] forged\\r\\n\tat fake.Frame(Fake.java:1)\\u0000\\u2028end"
                + System.lineSeparator()), line);
    }

    /** A byte order mark or a direction override inside a quoted name would hide what the name holds. */
    @Test
    void writesInvisibleFormatCharactersAsEscapes() {
        String message = "line 2: '\ufeffnamespace' is not a setting; path '/m\u202ex' \u0085\u009b caf\u00e9";
        assertEquals("line 2: '\\ufeffnamespace' is not a setting; path '/m\\u202ex' \\u0085\\u009b caf\u00e9",
                AgentLog.oneLine(message, false));
    }

    /** For a stream in a C locale's charset: a value in another script stays readable, not {@code ?????}. */
    @Test
    void writesCharactersBeyondAsciiAsEscapesWhereTheStreamWritesOnlyAscii() {
        String value = "DYN_SYSTEM_PORT='\u0661\u0669' caf\u00e9";
        assertEquals("DYN_SYSTEM_PORT='\\u0661\\u0669' caf\\u00e9", AgentLog.oneLine(value, true));
        assertEquals(value, AgentLog.oneLine(value, false), "a Unicode stream writes them as they are");
    }

    @Test
    void writesTheSameUtcTimestampAsSimpleDateFormat() {
        SimpleDateFormat reference = new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");
        reference.setTimeZone(TimeZone.getTimeZone("UTC"));
        long[] instants = {0L, -1L, 1L, 951_782_400_000L /* 2000-02-29 */, 4_107_456_000_000L /* 2100-02-28 */,
            4_107_542_399_999L, 1_796_083_199_999L, -86_400_001L, 253_402_300_799_999L /* 9999-12-31 */};
        for (long instant : instants) {
            assertEquals(reference.format(new Date(instant)), AgentLog.timestamp(instant), "at " + instant);
        }
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            long instant = (long) (random.nextDouble() * 253_402_300_799_999L);
            assertEquals(reference.format(new Date(instant)), AgentLog.timestamp(instant), "at " + instant);
        }
    }

    @Test
    void followsTheConfiguredLevelForItsLogger() {
        AgentLog.configure(LogSettings.parse("error," + AgentLogTest.class.getPackage().getName() + "=trace",
                new ArrayList<String>()));
        AgentLog other = AgentLog.get(String.class);

        log.trace("mine");
        other.warn("theirs");

        assertTrue(log.isEnabled(LogLevel.TRACE));
        assertFalse(other.isEnabled(LogLevel.WARN));
        assertTrue(written().contains("mine"), written());
        assertFalse(written().contains("theirs"), written());
    }

    @Test
    void writesNothingWhenOff() {
        AgentLog.configure(LogSettings.parse("off", new ArrayList<String>()));

        log.error("silenced");

        assertEquals("", written());
        assertFalse(log.isEnabled(LogLevel.OFF));
    }
}
