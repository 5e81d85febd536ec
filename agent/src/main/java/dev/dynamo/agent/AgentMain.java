package dev.dynamo.agent;

import dev.dynamo.agent.internal.AgentStarter;
import dev.dynamo.agent.internal.BootstrapApi;
import dev.dynamo.agent.internal.attach.AttachCommand;

import java.lang.instrument.Instrumentation;

/**
 * Entry points of {@code dynamo-agent.jar}: {@code -javaagent} (premain), dynamic attach
 * (agentmain), and {@code java -jar dynamo-agent.jar <pid>} to attach to a running JVM.
 *
 * <p>This class does as little as possible: it puts the API on the bootstrap class path before any
 * class that links to the API is loaded, and never lets a failure reach the host application.
 */
public final class AgentMain {
    private AgentMain() {
    }

    public static void premain(String arguments, Instrumentation instrumentation) {
        start(arguments, instrumentation, false);
    }

    public static void agentmain(String arguments, Instrumentation instrumentation) {
        start(arguments, instrumentation, true);
    }

    /** {@code java -jar dynamo-agent.jar <pid>}: attaches the agent to a running JVM. */
    public static void main(String[] args) {
        System.exit(AttachCommand.run(args, System.out, System.err));
    }

    private static void start(String arguments, Instrumentation instrumentation, boolean dynamic) {
        try {
            String bootstrapNote = BootstrapApi.install(instrumentation, dynamic);
            AgentStarter.start(arguments, instrumentation, dynamic, bootstrapNote);
        } catch (Throwable failure) {
            try {
                System.err.println("dynamo-agent ERROR failed to start; the application runs on without metrics: "
                        + failure);
            } catch (Throwable ignored) {
                // Nothing more can be done without risking the host.
            }
        }
    }
}
