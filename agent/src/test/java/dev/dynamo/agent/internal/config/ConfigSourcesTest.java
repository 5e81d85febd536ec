package dev.dynamo.agent.internal.config;

import dev.dynamo.agent.internal.SettingFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ConfigSourcesTest {
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private final Map<String, String> environment = new HashMap<String, String>();
    private final Properties properties = new Properties();

    @TempDir
    Path dir;

    private ConfigSources read(String arguments) {
        return ConfigSources.read(arguments, environment, properties);
    }

    private Path file(String... lines) throws IOException {
        Path file = dir.resolve("dynamo.properties");
        Files.write(file, String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
        return file;
    }

    private Path bytes(byte[]... parts) throws IOException {
        Path file = dir.resolve("dynamo.properties");
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            content.write(part);
        }
        Files.write(file, content.toByteArray());
        return file;
    }

    @Test
    void readsEachSourceAlone() throws IOException {
        assertEquals("9001", read("port=9001").values().get("DYN_SYSTEM_PORT"));

        properties.setProperty("dyn.system.port", "9002");
        assertEquals("9002", read(null).values().get("DYN_SYSTEM_PORT"));
        properties.clear();

        environment.put("DYN_SYSTEM_PORT", "9003");
        assertEquals("9003", read(null).values().get("DYN_SYSTEM_PORT"));
        environment.clear();

        environment.put("DYN_CONFIG_FILE", file("DYN_SYSTEM_PORT=9004").toString());
        assertEquals("9004", read(null).values().get("DYN_SYSTEM_PORT"));
    }

    /**
     * A warning about settings names each as it was given, and says to remove what was not set in the environment:
     * before, {@code -javaagent:dynamo-agent.jar=enabled=false,port=19201} was told to "unset DYN_SYSTEM_ENABLED",
     * a variable that was not set (a re-tester).
     */
    @Test
    void namesEachSettingInAMessageAsItWasGiven() throws IOException {
        String conflict = "DYN_SYSTEM_ENABLED is false, so the metrics server is off although DYN_SYSTEM_PORT=19201;"
                + " unset DYN_SYSTEM_ENABLED to serve on that port";
        String fromArguments = AgentConfig.fromEnvironment(read("enabled=false,port=19201").values()).conflicts().get(0);
        assertEquals(conflict, fromArguments);
        assertEquals("agent argument enabled is false, so the metrics server is off although agent argument"
                + " port=19201; remove agent argument enabled to serve on that port",
                read("enabled=false,port=19201").asGiven(fromArguments));

        properties.setProperty("dyn.system.enabled", "false");
        environment.put("DYN_SYSTEM_PORT", "19201");
        assertEquals("system property dyn.system.enabled is false, so the metrics server is off although"
                + " DYN_SYSTEM_PORT=19201; remove system property dyn.system.enabled to serve on that port",
                read(null).asGiven(conflict));
        properties.clear();

        environment.clear();
        Path file = file("enabled=false", "DYN_SYSTEM_PORT=19201");
        environment.put("DYN_CONFIG_FILE", file.toString());
        assertEquals("DYN_SYSTEM_ENABLED is false, so the metrics server is off although DYN_SYSTEM_PORT=19201;"
                + " remove enabled from file " + file + " to serve on that port (set in file " + file + ": DYN_SYSTEM_PORT)",
                read(null).asGiven(conflict));
        assertEquals("DYN_SYSTEM_PORT='x' is not a port number, nor DYN_SYSTEM_ENABLED (set in file " + file
                + ": DYN_SYSTEM_ENABLED as enabled, DYN_SYSTEM_PORT)", read(null).asGiven("DYN_SYSTEM_PORT='x' is not a port number, nor"
                        + " DYN_SYSTEM_ENABLED"));

        environment.put("DYN_SYSTEM_ENABLED", "false");
        assertEquals("agent argument enabled is false, so the metrics server is off although agent argument"
                + " port=19201; remove agent argument enabled and unset DYN_SYSTEM_ENABLED and remove enabled from"
                + " file " + file + " to serve on that port", read("enabled=false,port=19201").asGiven(conflict),
                "removing the argument alone would leave the weaker sources' false in force (a re-tester)");

        environment.clear();
        environment.put("DYN_SYSTEM_ENABLED", "false");
        environment.put("DYN_SYSTEM_PORT", "19201");
        assertEquals(conflict, read(null).asGiven(conflict), "the environment's names are as given");
        assertEquals("agent argument host='a b' is not a host; DYN_SYSTEM_HOST_X stays",
                read("host=a b").asGiven("DYN_SYSTEM_HOST='a b' is not a host; DYN_SYSTEM_HOST_X stays"),
                "a longer name that starts with a setting's is not that setting");
        environment.clear();
        assertEquals("agent argument port='DYN_SYSTEM_PORT' is not a port number; agent argument web.config=/cfg/"
                + "DYN_SYSTEM_WEB_CONFIG.yml: no such file; agent argument metrics.path='/x/MYDYN_LOG y' is not a"
                + " path", read("port=x,web.config=y,metrics.path=z,log=info").asGiven("DYN_SYSTEM_PORT='DYN_SYSTEM_PORT'"
                        + " is not a port number; DYN_SYSTEM_WEB_CONFIG=/cfg/DYN_SYSTEM_WEB_CONFIG.yml: no such file;"
                        + " DYN_SYSTEM_METRICS_PATH='/x/MYDYN_LOG y' is not a path"),
                "a setting's name inside a value, a path or a word is the user's (a re-tester)");
        environment.put("DYN_SYSTEM_ENABLED", "true");
        assertEquals("agent argument enabled is false; remove agent argument enabled to serve",
                read("enabled=false").asGiven("DYN_SYSTEM_ENABLED is false; unset DYN_SYSTEM_ENABLED to serve"),
                "a weaker source whose value would serve is not to be removed (a re-tester)");
        environment.put("DYN_SYSTEM_ENABLED", "no");
        assertEquals("agent argument enabled is false; remove agent argument enabled and unset DYN_SYSTEM_ENABLED to"
                + " serve", read("enabled=false").asGiven("DYN_SYSTEM_ENABLED is false; unset DYN_SYSTEM_ENABLED to serve"));
        environment.clear();
        properties.setProperty("dyn.config.file", "/nonexistent/x");
        assertTrue(read(null).problems().get(0).startsWith("system property dyn.config.file='/nonexistent/x' cannot"
                + " be read"), read(null).problems().toString());
    }

    @Test
    void argumentsBeatSystemPropertiesBeatTheEnvironmentBeatsTheFile() throws IOException {
        environment.put("DYN_CONFIG_FILE", file("port=1", "host=file-host", "log=debug", "namespace=from-file")
                .toString());
        environment.put("DYN_SYSTEM_PORT", "2");
        environment.put("DYN_SYSTEM_HOST", "env-host");
        environment.put("DYN_LOG", "info");
        properties.setProperty("dyn.system.port", "3");
        properties.setProperty("dyn.system.host", "property-host");

        ConfigSources sources = read("port=4");

        assertEquals("4", sources.values().get("DYN_SYSTEM_PORT"));
        assertEquals("property-host", sources.values().get("DYN_SYSTEM_HOST"));
        assertEquals("info", sources.values().get("DYN_LOG"));
        assertEquals("from-file", sources.values().get("DYN_NAMESPACE"));
        assertEquals("agent argument port", sources.origins().get("DYN_SYSTEM_PORT"));
        assertEquals("system property dyn.system.host", sources.origins().get("DYN_SYSTEM_HOST"));
        assertEquals("environment", sources.origins().get("DYN_LOG"));
        assertTrue(sources.origins().get("DYN_NAMESPACE").startsWith("file "), sources.origins().toString());
        assertTrue(sources.problems().isEmpty(), sources.problems().toString());
    }

    @Test
    void anEmptyValueLetsTheNextSourceSpeak() {
        environment.put("DYN_SYSTEM_PORT", "9100");
        properties.setProperty("dyn.system.port", " ");

        assertEquals("9100", read("port=").values().get("DYN_SYSTEM_PORT"));
    }

    @Test
    void theFileCanBeNamedByAnArgumentOrASystemProperty() throws IOException {
        Path file = file("dyn.namespace=from-file");

        assertEquals("from-file", read("config.file=" + file).values().get("DYN_NAMESPACE"));
        properties.setProperty("dyn.config.file", file.toString());
        assertEquals("from-file", read(null).values().get("DYN_NAMESPACE"));
    }

    @Test
    void acceptsEverySpellingOfANameInTheFile() throws IOException {
        environment.put("DYN_CONFIG_FILE", file("DYN_SYSTEM_PORT=1", "dyn.system.host=h", "health_path=/h",
                "live-path=/l", "LOG=info").toString());

        Map<String, String> values = read(null).values();

        assertEquals("1", values.get("DYN_SYSTEM_PORT"));
        assertEquals("h", values.get("DYN_SYSTEM_HOST"));
        assertEquals("/h", values.get("DYN_SYSTEM_HEALTH_PATH"));
        assertEquals("/l", values.get("DYN_SYSTEM_LIVE_PATH"));
        assertEquals("info", values.get("DYN_LOG"));
    }

    @Test
    void refusesANamedPipeWithoutOpeningItAndKeepsTheOtherSources() throws Exception {
        Path pipe = dir.resolve("pipe.properties");
        assumeTrue(new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor() == 0, "needs mkfifo");
        environment.put("DYN_CONFIG_FILE", pipe.toString());
        environment.put("DYN_SYSTEM_PORT", "9100");

        // Opening a named pipe for reading blocks until a writer comes: this would never return.
        ConfigSources sources = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> read(null));

        assertEquals(1, sources.problems().size(), sources.problems().toString());
        assertTrue(sources.problems().get(0).startsWith("DYN_CONFIG_FILE='" + pipe + "' cannot be read: it is not a"
                + " regular file (a named pipe, device or socket)"), sources.problems().get(0));
        assertTrue(sources.problems().get(0).contains("at most 1 MiB"), sources.problems().get(0));
        assertEquals("9100", sources.values().get("DYN_SYSTEM_PORT"));
    }

    @Test
    void refusesADeviceAndAFileOverTheSizeBound() throws IOException {
        Path devZero = Paths.get("/dev/zero");
        assumeTrue(Files.exists(devZero), "needs /dev/zero");
        environment.put("DYN_CONFIG_FILE", devZero.toString());
        ConfigSources device = read(null);
        assertEquals(1, device.problems().size(), device.problems().toString());
        assertTrue(device.problems().get(0).contains("it is not a regular file"), device.problems().get(0));

        Path huge = dir.resolve("huge.properties");
        byte[] content = new byte[SettingFiles.MAX_BYTES + 1];
        Arrays.fill(content, (byte) '#');
        Files.write(huge, content);
        environment.put("DYN_CONFIG_FILE", huge.toString());
        ConfigSources oversized = read(null);
        assertEquals(1, oversized.problems().size(), oversized.problems().toString());
        assertTrue(oversized.problems().get(0).contains("cannot be read: it is larger than 1 MiB (1048576 bytes)"),
                oversized.problems().get(0));

        byte[] port = "port=9005\n".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(port, 0, content, 0, port.length);
        Files.write(huge, Arrays.copyOf(content, SettingFiles.MAX_BYTES));
        ConfigSources atTheBound = read(null);
        assertEquals(Collections.emptyList(), atTheBound.problems());
        assertEquals("9005", atTheBound.values().get("DYN_SYSTEM_PORT"));
    }

    @Test
    void reportsAnUnreadableFileOnceAndKeepsTheOtherSources() {
        environment.put("DYN_CONFIG_FILE", dir.resolve("missing.properties").toString());
        environment.put("DYN_SYSTEM_PORT", "9100");

        ConfigSources sources = read(null);

        assertEquals(1, sources.problems().size(), sources.problems().toString());
        assertTrue(sources.problems().get(0).startsWith("DYN_CONFIG_FILE='" + dir.resolve("missing.properties")
                + "' cannot be read"), sources.problems().get(0));
        assertEquals("9100", sources.values().get("DYN_SYSTEM_PORT"));
    }

    @Test
    void reportsUnknownNamesInTheFileNamingTheAcceptedOnes() throws IOException {
        environment.put("DYN_CONFIG_FILE", file("DYN_SYSTEM_PROT=9000", "port=9001").toString());

        ConfigSources sources = read(null);

        assertEquals(1, sources.problems().size(), sources.problems().toString());
        String problem = sources.problems().get(0);
        assertTrue(problem.contains("'DYN_SYSTEM_PROT' is not a setting"), problem);
        assertTrue(problem.contains("DYN_SYSTEM_PORT (port)"), problem);
        assertEquals("9001", sources.values().get("DYN_SYSTEM_PORT"));
    }

    /** Windows editors and PowerShell's {@code -Encoding utf8} start a file with one: it spoiled the first name. */
    @Test
    void skipsAByteOrderMarkAtTheStartOfTheFile() throws IOException {
        Path file = bytes(BOM, "port=9006\nnamespace=orders\n".getBytes(StandardCharsets.UTF_8));
        environment.put("DYN_CONFIG_FILE", file.toString());

        ConfigSources sources = read(null);

        assertEquals(Collections.emptyList(), sources.problems());
        assertEquals("9006", sources.values().get("DYN_SYSTEM_PORT"));
        assertEquals("orders", sources.values().get("DYN_NAMESPACE"));

        bytes(BOM, "# saved by PowerShell\nport=9007\n".getBytes(StandardCharsets.UTF_8));
        ConfigSources commentFirst = read(null);
        assertEquals(Collections.emptyList(), commentFirst.problems());
        assertEquals("9007", commentFirst.values().get("DYN_SYSTEM_PORT"));
    }

    /** A Latin-1 {@code é} became {@code \ufffd} without a word, and so a label value of every endpoint. */
    @Test
    void saysALineThatIsNotUtf8WithItsNumberAndIgnoresItsSetting() throws IOException {
        Path file = bytes("port=9008\nnamespace=caf".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0xE9},
                "\n# caf".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0xE9, '\n'});
        environment.put("DYN_CONFIG_FILE", file.toString());

        ConfigSources sources = read(null);

        assertEquals(1, sources.problems().size(), sources.problems().toString());
        String problem = sources.problems().get(0);
        assertTrue(problem.startsWith("DYN_CONFIG_FILE " + file + " line 2: byte 0xE9 (byte 14 of the line) is not"
                + " UTF-8; the file must be UTF-8"), problem);
        assertTrue(problem.endsWith("The setting on this line, 'namespace', is ignored"), problem);
        assertEquals(null, sources.values().get("DYN_NAMESPACE"));
        assertEquals("9008", sources.values().get("DYN_SYSTEM_PORT"));
    }

    @Test
    void namesTheLineOfAnUnknownNameCountingContinuedLinesCommentsAndCrLf() throws IOException {
        environment.put("DYN_CONFIG_FILE", file("# a comment ends in \\\r", "port=90\\\r", "  07\r", "\r",
                "prot=1\r", "host=h").toString());

        ConfigSources sources = read(null);

        assertEquals(1, sources.problems().size(), sources.problems().toString());
        assertTrue(sources.problems().get(0).contains(".properties line 5: 'prot' is not a setting"),
                sources.problems().get(0));
        assertEquals("9007", sources.values().get("DYN_SYSTEM_PORT"));
        assertEquals("h", sources.values().get("DYN_SYSTEM_HOST"));
    }

    /** The short name won whatever the order, without a word, where the agent arguments take the last and say so. */
    @Test
    void theLastLineOfASettingGivenTwiceInTheFileIsUsedAndOneLineSaysSo() throws IOException {
        Path file = file("port=19210", "dyn.system.port=19211", "host=h", "DYN_SYSTEM_PORT=19212");
        environment.put("DYN_CONFIG_FILE", file.toString());

        ConfigSources sources = read(null);

        assertEquals("19212", sources.values().get("DYN_SYSTEM_PORT"));
        assertEquals("h", sources.values().get("DYN_SYSTEM_HOST"));
        assertEquals(Collections.singletonList("DYN_CONFIG_FILE " + file + ": DYN_SYSTEM_PORT is given 3 times (line 1"
                + " port=19210, line 2 dyn.system.port=19211, then line 4 DYN_SYSTEM_PORT=19212); the last, line 4"
                + " DYN_SYSTEM_PORT=19212, is used"), sources.problems());

        file("DYN_SYSTEM_PORT=19212", "dyn.system.port=19211", "port=19210");
        ConfigSources reversed = read(null);
        assertEquals("19210", reversed.values().get("DYN_SYSTEM_PORT"));
        assertEquals(1, reversed.problems().size(), reversed.problems().toString());
        assertTrue(reversed.problems().get(0).endsWith("the last, line 3 port=19210, is used"),
                reversed.problems().get(0));

        file("port=19210", "port=19211");
        ConfigSources sameName = read(null);
        assertEquals("19211", sameName.values().get("DYN_SYSTEM_PORT"));
        assertEquals(Collections.singletonList("DYN_CONFIG_FILE " + file + ": DYN_SYSTEM_PORT is given twice (line 1"
                + " port=19210, then line 2 port=19211); the last, line 2 port=19211, is used"), sameName.problems());
    }

    /** A re-tester's file: port = 21212 on line 1, a bare "port" on line 4, and the server was off. */
    @Test
    void aLaterEmptyLineInTheFileDoesNotTakeAwayAnEarlierValue() throws IOException {
        Path file = file("port = 19214", "host=h", "", "port");
        environment.put("DYN_CONFIG_FILE", file.toString());

        ConfigSources sources = read(null);

        assertEquals("19214", sources.values().get("DYN_SYSTEM_PORT"));
        assertEquals(Collections.singletonList("DYN_CONFIG_FILE " + file + ": DYN_SYSTEM_PORT is given twice (line 1"
                + " port=19214, then line 4 port=); the last with a value (an empty one counts as unset), line 1"
                + " port=19214, is used"), sources.problems());

        file("port=", "port=");
        ConfigSources allEmpty = read(null);
        assertEquals(null, allEmpty.values().get("DYN_SYSTEM_PORT"));
        assertTrue(allEmpty.problems().get(0).endsWith("the last, line 2 port=, is used"), allEmpty.problems().toString());
    }

    @Test
    void aSettingGivenManyTimesInTheFileIsOneShortLine() throws IOException {
        String[] lines = new String[50_000];
        for (int i = 0; i < lines.length; i++) {
            lines[i] = "namespace=n" + (i + 1);
        }
        Path file = file(lines);
        environment.put("DYN_CONFIG_FILE", file.toString());

        ConfigSources sources = read(null);

        assertEquals("n50000", sources.values().get("DYN_NAMESPACE"));
        assertEquals(Collections.singletonList("DYN_CONFIG_FILE " + file + ": DYN_NAMESPACE is given 50000 times"
                + " (line 1 namespace=n1, line 2 namespace=n2, line 3 namespace=n3, ... 49996 more, then line 50000"
                + " namespace=n50000); the last, line 50000 namespace=n50000, is used"), sources.problems());
    }

    @Test
    void aSettingGivenTwiceInTheFileIsSaidAlsoWhenAStrongerSourceWins() throws IOException {
        Path file = file("port=19210", "port=19211");
        environment.put("DYN_CONFIG_FILE", file.toString());
        environment.put("DYN_SYSTEM_PORT", "19213");

        ConfigSources sources = read(null);

        assertEquals("19213", sources.values().get("DYN_SYSTEM_PORT"));
        assertEquals(Collections.singletonList("DYN_CONFIG_FILE " + file + ": DYN_SYSTEM_PORT is given twice (line 1"
                + " port=19210, then line 2 port=19211); the last, line 2 port=19211, is the file's;"
                + " DYN_SYSTEM_PORT=19213 (environment) wins over the file"), sources.problems());
    }

    @Test
    void aMalformedUnicodeEscapeRefusesTheFileNamingItsLine() throws IOException {
        Path file = file("port=1", "namespace=\\uZZZZ");
        environment.put("DYN_CONFIG_FILE", file.toString());

        ConfigSources sources = read(null);

        assertEquals(1, sources.problems().size(), sources.problems().toString());
        assertTrue(sources.problems().get(0).startsWith("DYN_CONFIG_FILE='" + file + "' cannot be read (line 2: "
                + "Malformed \\uxxxx encoding.)"), sources.problems().get(0));
        assertEquals(null, sources.values().get("DYN_SYSTEM_PORT"));
    }

    @Test
    void reportsUnknownArgumentsAndDynSystemPropertiesButNotOtherProperties() {
        properties.setProperty("dyn.system.prot", "1");
        properties.setProperty("java.version", "17");
        properties.setProperty("dynamic.thing", "x");

        ConfigSources sources = read("prot=9000,port=9001");

        assertEquals(2, sources.problems().size(), sources.problems().toString());
        assertTrue(sources.problems().get(0).startsWith("agent argument 'prot' is not a setting; accepted:"),
                sources.problems().get(0));
        assertTrue(sources.problems().get(1).startsWith("system property 'dyn.system.prot' is not a setting"),
                sources.problems().get(1));
        assertEquals("9001", sources.values().get("DYN_SYSTEM_PORT"));
    }

    /**
     * A re-tester's -Ddyn.system.port=21216 -Ddyn.System.Port=21217: the undocumented spelling won, by the order the
     * JVM happens to keep its properties in, without a word.
     */
    @Test
    void aSettingGivenAsSeveralSystemPropertiesTakesTheDocumentedSpellingAndSaysSo() {
        properties.setProperty("dyn.System.Port", "21217");
        properties.setProperty("DYN_SYSTEM_PORT", "21219");
        properties.setProperty("dyn.system.port", "21216");
        properties.setProperty("DYN_NAMESPACE", "cc");
        properties.setProperty("dyn.Namespace", "bb");
        properties.setProperty("dyn.system.host", "h");

        ConfigSources sources = read(null);

        assertEquals("21216", sources.values().get("DYN_SYSTEM_PORT"));
        assertEquals("system property dyn.system.port", sources.origins().get("DYN_SYSTEM_PORT"));
        assertEquals("cc", sources.values().get("DYN_NAMESPACE"));
        assertEquals("h", sources.values().get("DYN_SYSTEM_HOST"));
        assertEquals(Arrays.asList(
                "system properties give DYN_NAMESPACE 2 times (DYN_NAMESPACE=cc, dyn.Namespace=bb); DYN_NAMESPACE=cc"
                        + " is used (dyn.lower.case first, then DYN_UPPER_CASE, then other spellings in name order)",
                "system properties give DYN_SYSTEM_PORT 3 times (dyn.system.port=21216, DYN_SYSTEM_PORT=21219,"
                        + " dyn.System.Port=21217); dyn.system.port=21216 is used (dyn.lower.case first, then"
                        + " DYN_UPPER_CASE, then other spellings in name order)"), sources.problems());

        properties.remove("dyn.system.port");
        properties.remove("DYN_SYSTEM_PORT");
        properties.setProperty("dyn.SYSTEM.port", "21218");
        ConfigSources others = read("port=9000");
        assertEquals("9000", others.values().get("DYN_SYSTEM_PORT"));
        assertTrue(others.problems().contains("system properties give DYN_SYSTEM_PORT 2 times (dyn.SYSTEM.port=21218,"
                + " dyn.System.Port=21217); DYN_SYSTEM_PORT=9000 (agent argument port) wins over them"),
                others.problems().toString());
    }

    @Test
    void anEmptySystemPropertyDoesNotCountAsAConflict() {
        properties.setProperty("DYN_SYSTEM_PORT", " ");
        properties.setProperty("dyn.system.port", "9006");

        ConfigSources sources = read(null);

        assertEquals("9006", sources.values().get("DYN_SYSTEM_PORT"));
        assertEquals(Collections.emptyList(), sources.problems());
    }

    /** The variable's name given as a property, as users try: before, ignored without a word. */
    @Test
    void readsASystemPropertyNamedAsTheVariableAndReportsAnUnknownOne() {
        properties.setProperty("DYN_SYSTEM_PORT", "9005");
        properties.setProperty("DYN_SYSTEM_PROT", "1");

        ConfigSources sources = read(null);

        assertEquals("9005", sources.values().get("DYN_SYSTEM_PORT"));
        assertEquals("system property DYN_SYSTEM_PORT", sources.origins().get("DYN_SYSTEM_PORT"));
        assertEquals(1, sources.problems().size(), sources.problems().toString());
        assertTrue(sources.problems().get(0).startsWith("system property 'DYN_SYSTEM_PROT' is not a setting"),
                sources.problems().get(0));
    }

    @Test
    void ignoresUnknownDynVariablesOfTheEnvironment() {
        environment.put("DYN_RUNTIME_SOMETHING", "x");

        ConfigSources sources = read(null);

        assertTrue(sources.problems().isEmpty());
        assertTrue(sources.values().isEmpty());
    }

    @Test
    void neverWritesSystemProperties() {
        properties.setProperty("dyn.system.port", "9000");
        Properties before = new Properties();
        before.putAll(properties);

        read("host=127.0.0.1");

        assertEquals(before, properties);
    }

    @Test
    void describesEverySettingWithItsSourceInOneLine() {
        environment.put("DYN_LOG", "info");
        properties.setProperty("dyn.namespace", "team");

        String line = read("port=9000").describe();

        assertEquals("settings: DYN_SYSTEM_PORT=9000 (agent argument port), DYN_NAMESPACE=team"
                + " (system property dyn.namespace), DYN_LOG=info (environment)", line);
        assertTrue(ConfigSources.read(null, Collections.<String, String>emptyMap(), new Properties()).describe()
                .startsWith("settings: none given"));
    }

    @Test
    void theFileCannotNameAnotherFile() throws IOException {
        Path other = file("port=1");
        Path first = dir.resolve("first.properties");
        Files.write(first, ("DYN_CONFIG_FILE=" + other + "\nhost=h\n").getBytes(StandardCharsets.UTF_8));
        environment.put("DYN_CONFIG_FILE", first.toString());

        ConfigSources sources = read(null);

        assertEquals(1, sources.problems().size(), sources.problems().toString());
        assertEquals(null, sources.values().get("DYN_SYSTEM_PORT"));
        assertEquals("h", sources.values().get("DYN_SYSTEM_HOST"));
    }
}
