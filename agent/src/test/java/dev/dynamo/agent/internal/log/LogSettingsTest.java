package dev.dynamo.agent.internal.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogSettingsTest {
    private static final String SERVER = "dev.dynamo.agent.internal.server.SystemServer";
    private static final String CONFIG = "dev.dynamo.agent.internal.config.AgentConfig";

    private final List<String> problems = new ArrayList<String>();

    private LogSettings parse(String value) {
        return LogSettings.parse(value, problems);
    }

    @Test
    void logsWarningsAndErrorsOnlyWhenUnset() {
        LogSettings settings = parse(null);

        assertSame(LogSettings.DEFAULT, settings);
        assertEquals(LogLevel.WARN, settings.defaultLevel());
        assertEquals(LogLevel.WARN, settings.levelFor(SERVER));
        assertTrue(problems.isEmpty());
    }

    /** A tester's 'ınfo' (dotless i) was read as info, while 'İnfo' was refused: no non-ASCII letter names a level. */
    @Test
    void takesNoNonAsciiLetterForAnAsciiOne() {
        assertEquals(LogLevel.WARN, parse("\u0131nfo").defaultLevel());
        assertEquals(1, problems.size(), problems.toString());
        assertNull(LogLevel.parse("\u0131nfo"));
        assertNull(LogLevel.parse("fal\u017Fe"));
        assertEquals(LogLevel.INFO, LogLevel.parse("InFo"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "0", " 0 "})
    void logsWarningsAndErrorsOnlyWhenEmptyOrZero(String value) {
        assertEquals(LogLevel.WARN, parse(value).defaultLevel());
        assertTrue(problems.isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "true", "TRUE", "True", " 1 "})
    void logsInfoForOneOrTrue(String value) {
        LogSettings settings = parse(value);

        assertEquals(LogLevel.INFO, settings.defaultLevel());
        assertEquals(LogLevel.INFO, settings.levelFor(SERVER));
        assertTrue(problems.isEmpty());
    }

    @ParameterizedTest
    @CsvSource({"trace, TRACE", "debug, DEBUG", "info, INFO", "warn, WARN", "error, ERROR", "off, OFF",
        "DEBUG, DEBUG", "Error, ERROR"})
    void acceptsALevelNameInAnyCase(String value, LogLevel expected) {
        assertEquals(expected, parse(value).defaultLevel());
        assertEquals(expected, parse(value).levelFor(CONFIG));
        assertTrue(problems.isEmpty());
    }

    @Test
    void appliesALoggerDirectiveToThatLoggerAndTheLoggersBelowIt() {
        LogSettings settings = parse("warn,dev.dynamo.agent.internal.server=debug");

        assertEquals(LogLevel.DEBUG, settings.levelFor(SERVER));
        assertEquals(LogLevel.DEBUG, settings.levelFor("dev.dynamo.agent.internal.server"));
        assertEquals(LogLevel.WARN, settings.levelFor(CONFIG));
        assertTrue(problems.isEmpty());
    }

    @Test
    void keepsTheDefaultLevelWhenOnlyDirectivesAreGiven() {
        LogSettings settings = parse("dev.dynamo.agent.internal.server=trace");

        assertEquals(LogLevel.WARN, settings.defaultLevel());
        assertEquals(LogLevel.TRACE, settings.levelFor(SERVER));
    }

    @ParameterizedTest
    @ValueSource(strings = {"info,dev.dynamo=error,dev.dynamo.agent.internal=trace",
        "dev.dynamo.agent.internal=trace,dev.dynamo=error,info"})
    void appliesTheDirectiveWithTheLongestMatchingPrefix(String value) {
        LogSettings settings = parse(value);

        assertEquals(LogLevel.TRACE, settings.levelFor(SERVER));
        assertEquals(LogLevel.ERROR, settings.levelFor("dev.dynamo.agent.AgentMain"));
        assertEquals(LogLevel.ERROR, settings.levelFor("dev.dynamo.runtime.internal.ApiLog"));
        assertEquals(LogLevel.INFO, settings.levelFor("org.example.App"));
        assertTrue(problems.isEmpty());
    }

    @Test
    void matchesPrefixesOnlyAtPackageBoundaries() {
        LogSettings settings = parse("dev.dyn=debug");

        assertEquals(LogLevel.WARN, settings.levelFor(SERVER));
    }

    @Test
    void acceptsAFullClassNameAsDirective() {
        LogSettings settings = parse(SERVER + "=off");

        assertEquals(LogLevel.OFF, settings.levelFor(SERVER));
        assertEquals(LogLevel.WARN, settings.levelFor(SERVER + "Helper"));
    }

    @Test
    void acceptsRustStylePathSeparators() {
        LogSettings settings = parse("dev::dynamo::agent=debug");

        assertEquals(LogLevel.DEBUG, settings.levelFor(SERVER));
    }

    @Test
    void toleratesSpacesAndEmptyParts() {
        LogSettings settings = parse(" info , , dev.dynamo.agent = debug ,");

        assertEquals(LogLevel.INFO, settings.defaultLevel());
        assertEquals(LogLevel.DEBUG, settings.levelFor(SERVER));
        assertTrue(problems.isEmpty(), problems.toString());
    }

    @Test
    void reportsAnUnknownLevelAsOneProblem() {
        LogSettings settings = parse("loud");

        assertEquals(1, problems.size());
        assertTrue(problems.get(0).startsWith("DYN_LOG='loud'"), problems.get(0));
        assertTrue(problems.get(0).contains("trace, debug, info, warn, error, off"), problems.get(0));
        assertEquals(LogLevel.WARN, settings.defaultLevel());
    }

    @Test
    void reportsAllBadPartsInOneProblemAndKeepsTheGoodOnes() {
        LogSettings settings = parse("debug,loud,dev.dynamo=bogus,=info,dev.dynamo.agent.internal=error");

        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("[loud, dev.dynamo=bogus, =info]"), problems.get(0));
        assertEquals(LogLevel.DEBUG, settings.defaultLevel());
        assertEquals(LogLevel.ERROR, settings.levelFor(SERVER));
        assertEquals(LogLevel.DEBUG, settings.levelFor("dev.dynamo.runtime.X"));
    }

    @Test
    void parsesLevelNamesLeniently() {
        assertEquals(LogLevel.INFO, LogLevel.parse(" Info "));
        assertEquals(null, LogLevel.parse("verbose"));
    }
}
