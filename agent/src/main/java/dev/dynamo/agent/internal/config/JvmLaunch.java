package dev.dynamo.agent.internal.config;

import java.io.BufferedReader;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * How this JVM was started, as far as {@link AgentActivation} needs to know: the command the JVM
 * names ({@code sun.java.command}), the main class a {@code java -m module} launch takes from the
 * module's descriptor, the agents that {@code JAVA_TOOL_OPTIONS} hands to every JVM, and whether a
 * Jetty {@code start.jar} only starts the server in a JVM of its own.
 */
public final class JvmLaunch {
    /** Jetty's {@code start.jar} arguments after which it runs no server in its own JVM. */
    private static final List<String> JETTY_LAUNCHER_ONLY = Arrays.asList("--exec", "--dry-run", "--help",
            "--version", "--list-config", "--list-modules", "--list-classpath", "--add-modules", "--add-module",
            "--add-to-start", "--create-startd", "--create-start-ini", "--create-start-d", "--update-ini");
    /** At most this many bytes of a Jetty ini file or a manifest are read. */
    private static final long MAX_INI_BYTES = 1024 * 1024;

    final String command;
    /** Whether {@link #applicationMainClass} is to be found from this JVM; false: it was given. */
    private final boolean lookUpMainClass;
    private String applicationMainClass;
    /** The {@code JAVA_TOOL_OPTIONS} environment variable, or null. */
    final String toolOptions;
    /** For Jetty's {@code start.jar}: whether one of its ini files says {@code --exec}. */
    private final boolean jettyIniExec;

    /** @param applicationMainClass see {@link #applicationMainClass()} */
    JvmLaunch(String command, String applicationMainClass, String toolOptions, boolean jettyIniExec) {
        this(command, applicationMainClass, false, toolOptions, jettyIniExec);
    }

    private JvmLaunch(String command, String applicationMainClass, boolean lookUpMainClass, String toolOptions,
            boolean jettyIniExec) {
        this.command = command;
        this.applicationMainClass = applicationMainClass;
        this.lookUpMainClass = lookUpMainClass;
        this.toolOptions = toolOptions;
        this.jettyIniExec = jettyIniExec;
    }

    /** A launch known by its command alone (a dynamic attach, tests). */
    public static JvmLaunch ofCommand(String command) {
        return new JvmLaunch(command, null, null, false);
    }

    /** This JVM's launch. Never throws: what cannot be read is left out. */
    public static JvmLaunch ofThisJvm() {
        String command = System.getProperty("sun.java.command");
        boolean jettyExec = false;
        try {
            jettyExec = isJettyStart(AgentActivation.mainOf(command)) && iniSaysExec(jettyBase(command));
        } catch (RuntimeException | LinkageError unreadable) {
            // Decided on the command alone.
        }
        return new JvmLaunch(command, null, true, System.getenv("JAVA_TOOL_OPTIONS"), jettyExec);
    }

    /**
     * The application's main class where the command names something else: the main class of a
     * {@code java -m module} launch (from the module's descriptor), the {@code Start-Class} of a Spring
     * Boot application (a fat jar, or the {@code JarLauncher} of an unpacked one, as container images
     * run it), the {@code Main-Class} of a {@code java -jar} jar; null when there is none. Read only
     * when asked: only {@code DYN_AGENT_MAIN} needs it. Never throws.
     */
    String applicationMainClass() {
        if (lookUpMainClass && applicationMainClass == null) {
            try {
                applicationMainClass = lookUpMainClass(AgentActivation.mainOf(command),
                        System.getProperty("jdk.module.main"), System.getProperty("java.class.path", ""));
            } catch (RuntimeException | LinkageError unreadable) {
                applicationMainClass = null;
            }
        }
        return applicationMainClass;
    }

    /**
     * @param module    the {@code jdk.module.main} property: the module of a {@code java -m} launch, or null
     * @param classPath the {@code java.class.path} property
     */
    static String lookUpMainClass(String main, String module, String classPath) {
        if (module != null && module.equals(main)) {
            return mainClassOfModule(module);
        }
        if (isArchive(main)) {
            Attributes jar = manifestOfJar(new File(main));
            return jar == null ? null : firstOf(jar.getValue("Start-Class"), jar.getValue("Main-Class"));
        }
        if (main.startsWith("org.springframework.boot.loader.")) {
            // PropertiesLauncher takes the main class from loader.main, or from the manifest as the others.
            String propertiesMain = System.getProperty("loader.main");
            if (propertiesMain != null && !propertiesMain.trim().isEmpty()) {
                return propertiesMain.trim();
            }
            for (String entry : classPath.split(File.pathSeparator)) {
                File file = new File(entry.isEmpty() ? "." : entry);
                Attributes manifest = file.isDirectory() ? manifestOfDirectory(file) : manifestOfJar(file);
                String startClass = manifest == null ? null : manifest.getValue("Start-Class");
                if (startClass != null) {
                    return startClass;
                }
            }
        }
        return null;
    }

    /** A jar or a war, which {@code java -jar} runs alike. */
    static boolean isArchive(String main) {
        String lower = main.toLowerCase(Locale.ROOT);
        return lower.endsWith(".jar") || lower.endsWith(".war");
    }

    private static String firstOf(String preferred, String other) {
        return preferred != null ? preferred : other;
    }

    private static Attributes manifestOfJar(File jar) {
        if (!jar.isFile()) {
            return null;
        }
        try (JarFile file = new JarFile(jar, false)) {
            Manifest manifest = file.getManifest();
            return manifest == null ? null : manifest.getMainAttributes();
        } catch (IOException | RuntimeException unreadable) {
            return null;
        }
    }

    private static Attributes manifestOfDirectory(File directory) {
        File file = new File(directory, "META-INF/MANIFEST.MF");
        if (!file.isFile() || file.length() > MAX_INI_BYTES) {
            return null;
        }
        try (FileInputStream in = new FileInputStream(file)) {
            return new Manifest(in).getMainAttributes();
        } catch (IOException | RuntimeException unreadable) {
            return null;
        }
    }

    /**
     * Why this JVM runs a command beside the application, which gets the same JVM options, rather
     * than the application; null when it may be the application. {@code main} is the command's first
     * token, {@code arguments} the rest.
     */
    String commandBesideTheApplication(String main, List<String> arguments) {
        if (main.equals("org.apache.catalina.startup.Bootstrap") && !arguments.isEmpty()) {
            // Tomcat's Bootstrap takes its command last; catalina.sh passes JAVA_OPTS to stop and configtest too.
            String tomcatCommand = arguments.get(arguments.size() - 1);
            if (tomcatCommand.equals("stop") || tomcatCommand.equals("configtest")) {
                return "this JVM runs Tomcat's '" + tomcatCommand + "' command, not the server";
            }
        }
        return null;
    }

    /**
     * Why this JVM only starts the application in a JVM of its own, whose options are given
     * elsewhere; null when it may be the application.
     */
    String launcherOfAnotherJvm(String main, List<String> arguments) {
        if (!isJettyStart(main)) {
            return null;
        }
        for (String argument : arguments) {
            if (JETTY_LAUNCHER_ONLY.contains(argument)) {
                return "this JVM runs Jetty's start.jar " + argument + ", which runs no server in this JVM";
            }
        }
        return jettyIniExec ? "this JVM runs Jetty's start.jar with --exec (in an ini file of jetty.base), which"
                + " starts the server in a JVM of its own" : null;
    }

    /** Whether {@code JAVA_TOOL_OPTIONS} gives this agent's jar to every JVM, the forked ones too. */
    boolean toolOptionsCarry(String agentJar) {
        if (toolOptions == null || !toolOptions.contains("-javaagent:")) {
            return false;
        }
        String fileName = agentJar == null ? "dynamo-agent" : new File(agentJar).getName();
        return toolOptions.contains(fileName);
    }

    private static boolean isJettyStart(String main) {
        return main.equals("start.jar") || main.endsWith("/start.jar") || main.endsWith(File.separator + "start.jar");
    }

    /** {@code jetty.base=...} among the arguments, else the working directory, as start.jar takes it. */
    private static File jettyBase(String command) {
        for (String token : AgentActivation.argumentsOf(command)) {
            if (token.startsWith("jetty.base=")) {
                return new File(token.substring("jetty.base=".length()));
            }
        }
        return new File(System.getProperty("user.dir", "."));
    }

    /** Whether {@code base/start.ini} or an ini file of {@code base/start.d} has a line {@code --exec}. */
    static boolean iniSaysExec(File base) {
        if (hasExecLine(new File(base, "start.ini"))) {
            return true;
        }
        File[] startD = new File(base, "start.d").listFiles();
        if (startD != null) {
            for (File ini : startD) {
                if (ini.getName().endsWith(".ini") && hasExecLine(ini)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean hasExecLine(File ini) {
        if (!ini.isFile() || ini.length() > MAX_INI_BYTES) {
            return false;
        }
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(new FileInputStream(ini),
                StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.trim().equals("--exec")) {
                    return true;
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            return false;
        }
        return false;
    }

    /** The main class of boot-layer module {@code name}'s descriptor (Java 9 and later, by reflection), or null. */
    private static String mainClassOfModule(String name) {
        try {
            Class<?> layerType = Class.forName("java.lang.ModuleLayer");
            Object bootLayer = layerType.getMethod("boot").invoke(null);
            Optional<?> module = (Optional<?>) layerType.getMethod("findModule", String.class).invoke(bootLayer, name);
            if (!module.isPresent()) {
                return null;
            }
            Method descriptor = module.get().getClass().getMethod("getDescriptor");
            Object moduleDescriptor = descriptor.invoke(module.get());
            Optional<?> mainClass = (Optional<?>) moduleDescriptor.getClass().getMethod("mainClass")
                    .invoke(moduleDescriptor);
            return mainClass.isPresent() ? (String) mainClass.get() : null;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError unknown) {
            return null;
        }
    }
}
