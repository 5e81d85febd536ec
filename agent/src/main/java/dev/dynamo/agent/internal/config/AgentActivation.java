package dev.dynamo.agent.internal.config;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Decides, before the agent loads anything else, whether it runs in this JVM. Under
 * {@code JAVA_TOOL_OPTIONS=-javaagent:...} every JVM of a container or shell loads the agent, and
 * most of them are not the application: {@code jcmd}, {@code jps}, {@code javac},
 * {@code java -version}, Maven and Gradle. The JVM names its main class (or jar) in the system
 * property {@code sun.java.command}; JDK tools run a class of a JDK module or package. A program run
 * from its source file ({@code java Main.java}, a {@code #!/usr/bin/java --source 17} script) runs
 * a class of the JDK too, the source launcher, yet is an application: its main is the source file.
 *
 * <ul>
 *   <li>{@code DYN_AGENT_ENABLED=false}: off everywhere.</li>
 *   <li>{@code DYN_AGENT_MAIN=com.example.Main} (globs with {@code *} and {@code ?}, several
 *       separated by commas): on only where the main class or jar matches, tools included.</li>
 *   <li>Otherwise on, except in JDK tools, build-tool launchers, {@code java -version} and the
 *       agent's own attach command.</li>
 * </ul>
 * A dynamic attach always runs unless {@code DYN_AGENT_ENABLED} is false: someone asked for it.
 */
public final class AgentActivation {
    /** Main classes of JDK tools and of launchers that only start a build. */
    private static final String[] TOOL_PACKAGES = {"sun.", "com.sun.", "jdk.", "org.codehaus.plexus.classworlds.",
        "org.apache.maven.wrapper.", "org.gradle.", "org.apache.tools.ant.launch."};
    /**
     * Main classes of commands that application servers run with the server's own JVM options:
     * Tomcat's {@code version.sh}, {@code digest.sh} and {@code tool-wrapper.sh}.
     */
    private static final String[] TOOL_CLASSES = {"org.apache.catalina.util.ServerInfo",
        "org.apache.catalina.realm.RealmBase", "org.apache.catalina.startup.Tool"};
    /** The JDK's launcher of programs in source files: JDK 11 to 21, then JDK 22 and later. */
    private static final String[] SOURCE_LAUNCHERS = {"com.sun.tools.javac.launcher.Main",
        "com.sun.tools.javac.launcher.SourceLauncher"};

    private final boolean runs;
    private final boolean saysWhy;
    /** Whether being off is worth a warning: where the user's -javaagent measures nothing anywhere. */
    private final boolean warns;
    private final String reason;

    private AgentActivation(boolean runs, boolean saysWhy, String reason) {
        this(runs, saysWhy, false, reason);
    }

    private AgentActivation(boolean runs, boolean saysWhy, boolean warns, String reason) {
        this.runs = runs;
        this.saysWhy = saysWhy;
        this.warns = warns;
        this.reason = reason;
    }

    /**
     * {@link #decide(Map, JvmLaunch, String, boolean)} for a JVM known by its {@code sun.java.command} alone.
     */
    public static AgentActivation decide(Map<String, String> settings, String javaCommand, String agentJar,
            boolean dynamic) {
        return decide(settings, JvmLaunch.ofCommand(javaCommand), agentJar, dynamic);
    }

    /**
     * @param settings the {@code DYN_*} settings ({@link ConfigSources#values()})
     * @param launch   how this JVM was started
     * @param agentJar the path of the agent jar, or null when unknown
     * @param dynamic  whether the agent is being attached to a running JVM
     */
    public static AgentActivation decide(Map<String, String> settings, JvmLaunch launch, String agentJar,
            boolean dynamic) {
        String javaCommand = launch.command;
        Boolean enabled = AgentConfig.flag(settings, AgentConfig.AGENT_ENABLED, new ArrayList<String>(), "");
        if (Boolean.FALSE.equals(enabled)) {
            return new AgentActivation(false, true, AgentConfig.AGENT_ENABLED + " is false; the agent is off");
        }
        if (dynamic) {
            return new AgentActivation(true, false, null);
        }
        String sourceFile = sourceFileOf(javaCommand);
        String main = sourceFile != null ? sourceFile : mainOf(javaCommand);
        String only = settings.get(AgentConfig.AGENT_MAIN);
        if (only != null && !only.trim().isEmpty()) {
            if (matchesAny(only, main, sourceFile != null)) {
                return new AgentActivation(true, false, null);
            }
            String mainClass = sourceFile != null ? null : launch.applicationMainClass();
            if (mainClass != null && matchesAny(only, mainClass, false)) {
                return new AgentActivation(true, false, null);
            }
            return new AgentActivation(false, false, "main '" + main + "'" + (mainClass == null ? ""
                    : " (main class " + mainClass + ")") + " does not match " + AgentConfig.AGENT_MAIN
                    + "='" + only.trim() + "'; the agent is off in this JVM");
        }
        if (main.isEmpty()) {
            return new AgentActivation(false, false, "this JVM runs no main class (java -version, or a JVM created"
                    + " by a native launcher); set " + AgentConfig.AGENT_MAIN + "=* to measure it anyway");
        }
        if (isJar(main) && (isAgentJarName(main) || agentJar != null && sameFile(main, agentJar))) {
            return new AgentActivation(false, false, "this JVM runs the agent's own attach command");
        }
        if (sourceFile != null) {
            return new AgentActivation(true, false, null);
        }
        String tool = toolClass(main);
        if (tool != null) {
            return new AgentActivation(false, false, "'" + tool + "' is a JDK or build tool, not an application;"
                    + " set " + AgentConfig.AGENT_MAIN + " to measure it anyway");
        }
        List<String> arguments = argumentsOf(javaCommand);
        String beside = launch.commandBesideTheApplication(main, arguments);
        if (beside != null) {
            return new AgentActivation(false, false, beside + "; the agent is off in this JVM");
        }
        String launcher = launch.launcherOfAnotherJvm(main, arguments);
        if (launcher != null) {
            // A warning unless JAVA_TOOL_OPTIONS brings the agent to the server's JVM too: -javaagent on this
            // JVM's command line alone measures nothing anywhere.
            boolean reachesTheServer = launch.toolOptionsCarry(agentJar);
            return new AgentActivation(false, !reachesTheServer, !reachesTheServer,
                    launcher + "; the agent is off in this JVM"
                    + (reachesTheServer ? "" : ". Give -javaagent to the server's JVM: a line of start.ini after"
                    + " --exec, or JAVA_TOOL_OPTIONS, which every JVM reads (" + AgentConfig.AGENT_MAIN
                    + " overrides this rule)"));
        }
        return new AgentActivation(true, false, null);
    }

    /** The first token of {@code sun.java.command}: the main class, {@code module/class} or the jar; "" if none. */
    static String mainOf(String javaCommand) {
        if (javaCommand == null) {
            return "";
        }
        String trimmed = javaCommand.trim();
        int space = trimmed.indexOf(' ');
        return space < 0 ? trimmed : trimmed.substring(0, space);
    }

    /** The tokens of {@code sun.java.command} after its first. */
    static List<String> argumentsOf(String javaCommand) {
        if (javaCommand == null || javaCommand.trim().indexOf(' ') < 0) {
            return new ArrayList<String>();
        }
        String trimmed = javaCommand.trim();
        return new ArrayList<String>(Arrays.asList(trimmed.substring(trimmed.indexOf(' ') + 1).trim().split(" +")));
    }

    /**
     * The source file that {@code sun.java.command} runs through the JDK's source launcher
     * ({@code jdk.compiler/com.sun.tools.javac.launcher.Main Main.java args}), "" when it names none,
     * or null when the command does not run the source launcher.
     */
    static String sourceFileOf(String javaCommand) {
        String launcher = mainOf(javaCommand);
        launcher = launcher.substring(launcher.indexOf('/') + 1);
        for (String sourceLauncher : SOURCE_LAUNCHERS) {
            if (launcher.equals(sourceLauncher)) {
                List<String> arguments = argumentsOf(javaCommand);
                return arguments.isEmpty() ? "" : arguments.get(0);
            }
        }
        return null;
    }

    /** The class of {@code main} when it is a JDK or build tool, else null. */
    static String toolClass(String main) {
        if (isJar(main)) {
            return null;
        }
        String className = main;
        int slash = main.indexOf('/');
        if (slash >= 0) {
            String module = main.substring(0, slash);
            className = main.substring(slash + 1);
            if (module.startsWith("java.") || module.startsWith("jdk.")) {
                return className;
            }
        }
        for (String toolClass : TOOL_CLASSES) {
            if (className.equals(toolClass)) {
                return className;
            }
        }
        for (String toolPackage : TOOL_PACKAGES) {
            if (className.startsWith(toolPackage)) {
                return className;
            }
        }
        return null;
    }

    /**
     * Whether a glob of the comma-separated {@code globs} matches {@code main}, or a jar's or source
     * file's name or absolute path (however the command spelled it: {@code app.jar}, {@code ./app.jar}).
     */
    static boolean matchesAny(String globs, String main, boolean sourceFile) {
        String fileName = main.substring(main.lastIndexOf('/') + 1);
        boolean isFile = sourceFile || isJar(main);
        String absolute = isFile ? absolutePath(main) : null;
        for (String glob : globs.split(",")) {
            String trimmed = glob.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            Pattern pattern = globPattern(trimmed);
            if (pattern.matcher(main).matches()
                    || (isFile && (pattern.matcher(fileName).matches() || pattern.matcher(absolute).matches()))
                    || (isModuleAndClass(main, sourceFile) && pattern.matcher(main.substring(main.indexOf('/') + 1))
                    .matches())) {
                return true;
            }
        }
        return false;
    }

    private static Pattern globPattern(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*') {
                regex.append(".*");
            } else if (c == '?') {
                regex.append('.');
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }

    /** A copy of the agent jar other than the one loaded ({@code java -jar ./dynamo-agent.jar <pid>}). */
    private static boolean isAgentJarName(String jar) {
        String fileName = jar.substring(jar.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        return fileName.startsWith("dynamo-agent");
    }

    /** {@code module/class}, as {@code java -m module/class} names its main. */
    private static boolean isModuleAndClass(String main, boolean sourceFile) {
        return !sourceFile && !isJar(main) && main.indexOf('/') > 0 && main.indexOf('/') == main.lastIndexOf('/');
    }

    private static boolean isJar(String main) {
        return JvmLaunch.isArchive(main);
    }

    private static String absolutePath(String file) {
        try {
            return new File(file).getAbsoluteFile().toPath().normalize().toString();
        } catch (RuntimeException unusable) {
            return file;
        }
    }

    private static boolean sameFile(String a, String b) {
        try {
            return new File(a).getCanonicalFile().equals(new File(b).getCanonicalFile());
        } catch (IOException | SecurityException unknown) {
            return a.equals(b);
        }
    }

    /** Whether the agent runs in this JVM. */
    public boolean runs() {
        return runs;
    }

    /** Whether being off is worth an info line (a setting turned it off) rather than a debug line. */
    public boolean saysWhy() {
        return saysWhy;
    }

    /** Whether being off deserves a warning rather than an info line ({@link #saysWhy()}). */
    public boolean warns() {
        return warns;
    }

    /** Why the agent is off; null when it runs. */
    public String reason() {
        return reason;
    }
}
