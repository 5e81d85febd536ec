package dev.dynamo.agent.internal.attach;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttachCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return AttachCommand.run(args, new PrintStream(out, true), new PrintStream(err, true));
    }

    private static String text(ByteArrayOutputStream stream) {
        return new String(stream.toByteArray(), StandardCharsets.UTF_8);
    }

    /** Asked anyway, such a JVM prints a thread dump to its stdout (the attach handshake's signal). */
    @Test
    void aJvmStartedWithAttachDisabledIsNotAsked() {
        byte[] noEnvironment = new byte[0];
        assertTrue(AttachCommand.disablesAttach(nul("java", "-XX:+DisableAttachMechanism", "-jar", "app.jar"),
                noEnvironment));
        assertFalse(AttachCommand.disablesAttach(nul("java", "-jar", "app.jar"), noEnvironment));
        assertFalse(AttachCommand.disablesAttach(nul("java", "-XX:+DisableAttachMechanism",
                "-XX:-DisableAttachMechanism", "Main"), noEnvironment), "the last one wins");
        assertTrue(AttachCommand.disablesAttach(nul("java", "Main"),
                nul("HOME=/root", "JAVA_TOOL_OPTIONS=-Xmx1g -XX:+DisableAttachMechanism")), "from the environment");
        assertFalse(AttachCommand.disablesAttach(nul("java", "-XX:-DisableAttachMechanism", "Main"),
                nul("JAVA_TOOL_OPTIONS=-XX:+DisableAttachMechanism")), "the command line comes after the environment");
        assertFalse(AttachCommand.disablesAttach(new byte[0], noEnvironment), "unreadable: tried");
    }

    private static byte[] nul(String... parts) {
        return (String.join("\0", parts) + "\0").getBytes(StandardCharsets.UTF_8);
    }

    /** The JVM's own reason, and no questions that do not apply to a JVM that refuses agents at run time. */
    @Test
    void aJvmThatRefusesAgentsLoadedAtRunTimeIsNamedAsSuch() {
        String refused = AttachCommand.attachFailure("42", "AgentLoadException: Failed to load agent library: Dynamic"
                + " agent loading is not enabled. Use -XX:+EnableDynamicAgentLoading to launch target VM.");
        assertTrue(refused.startsWith("dynamo-agent: cannot attach to JVM 42: AgentLoadException: Failed to load agent"
                + " library: Dynamic agent loading is not enabled."), refused);
        assertTrue(refused.endsWith("Or add -javaagent:dynamo-agent.jar to its command line, which needs no such flag"),
                refused);
        assertFalse(refused.contains("DisableAttachMechanism"), refused);

        String other = AttachCommand.attachFailure("42", "IOException: No such process");
        assertTrue(other.contains("started without -XX:+DisableAttachMechanism?"), other);
    }

    /** A target whose runtime has no java.instrument was reached: the line says what it lacks, not who may attach. */
    @Test
    void aTargetWithoutJavaInstrumentIsNamedAsTheCause() {
        String failure = AttachCommand.attachFailure("42", "AgentLoadException: Failed to load agent library:"
                + " java.lang.module.FindException: Module java.instrument not found");
        assertTrue(failure.endsWith("Its Java runtime has no module java.instrument, which every Java agent needs (a"
                + " jlink image made without it): add it to the image (jlink --add-modules java.instrument)"), failure);
        assertFalse(failure.contains("DisableAttachMechanism"), failure);
    }

    /** A runtime without an attach library is the cause, not the target: the line names it and the module. */
    @Test
    void aRuntimeWithoutAttachSupportIsNamedAsTheCause() {
        String failure = AttachCommand.attachFailure("42", "IllegalStateException: No compatible attachment provider"
                + " is available");
        assertTrue(failure.contains("the Java runtime that runs this command (" + System.getProperty("java.home")
                + ") has no attach support") && failure.contains("jdk.attach"), failure);
        assertFalse(failure.contains("DisableAttachMechanism"), failure);
    }

    /**
     * The target reads the files from its own working directory: a web configuration named relatively where the
     * operator runs the command was "no such file" there (a re-tester). They are made absolute here.
     */
    @Test
    void makesTheFilesTheSettingsNameAbsoluteAgainstTheCommandsDirectory() {
        Map<String, String> environment = new HashMap<String, String>();
        environment.put("DYN_SYSTEM_WEB_CONFIG", "conf/web.yml");
        environment.put("DYN_CONFIG_FILE", "/etc/dynamo.properties");
        environment.put("DYN_SYSTEM_PORT", "9000");

        Map<String, String> sent = AttachCommand.withAbsolutePaths(environment);

        assertEquals(new File("conf/web.yml").getAbsolutePath(), sent.get("DYN_SYSTEM_WEB_CONFIG"));
        assertTrue(new File(sent.get("DYN_SYSTEM_WEB_CONFIG")).isAbsolute());
        assertEquals("/etc/dynamo.properties", sent.get("DYN_CONFIG_FILE"));
        assertEquals("9000", sent.get("DYN_SYSTEM_PORT"));
    }

    /** A JVM that exits while it is attached to is said to have exited, not asked about its user and flags. */
    @Test
    void tellsAJvmThatIsGoneAfterTheAttachFromOneThatRefused() {
        assertTrue(AttachCommand.exitedDuringTheAttach("2147483646"));
        assertFalse(AttachCommand.exitedDuringTheAttach(String.valueOf(ProcessHandle.current().pid())));
    }

    @Test
    void printsUsageForHelp() {
        assertEquals(0, run("--help"));
        assertEquals(0, run("-h"));

        assertTrue(text(out).startsWith("usage: java -jar dynamo-agent.jar <pid>"), text(out));
        assertEquals("", text(err));
    }

    @Test
    void rejectsMissingOrExtraArguments() {
        assertEquals(2, run());
        assertTrue(text(err).startsWith("dynamo-agent: expected one process id, got none\n"), text(err));
        assertEquals(2, run("123", "456"));

        assertTrue(text(err).contains("expected one process id, got 123 456"), text(err));
        assertTrue(text(err).contains("usage:"), text(err));
    }

    @Test
    void rejectsAProcessIdThatIsNotANumber() {
        assertEquals(2, run("my-app"));

        assertTrue(text(err).contains("expected one process id, got my-app"), text(err));
    }

    @Test
    void saysThatNoProcessHasAnIdThatIsNotInUse() {
        // Above any pid_max (at most 2^22 on Linux), and past a long.
        for (String pid : new String[] {"999999999", "99999999999999999999999"}) {
            assertEquals(1, run(pid));

            assertTrue(text(err).contains("dynamo-agent: no Java process with pid " + pid + ": no process has that id"
                    + " (see jps -l"), text(err));
        }
        assertTrue(!text(err).contains("AttachmentProvider"), text(err));
    }

    @Test
    void refusesToAttachWhenNotRunFromTheAgentJar() {
        // In a unit test this class comes from a directory, not from dynamo-agent.jar.
        assertEquals(1, run("1"));

        assertTrue(text(err).contains("attach must run from dynamo-agent.jar"), text(err));
    }
}
