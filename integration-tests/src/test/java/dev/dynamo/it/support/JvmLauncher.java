package dev.dynamo.it.support;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Describes a {@code java} command: which JDK, with or without the agent, the environment, the class
 * path and main class or a jar, and arguments. Start it with {@link Processes#start(JvmLauncher)}.
 *
 * <pre>{@code
 * ManagedProcess app = processes.start(JvmLauncher.withAgent("guide")
 *         .env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info")
 *         .classpath(Artifacts.appsJar(), Artifacts.apiJar()).mainClass(MetricsGuideApp.class.getName()));
 * }</pre>
 *
 * <p>The environment starts from the test JVM's, minus every {@code DYN_*} variable and the JVM
 * option variables ({@code JAVA_TOOL_OPTIONS} and the like, which would print on stderr), so that
 * the tests see exactly the settings they give; plus {@code DYN_SYSTEM_HOST=127.0.0.1}, so that no
 * test opens a port beyond the loopback interface unless it removes that setting.
 */
public final class JvmLauncher {
    private final String name;
    private Jdk jdk = Jdk.current();
    private boolean agent;
    private String agentArguments;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final List<String> jvmArgs = new ArrayList<>();
    /** A {@code ulimit} option to start the JVM under, or null. */
    private String ulimit;
    /** Whether stderr is a pipe that nobody reads. */
    private boolean stderrNobodyReads;
    private final List<String> classpath = new ArrayList<>();
    private String mainClass;
    private Path jar;
    private Path modulePath;
    private String module;
    private final List<String> args = new ArrayList<>();

    private JvmLauncher(String name, boolean agent) {
        this.name = name;
        this.agent = agent;
        System.getenv().forEach((key, value) -> {
            if (!key.startsWith("DYN_") && !key.equals("JAVA_TOOL_OPTIONS") && !key.equals("JDK_JAVA_OPTIONS")
                    && !key.equals("_JAVA_OPTIONS") && !key.equals("CLASSPATH")) {
                environment.put(key, value);
            }
        });
        environment.put("DYN_SYSTEM_HOST", "127.0.0.1");
    }

    /** A JVM started with {@code -javaagent:dynamo-agent.jar}. */
    public static JvmLauncher withAgent(String name) {
        return new JvmLauncher(name, true);
    }

    /** A JVM without the agent. */
    public static JvmLauncher withoutAgent(String name) {
        return new JvmLauncher(name, false);
    }

    /** The demo server with the agent: {@code java -javaagent:... -jar demo-target.jar server --host 127.0.0.1 ...}. */
    public static JvmLauncher demoServer(String name, String... serverArgs) {
        return withAgent(name).jar(Artifacts.demoJar()).args("server", "--host", "127.0.0.1").args(serverArgs);
    }

    /** The demo client, without the agent, against the demo server on {@code port}. */
    public static JvmLauncher demoClient(String name, int port, String... clientArgs) {
        return withoutAgent(name).jar(Artifacts.demoJar()).args("client", "--port", String.valueOf(port))
                .args(clientArgs);
    }

    /** {@code -javaagent:dynamo-agent.jar=<value>}. */
    public JvmLauncher agentArguments(String value) {
        this.agentArguments = value;
        return this;
    }

    public JvmLauncher jdk(Jdk value) {
        this.jdk = value;
        return this;
    }

    public JvmLauncher env(String key, String value) {
        environment.put(key, value);
        return this;
    }

    /** Removes {@code key} from the environment. */
    public JvmLauncher unsetEnv(String key) {
        environment.remove(key);
        return this;
    }

    public JvmLauncher jvmArgs(String... values) {
        jvmArgs.addAll(Arrays.asList(values));
        return this;
    }

    public JvmLauncher classpath(Path... entries) {
        for (Path entry : entries) {
            classpath.add(entry.toString());
        }
        return this;
    }

    public JvmLauncher mainClass(String value) {
        this.mainClass = value;
        this.jar = null;
        this.module = null;
        return this;
    }

    public JvmLauncher jar(Path value) {
        this.jar = value;
        this.mainClass = null;
        this.module = null;
        return this;
    }

    /** Runs a named module: {@code --module-path path -m moduleAndMain} ({@code module/main.Class}). */
    public JvmLauncher module(Path path, String moduleAndMain) {
        this.modulePath = path;
        this.module = moduleAndMain;
        this.mainClass = null;
        this.jar = null;
        return this;
    }

    public JvmLauncher args(String... values) {
        args.addAll(Arrays.asList(values));
        return this;
    }

    /** Starts the JVM through {@code bash} with {@code ulimit <option>} (e.g. {@code -n 256}) in force. */
    public JvmLauncher ulimit(String option) {
        this.ulimit = option;
        return this;
    }

    /**
     * Starts the JVM with stderr on a pipe that nobody reads (a named pipe the JVM itself holds open
     * for reading and writing, through {@code bash}): once 64 KiB are written, every write to stderr
     * waits for good, as behind a stalled log collector.
     */
    public JvmLauncher stderrNobodyReads() {
        this.stderrNobodyReads = true;
        return this;
    }

    String name() {
        return name;
    }

    Map<String, String> environment() {
        return environment;
    }

    /** The full command line. */
    public List<String> command() {
        List<String> command = new ArrayList<>();
        if (ulimit != null || stderrNobodyReads) {
            String setUp = (ulimit == null ? "" : "ulimit " + ulimit + " && ")
                    + (stderrNobodyReads ? "pipe=$(mktemp -u) && mkfifo \"$pipe\" && exec 2<>\"$pipe\" && rm \"$pipe\" && exec \"$@\""
                    : "exec \"$@\"");
            command.addAll(List.of("bash", "-c", setUp, "bash"));
        }
        command.add(jdk.java().toString());
        if (agent) {
            command.add("-javaagent:" + Artifacts.agentJar() + (agentArguments == null ? "" : "=" + agentArguments));
        }
        command.addAll(jvmArgs);
        if (jar != null) {
            command.add("-jar");
            command.add(jar.toString());
        } else if (module != null) {
            command.add("--module-path");
            command.add(modulePath.toString());
            command.add("-m");
            command.add(module);
        } else {
            if (!classpath.isEmpty()) {
                command.add("-cp");
                command.add(String.join(File.pathSeparator, classpath));
            }
            if (mainClass == null) {
                throw new IllegalStateException(name + ": neither a jar nor a main class");
            }
            command.add(mainClass);
        }
        command.addAll(args);
        return command;
    }
}
