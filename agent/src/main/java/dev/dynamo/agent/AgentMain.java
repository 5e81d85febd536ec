package dev.dynamo.agent;

import dev.dynamo.agent.internal.AgentStarter;
import dev.dynamo.agent.internal.bootstrap.BootstrapApi;
import dev.dynamo.agent.internal.attach.AttachCommand;
import dev.dynamo.agent.internal.attach.MetaspaceHeadroom;
import dev.dynamo.agent.internal.config.AgentActivation;
import dev.dynamo.agent.internal.config.AgentConfig;
import dev.dynamo.agent.internal.config.ConfigSources;
import dev.dynamo.agent.internal.config.JvmLaunch;
import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.agent.internal.log.LogSettings;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.net.URISyntaxException;
import java.net.URL;
import java.security.CodeSource;
import java.util.ArrayList;

/**
 * Entry points of {@code dynamo-agent.jar}: {@code -javaagent} (premain), dynamic attach
 * (agentmain), and {@code java -jar dynamo-agent.jar <pid>} to attach to a running JVM.
 *
 * <p>This class does as little as possible: it reads the settings, leaves JVMs that are not the
 * application (JDK tools under {@code JAVA_TOOL_OPTIONS}) untouched, puts the API on the bootstrap
 * class path before any class that links to the API is loaded, and never lets a failure reach the
 * host application.
 */
public final class AgentMain {
    /** The stack an attach starts the agent on: as the weaving thread's (4 MiB). */
    private static final long ATTACH_STACK_BYTES = 4L << 20;

    private AgentMain() {
    }

    public static void premain(String arguments, Instrumentation instrumentation) {
        start(arguments, instrumentation, false);
    }

    /** Whether a start of this agent went past its checks and loaded its machinery (or began to). */
    private static volatile boolean machineryLoaded;

    /**
     * Starts the agent on a thread with a stack of {@link #ATTACH_STACK_BYTES}, which the JVM's Attach Listener
     * waits for: that thread's stack is the application's {@code -Xss}, and the retransformation's weaving runs on
     * the thread that asks for it. At {@code -Xss136k} every weaving overflowed it (a re-tester, JDK 17): nothing
     * was instrumented, and the JDK's instrumentation printed an assertion failure for the overflow that escaped.
     */
    public static void agentmain(final String arguments, final Instrumentation instrumentation) {
        Thread starter;
        try {
            starter = new Thread(null, new Runnable() {
                @Override
                public void run() {
                    start(arguments, instrumentation, true);
                }
            }, "dynamo-metrics-attach", ATTACH_STACK_BYTES);
            starter.setDaemon(true);
            starter.start();
        } catch (OutOfMemoryError | RuntimeException noThread) {
            // No thread can start (a process thread limit), or a security manager that does not grant the agent's
            // jar may not make one (a re-tester, JDK 17): on this thread's stack, then, where start() says what the
            // security manager refuses and how to grant it.
            start(arguments, instrumentation, true);
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                starter.join();
                break;
            } catch (InterruptedException interruptedWhileWaiting) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code java -jar dynamo-agent.jar <pid>}: attaches the agent to a running JVM. */
    public static void main(String[] args) {
        System.exit(AttachCommand.run(args, System.out, System.err));
    }

    private static void start(String arguments, Instrumentation instrumentation, boolean dynamic) {
        long entered = System.nanoTime();
        try {
            ConfigSources sources = ConfigSources.read(arguments, System.getenv(), System.getProperties());
            String agentJar = agentJar();
            AgentActivation activation = AgentActivation.decide(sources.values(),
                    dynamic ? JvmLaunch.ofCommand(System.getProperty("sun.java.command")) : JvmLaunch.ofThisJvm(),
                    agentJar, dynamic);
            if (!activation.runs()) {
                // Before the API is installed: a JDK tool under JAVA_TOOL_OPTIONS loads nothing more.
                stayOff(sources, activation);
                return;
            }
            // A second attach loads nothing more, and says so itself.
            String noRoom = dynamic && !machineryLoaded ? MetaspaceHeadroom.refusal(instrumentation) : null;
            if (noRoom != null) {
                // Before anything of the agent's machinery loads: its classes would take what the application needs.
                AgentLog.configure(LogSettings.parse(sources.values().get(AgentConfig.LOG), new ArrayList<String>()));
                AgentLog.get(AgentMain.class).error(noRoom);
                return;
            }
            machineryLoaded = true;
            String bootstrapNote = BootstrapApi.install(instrumentation, dynamic, agentJar);
            AgentStarter.start(sources, instrumentation, dynamic, bootstrapNote, entered);
        } catch (Throwable failure) {
            try {
                // Not through AgentLog, which the failure may have left unusable; in its format all the same
                // (docs/configuration.md), where its timestamp can still be had.
                String line = "ERROR dynamo-agent [AgentMain] failed to start; the application runs on without metrics: "
                        + failure + (refusedBySecurityManager(failure) ? securityManagerRemedy() : "");
                try {
                    line = AgentLog.timestamp(System.currentTimeMillis()) + " " + line;
                } catch (Throwable noTimestamp) {
                    // The line without it.
                }
                System.err.println(line);
            } catch (Throwable ignored) {
                // Nothing more can be done without risking the host.
            }
        }
    }

    /**
     * Says why the agent stays off, loading nothing of the agent's machinery: a warning where the
     * -javaagent given measures nothing anywhere (a launcher whose server JVM does not get it), at info
     * when a setting asked for it, at debug when this JVM is not the application (a JDK tool must
     * print nothing).
     */
    private static void stayOff(ConfigSources sources, AgentActivation activation) {
        AgentLog.configure(LogSettings.parse(sources.values().get(AgentConfig.LOG), new ArrayList<String>()));
        AgentLog log = AgentLog.get(AgentMain.class);
        if (activation.warns()) {
            log.warn(activation.reason());
        } else if (activation.saysWhy()) {
            log.info(activation.reason());
        } else {
            log.debug(activation.reason());
        }
    }

    /** Whether a SecurityManager refused the agent something ({@code AccessControlException} is one). */
    private static boolean refusedBySecurityManager(Throwable failure) {
        Throwable cause = failure;
        for (int depth = 0; cause != null && depth < 16; depth++, cause = cause.getCause()) {
            if (cause instanceof SecurityException) {
                return true;
            }
        }
        return false;
    }

    /**
     * What to grant: every permission, as the policy line to add. Naming the permission refused is not
     * enough: the agent reads the environment and the system properties, defines the API in the bootstrap
     * class loader, transforms classes, opens its port and starts threads, and an operator who grants
     * one permission meets the next refusal (a tester).
     */
    private static String securityManagerRemedy() {
        return ". A SecurityManager refused it: grant the agent's jar every permission in the policy file,"
                + " grant codeBase \"" + agentJarUrl() + "\" { permission java.security.AllPermission; };"
                + " (docs/troubleshooting.md, \"Under a SecurityManager\")";
    }

    /**
     * The agent jar's URL as a policy names it. Read from the jar's own resource URL: its protection
     * domain, which {@link #agentJar} reads, is one more permission a SecurityManager may refuse.
     */
    private static String agentJarUrl() {
        try {
            URL self = AgentMain.class.getResource("AgentMain.class");
            String url = self == null ? "" : self.toString();
            int end = url.indexOf("!/");
            if (url.startsWith("jar:") && end > 0) {
                return url.substring("jar:".length(), end);
            }
        } catch (RuntimeException unreadable) {
            // The general form below.
        }
        return "file:/path/to/dynamo-agent.jar";
    }

    private static String agentJar() {
        try {
            CodeSource source = AgentMain.class.getProtectionDomain().getCodeSource();
            return source == null || source.getLocation() == null ? null
                    : new File(source.getLocation().toURI()).getPath();
        } catch (URISyntaxException | RuntimeException unknown) {
            return null;
        }
    }
}
