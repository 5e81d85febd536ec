package dev.dynamo.agent.internal.attach;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentArgumentsTest {
    private final List<String> problems = new ArrayList<String>();

    private static Map<String, String> map(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<String, String>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    @Test
    void decodesWhatItEncodes() {
        Map<String, String> settings = map("DYN_SYSTEM_PORT", "8000", "DYN_LOG", "info,dev.dynamo=debug",
                "DYN_NAMESPACE", "a&b=c d%e+f", "DYN_SYSTEM_HEALTH_PATH", "/health?x=1#y", "DYN_SYSTEM_HOST", "",
                "DYN_SYSTEM_LIVE_PATH", "naïve ☃");

        Map<String, String> decoded = AgentArguments.decode(AgentArguments.encode(settings), problems);

        assertEquals(settings, decoded);
        assertTrue(problems.isEmpty(), problems.toString());
    }

    @Test
    void encodesSeparatorsInValuesSoThatPairsStaySeparate() {
        String encoded = AgentArguments.encode(map("DYN_LOG", "info,dev.dynamo=debug", "DYN_NAMESPACE", "a&b"));

        assertEquals("DYN_LOG=info%2Cdev.dynamo%3Ddebug&DYN_NAMESPACE=a%26b", encoded);
    }

    @Test
    void encodesOnlyDynamoSettings() {
        Map<String, String> environment = map("PATH", "/usr/bin", "DYN_SYSTEM_PORT", "0", "HOME", "/root",
                "dyn_lower", "x", "DYN_RUNTIME_OTHER", "y");

        assertEquals("DYN_SYSTEM_PORT=0", AgentArguments.encode(environment));
    }

    @Test
    void encodesNothingWithoutDynamoSettings() {
        assertEquals("", AgentArguments.encode(map("PATH", "/usr/bin")));
    }

    @Test
    void decodesNothingFromNoArguments() {
        assertTrue(AgentArguments.decode(null, problems).isEmpty());
        assertTrue(AgentArguments.decode("", problems).isEmpty());
        assertTrue(AgentArguments.decode("  ", problems).isEmpty());
        assertTrue(problems.isEmpty());
    }

    @Test
    void decodesHandWrittenArguments() {
        Map<String, String> decoded = AgentArguments.decode("DYN_SYSTEM_PORT=9000&DYN_LOG=debug", problems);

        assertEquals(map("DYN_SYSTEM_PORT", "9000", "DYN_LOG", "debug"), decoded);
        assertTrue(problems.isEmpty());
    }

    @Test
    void keepsEverythingAfterTheFirstEqualsSignAsTheValue() {
        assertEquals(map("DYN_LOG", "dev.dynamo=debug"), AgentArguments.decode("DYN_LOG=dev.dynamo=debug", problems));
        assertTrue(problems.isEmpty());
    }

    @Test
    void reportsEachPartThatIsNotANameValuePairAndKeepsTheRest() {
        Map<String, String> decoded = AgentArguments.decode("port=8000&DYN_LOG=info&justtext&=x", problems);

        assertEquals(map("port", "8000", "DYN_LOG", "info"), decoded);
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("agent argument 'justtext' is not a setting"), problems.get(0));
        assertTrue(problems.get(1).startsWith("agent argument '=x' is not a setting"), problems.get(1));
        assertTrue(problems.get(0).contains("port=9000,host=127.0.0.1"), problems.get(0));
    }

    @Test
    void saysThatASettingWithoutAValueHasNoValueRatherThanThatItIsNoSetting() {
        assertEquals(map(), AgentArguments.decode("port", problems));
        assertEquals(map("DYN_SYSTEM_PORT", "19036"), AgentArguments.decode("DYN_SYSTEM_PORT=19036&DYN_LOG", problems));
        assertEquals(map("log", "info"), AgentArguments.decode("log=info,port", problems));

        assertEquals(Arrays.asList(
                "agent argument 'port' names the setting DYN_SYSTEM_PORT but gives no value; write port=<value>."
                        + " It is ignored",
                "agent argument 'DYN_LOG' names the setting DYN_LOG but gives no value; write DYN_LOG=<value>."
                        + " It is ignored",
                "agent argument 'port' names the setting DYN_SYSTEM_PORT but gives no value; write port=<value>."
                        + " It is ignored"), problems);
    }

    @Test
    void saysOnceWhichOfASettingGivenTwiceIsUsed() {
        assertEquals(map("port", "19037"), AgentArguments.decode("port=19036,port=19037", problems));
        assertEquals(map("DYN_SYSTEM_PORT", "9001", "host", "h"),
                AgentArguments.decode("port=9000,host=h,DYN_SYSTEM_PORT=9001", problems));

        assertEquals(Arrays.asList(
                "agent argument DYN_SYSTEM_PORT is given twice (port=19036, then port=19037); the last, port=19037,"
                        + " is used",
                "agent argument DYN_SYSTEM_PORT is given twice (port=9000, then DYN_SYSTEM_PORT=9001); the last,"
                        + " DYN_SYSTEM_PORT=9001, is used"), problems);
    }

    @Test
    void aLaterEmptyValueDoesNotTakeAwayAnEarlierOne() {
        assertEquals(map("port", "21218"), AgentArguments.decode("port=21218,port=", problems));
        assertEquals(map("port", "21219"), AgentArguments.decode("port=,port=21219", problems));

        assertEquals(Arrays.asList(
                "agent argument DYN_SYSTEM_PORT is given twice (port=21218, then port=); the last with a value (an empty"
                        + " one counts as unset), port=21218, is used",
                "agent argument DYN_SYSTEM_PORT is given twice (port=, then port=21219); the last, port=21219, is used"),
                problems);
    }

    @Test
    void saysInOneLineWhichOfASettingGivenInSeveralSpellingsIsUsed() {
        assertEquals(map("DYN_SYSTEM_PORT", "9002"),
                AgentArguments.decode("port=9000,dyn.system.port=9001,DYN_SYSTEM_PORT=9002", problems));
        assertEquals(map("log", "warn"), AgentArguments.decode("log=info,dev.dynamo=debug,log=warn", problems));
        assertEquals(map("DYN_SYSTEM_PORT", "5"),
                AgentArguments.decode("port=1,port=2,port=3,port=4,port=5,DYN_SYSTEM_PORT=5", problems));

        assertEquals(Arrays.asList(
                "agent argument DYN_SYSTEM_PORT is given 3 times (port=9000, dyn.system.port=9001, then"
                        + " DYN_SYSTEM_PORT=9002); the last, DYN_SYSTEM_PORT=9002, is used",
                "agent argument DYN_LOG is given twice (log=info,dev.dynamo=debug, then log=warn); the last,"
                        + " log=warn, is used",
                "agent argument DYN_SYSTEM_PORT is given 6 times (port=1, port=2, port=3, ... 2 more, then"
                        + " DYN_SYSTEM_PORT=5); the last, DYN_SYSTEM_PORT=5, is used"), problems);
    }

    @Test
    void decodesTheCommaFormThatNeedsNoShellQuoting() {
        Map<String, String> decoded = AgentArguments.decode(
                "port=9000,host=127.0.0.1,dyn.log=info%2Cdev.dynamo%3Ddebug", problems);

        assertEquals(map("port", "9000", "host", "127.0.0.1", "dyn.log", "info,dev.dynamo=debug"), decoded);
        assertTrue(problems.isEmpty(), problems.toString());
    }

    @Test
    void keepsCommasInValuesOfTheOlderForm() {
        assertEquals(map("log", "info,x=debug", "port", "1"), AgentArguments.decode("log=info,x=debug&port=1",
                problems));
        assertTrue(problems.isEmpty(), problems.toString());
    }

    @Test
    void continuesTheListValuesOfLogAndAgentMainInTheCommaForm() {
        assertEquals(map("DYN_LOG", "info,dev.dynamo=debug"), AgentArguments.decode("DYN_LOG=info,dev.dynamo=debug",
                problems));
        assertEquals(map("log", "warn,dev.dynamo.agent=debug,dev.dynamo.runtime=info", "port", "9000"),
                AgentArguments.decode("log=warn,dev.dynamo.agent=debug,dev.dynamo.runtime=info,port=9000", problems));
        assertEquals(map("agent.main", "com.example.Main,orders.jar", "host", "h"),
                AgentArguments.decode("agent.main=com.example.Main,orders.jar,host=h", problems));
        assertEquals(map("DYN_SYSTEM_PORT", "9000", "DYN_LOG", "info"),
                AgentArguments.decode("DYN_SYSTEM_PORT=9000,DYN_LOG=info", problems));
        assertTrue(problems.isEmpty(), problems.toString());
    }

    @Test
    void continuesTheJsonListOfEndpointsGatingHealthInTheCommaForm() {
        assertEquals(map("use.endpoint.health.status", "[\"endpoint\",\"x\"]", "port", "9000"),
                AgentArguments.decode("use.endpoint.health.status=[\"endpoint\",\"x\"],port=9000", problems));
        assertTrue(problems.isEmpty(), problems.toString());
    }

    /**
     * A misspelt setting after a whole list was taken into it; the list then failed to parse and was dropped, and
     * the misspelling went unreported (a re-tester: /health stopped waiting for the endpoint).
     */
    @Test
    void endsTheJsonListOfEndpointsAtItsClosingBracket() {
        assertEquals(map("use.endpoint.health.status", "[\"generate\"]", "prot", "19742"),
                AgentArguments.decode("use.endpoint.health.status=[\"generate\"],prot=19742", problems));
        assertEquals(map("use.endpoint.health.status", "[\"a],b\",\"c\"]", "port", "1"),
                AgentArguments.decode("use.endpoint.health.status=[\"a],b\",\"c\"],port=1", problems),
                "a bracket inside a name is no end");
        assertTrue(problems.isEmpty(), problems.toString());
    }

    /** A number, a flag or a host never holds a comma: no hint to escape one (a re-tester saw port=19735%2Cb). */
    @Test
    void givesNoHintToEscapeACommaAfterAValueThatHoldsNone() {
        assertEquals(map("port", "19735"), AgentArguments.decode("port=19735,b", problems));

        assertEquals(Collections.singletonList("agent argument 'b' is not a setting; pass name=value pairs joined by"
                + " ',' (e.g. -javaagent:dynamo-agent.jar=port=9000,host=127.0.0.1) or DYN_* pairs joined by '&'. It"
                + " is ignored"), problems);
    }

    @Test
    void saysToWriteACommaInAValueAsPercent2C() {
        assertEquals(map("namespace", "a", "port", "9000"),
                AgentArguments.decode("namespace=a,b,c,port=9000", problems));
        assertEquals(map("DYN_NAMESPACE", "a"), AgentArguments.decode("DYN_NAMESPACE=a&b", problems));

        assertEquals(Arrays.asList(
                "agent argument 'b' is not a setting. If it is the rest of the value before it, cut at a ',', write"
                        + " that ',' as %2C: namespace=a%2Cb; otherwise pass name=value pairs joined by ',' (e.g."
                        + " -javaagent:dynamo-agent.jar=port=9000,host=127.0.0.1) or DYN_* pairs joined by '&'. It is"
                        + " ignored",
                "agent argument 'c' is not a setting. If it is the rest of the value before it, cut at a ',', write"
                        + " that ',' as %2C: namespace=a%2Cb%2Cc; otherwise pass name=value pairs joined by ',' (e.g."
                        + " -javaagent:dynamo-agent.jar=port=9000,host=127.0.0.1) or DYN_* pairs joined by '&'. It is"
                        + " ignored",
                "agent argument 'b' is not a setting. If it is the rest of the value before it, cut at a '&', write"
                        + " that '&' as %26: DYN_NAMESPACE=a%26b; otherwise pass name=value pairs joined by ',' (e.g."
                        + " -javaagent:dynamo-agent.jar=port=9000,host=127.0.0.1) or DYN_* pairs joined by '&'. It is"
                        + " ignored"), problems);
        assertEquals(map("namespace", "a,b,c", "port", "9000"),
                AgentArguments.decode("namespace=a%2Cb%2Cc,port=9000", new ArrayList<>()), "as the line says");
    }

    @Test
    void continuesNoOtherValue() {
        assertEquals(map("port", "9000", "prot", "1"), AgentArguments.decode("port=9000,prot=1", problems),
                "an unknown name after a plain value stays a name of its own, to be reported");
    }

    @Test
    void leavesPlusSignsAlone() {
        assertEquals(map("namespace", "a+b"), AgentArguments.decode("namespace=a+b", problems));
    }

    /**
     * An IPv6 address's zone after {@code %} ({@code fe80::1%99}, {@code %12}) is not an escape of text: before, it
     * was decoded into a byte that is no character, or a control character, and the host was refused (a re-tester).
     */
    @Test
    void keepsEscapesThatMakeNoTextAsWrittenAndDecodesTheOthers() {
        assertEquals(map("host", "fe80::1%99"), AgentArguments.decode("host=fe80::1%99", problems));
        assertEquals(map("host", "fe80::1%12"), AgentArguments.decode("host=fe80::1%12", problems));
        assertEquals(map("host", "fe80::1%99"), AgentArguments.decode("host=fe80::1%2599", problems));
        assertEquals(map("namespace", "caf\u00e9,x%C3"), AgentArguments.decode("namespace=caf%C3%A9%2Cx%C3", problems));
        assertTrue(problems.isEmpty(), problems.toString());
    }

    @Test
    void keepsAMalformedEscapeAsItIs() {
        assertEquals(map("DYN_NAMESPACE", "100%"), AgentArguments.decode("DYN_NAMESPACE=100%", problems));
        assertTrue(problems.isEmpty());
    }
}
