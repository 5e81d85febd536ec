package dev.dynamo.agent.internal.attach;

import dev.dynamo.agent.internal.config.AgentConfig;
import net.bytebuddy.agent.ByteBuddyAgent;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar dynamo-agent.jar <pid>}: loads this agent into the running JVM {@code pid},
 * passing along the {@code DYN_*} variables of this command's environment, the files they name made
 * absolute against this command's directory.
 */
public final class AttachCommand {
    static final String USAGE = "usage: java -jar dynamo-agent.jar <pid>\n"
            + "  Attaches dynamo-agent to the running JVM with process id <pid>. The DYN_* settings of this\n"
            + "  command's environment (DYN_SYSTEM_PORT, DYN_LOG, ...) are passed to the agent in that JVM.";

    /** The settings that name files, which the target JVM reads. */
    private static final List<String> PATH_SETTINGS = Arrays.asList(AgentConfig.WEB_CONFIG, AgentConfig.CONFIG_FILE);

    private AttachCommand() {
    }

    /** Runs the command; returns the process exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help"))) {
            out.println(USAGE);
            return 0;
        }
        if (args.length != 1 || !args[0].matches("[0-9]+")) {
            String given = String.join(" ", args).trim();
            err.println("dynamo-agent: expected one process id, got " + (given.isEmpty() ? "none" : given) + "\n"
                    + USAGE);
            return 2;
        }
        String pid = args[0];
        if (Boolean.FALSE.equals(processExists(pid))) {
            err.println("dynamo-agent: no Java process with pid " + pid + ": no process has that id (see jps -l for"
                    + " the Java processes of this user)");
            return 1;
        }
        if (disablesAttach(read("/proc/" + pid + "/cmdline"), read("/proc/" + pid + "/environ"))) {
            // Asking it anyway, the attach handshake would make it print a thread dump to its stdout.
            err.println("dynamo-agent: JVM " + pid + " was started with -XX:+DisableAttachMechanism, so no agent can"
                    + " be loaded into it while it runs; add -javaagent:dynamo-agent.jar to its command line instead");
            return 1;
        }
        try {
            File agentJar = new File(AttachCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!agentJar.isFile()) {
                err.println("dynamo-agent: attach must run from dynamo-agent.jar, not from " + agentJar);
                return 1;
            }
            ByteBuddyAgent.attach(agentJar, pid, AgentArguments.encode(withAbsolutePaths(System.getenv())));
            out.println("dynamo-agent: attached to JVM " + pid + "; the agent reports on that JVM's stderr,"
                    + " including settings it could not apply");
            return 0;
        } catch (URISyntaxException | RuntimeException failed) {
            err.println(exitedDuringTheAttach(pid) ? "dynamo-agent: cannot attach to JVM " + pid + ": it exited during"
                    + " the attach (" + rootCause(failed) + ")" : attachFailure(pid, rootCause(failed)));
            return 1;
        }
    }

    /**
     * {@code environment} with the files its settings name made absolute against this command's directory: the
     * target JVM reads them, from its own working directory, where a file the operator named relatively was
     * "no such file" (a re-tester).
     */
    static Map<String, String> withAbsolutePaths(Map<String, String> environment) {
        Map<String, String> absolute = new LinkedHashMap<String, String>(environment);
        for (String setting : PATH_SETTINGS) {
            String path = absolute.get(setting);
            if (path != null && !path.trim().isEmpty() && !new File(path.trim()).isAbsolute()) {
                absolute.put(setting, new File(path.trim()).getAbsolutePath());
            }
        }
        return absolute;
    }

    /**
     * Whether JVM {@code pid} is gone a moment after a failed attach: one that was exiting answers the attach with
     * "Premature EOF" or "No such process", and the usual questions (same user? attach disabled?) misled.
     */
    static boolean exitedDuringTheAttach(String pid) {
        for (int wait = 0; wait < 5; wait++) {
            if (Boolean.FALSE.equals(processExists(pid))) {
                return true;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /**
     * What to say of an attach that failed with {@code cause}: the JVM's own reason, and what to do. A
     * JVM that refuses agents loaded while it runs (21 and later, with {@code -XX:-EnableDynamicAgentLoading})
     * says so itself, and then the other reasons a user is asked about do not apply. Nor do they where the
     * runtime that runs the command has no attach library (before, the line asked about the target only).
     */
    static String attachFailure(String pid, String cause) {
        if (cause.contains("No compatible attachment provider")) {
            // ByteBuddy found no attach library in the runtime that runs this command: the target is not at fault.
            return "dynamo-agent: cannot attach to JVM " + pid + ": the Java runtime that runs this command ("
                    + System.getProperty("java.home") + ") has no attach support: the module jdk.attach is not among"
                    + " its modules (a JRE, a jlink image without it, or left out by --limit-modules); run the"
                    + " command with the java of a full JDK, with all its modules";
        }
        if (cause.contains("Module java.instrument not found")) {
            // The JVM was reached (same user, attach on) but cannot load an agent: its runtime has no java.instrument.
            return "dynamo-agent: cannot attach to JVM " + pid + ": " + cause + ". Its Java runtime has no module"
                    + " java.instrument, which every Java agent needs (a jlink image made without it): add it to the"
                    + " image (jlink --add-modules java.instrument)";
        }
        if (cause.contains("EnableDynamicAgentLoading")) {
            return "dynamo-agent: cannot attach to JVM " + pid + ": " + cause + " Or add"
                    + " -javaagent:dynamo-agent.jar to its command line, which needs no such flag";
        }
        return "dynamo-agent: cannot attach to JVM " + pid + ": " + cause
                + " (is it a running JVM of the same user, started without -XX:+DisableAttachMechanism?"
                + " See jps -l for the Java processes of this user)";
    }

    /**
     * Whether a process with this id runs, or null when this JVM cannot tell. Asked before attaching
     * because the attach library, given a missing process, fails with a message that names only its
     * own classes. {@code ProcessHandle} is Java 9+, and the command may run on Java 8: there
     * {@code /proc} answers on Linux.
     */
    static Boolean processExists(String pid) {
        long id;
        try {
            id = Long.parseLong(pid);
        } catch (NumberFormatException tooLong) {
            return Boolean.FALSE;
        }
        try {
            Class<?> processHandle = Class.forName("java.lang.ProcessHandle");
            Object found = processHandle.getMethod("of", long.class).invoke(null, id);
            return (Boolean) found.getClass().getMethod("isPresent").invoke(found);
        } catch (ReflectiveOperationException | RuntimeException java8) {
            return new File("/proc/self").isDirectory() ? new File("/proc/" + id).isDirectory() : null;
        }
    }

    /**
     * Whether a JVM with this command line and environment ({@code /proc/<pid>/cmdline} and
     * {@code environ}: NUL-separated; empty where they cannot be read) disables attach: the last of
     * {@code -XX:+DisableAttachMechanism} and {@code -XX:-DisableAttachMechanism} wins, and the JVM
     * reads {@code JAVA_TOOL_OPTIONS} before its command line.
     */
    static boolean disablesAttach(byte[] cmdline, byte[] environ) {
        StringBuilder options = new StringBuilder();
        for (String variable : new String(environ, StandardCharsets.UTF_8).split("\0")) {
            if (variable.startsWith("JAVA_TOOL_OPTIONS=") || variable.startsWith("JDK_JAVA_OPTIONS=")) {
                options.append(variable.substring(variable.indexOf('=') + 1)).append(' ');
            }
        }
        for (String argument : new String(cmdline, StandardCharsets.UTF_8).split("\0")) {
            options.append(argument).append(' ');
        }
        String all = options.toString();
        return all.lastIndexOf("-XX:+DisableAttachMechanism") > all.lastIndexOf("-XX:-DisableAttachMechanism");
    }

    /** The file's bytes, or none where it cannot be read (not Linux, another user's process). */
    private static byte[] read(String file) {
        try {
            return Files.readAllBytes(Paths.get(file));
        } catch (IOException | RuntimeException unreadable) {
            return new byte[0];
        }
    }

    /** The innermost cause, which says what went wrong, without the attach library's own wrapping. */
    private static String rootCause(Throwable failed) {
        Throwable root = failed;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (root == failed && message != null && message.contains("AttachmentProvider")) {
            // ByteBuddy's "Error during attachment using: ...AttachmentProvider$Compound@4d405ef7" says nothing more.
            return "the attach mechanism refused";
        }
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
