package dev.dynamo.agent.internal;

import dev.dynamo.agent.internal.bootstrap.BootstrapApi;
import dev.dynamo.agent.internal.bootstrap.PrimaryApi;
import dev.dynamo.agent.internal.config.AgentConfig;
import dev.dynamo.agent.internal.config.HostSetting;
import dev.dynamo.agent.internal.config.ConfigSources;
import dev.dynamo.agent.internal.instrumentation.EndpointInstrumentation;
import dev.dynamo.agent.internal.log.AgentLog;

import java.lang.instrument.Instrumentation;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * Starts the agent: reads the settings, connects to the API, installs the endpoint instrumentation
 * and starts the system server. Each step that fails is one log line; the others still run.
 */
public final class AgentStarter {
    /** The stack of a thread that runs a start-up step the main thread's stack had no room for. */
    private static final long OWN_STACK_BYTES = 1024 * 1024;
    private static final AgentLog LOG = AgentLog.get(AgentStarter.class);
    /** The API's own messages, under the API's package name so that DYN_LOG directives for it apply. */
    private static final AgentLog API_LOG = AgentLog.get("dev.dynamo.runtime");

    private AgentStarter() {
    }

    /** The settings of the agent running in this JVM, to compare a later dynamic attach's with. */
    private static volatile Map<String, String> settingsInForce;
    /**
     * What became of its metrics server, for a later attach that asks for other settings: "serves
     * metrics on ..." or "is off: ...".
     */
    private static volatile String serverOutcome = "is starting";
    /** The API the agent runs with, for a later attach that starts the metrics server; null before. */
    private static volatile PrimaryApi primaryApi;
    private static final String SERVER_OFF = "is off: ";
    /**
     * The settings of the metrics server, which a later attach may give when the server is off (it could not
     * start, or was not asked for): the attach after a taken port is what an operator tries next, and a restart
     * is what attaching spares.
     */
    private static final List<String> SERVER_SETTINGS = Arrays.asList(AgentConfig.SYSTEM_PORT,
            AgentConfig.SYSTEM_ENABLED, AgentConfig.SYSTEM_HOST, AgentConfig.METRICS_PATH_SETTING,
            AgentConfig.HEALTH_PATH, AgentConfig.LIVE_PATH, AgentConfig.STARTING_HEALTH_STATUS,
            AgentConfig.USE_ENDPOINT_HEALTH_STATUS, AgentConfig.SYSTEM_REQUEST_TIMEOUT_MS, AgentConfig.WEB_CONFIG,
            AgentConfig.LIVE_REQUIRES_AUTH, AgentConfig.JVM_METRICS, AgentConfig.JVM_DEADLOCK_DETECTION);
    /**
     * A second {@code -javaagent} or attach runs the classes of the agent already running: the JVM
     * finds them first on its class path, whatever jar the second one names.
     */
    private static final String SAME_CODE = "The agent already running stays, whatever jar a second -javaagent or"
            + " attach names: another version of the agent needs a restart of the JVM";

    /**
     * Said when the application class loader takes part of the API from a class data sharing archive and
     * the rest of its copy could not be defined there; followed by the cause.
     */
    static final String ARCHIVED_API = "the application class loader takes the dynamo API from a class data"
            + " sharing archive made without the agent (-XX:SharedArchiveFile, -XX:+AutoCreateSharedArchive), not"
            + " from the agent: the metrics the application creates through the API are not exported (its"
            + " @DynamoEndpoint methods are measured), /health does not see its checks and readiness, and the API"
            + " may say that the agent is not attached. Make the archive with the agent attached"
            + " (-XX:+UnlockDiagnosticVMOptions -XX:+AllowArchivingWithJavaAgent, when it is dumped and when it is"
            + " used), or use none (docs/troubleshooting.md, \"Class data sharing archives\"). The rest of its copy"
            + " could not be defined there: ";

    /**
     * @param bootstrapNote how {@link dev.dynamo.agent.internal.bootstrap.BootstrapApi} made the API visible, or null
     * @param enteredNanos    {@code System.nanoTime()} when premain or agentmain was entered
     */
    public static void start(ConfigSources sources, Instrumentation instrumentation, boolean dynamic,
            String bootstrapNote, long enteredNanos) {
        if (settingsInForce != null) {
            // A second -javaagent or attach, run by the agent already running: its settings stay, its log's
            // too (configured first, the second's DYN_LOG=debug turned the running agent's log to debug).
            laterStart(sources);
            return;
        }
        final AgentConfig config = AgentConfig.fromEnvironment(sources.values());
        AgentLog.configure(config.logSettings());
        for (String problem : sources.problems()) {
            LOG.error(problem);
        }
        for (String problem : config.problems()) {
            LOG.error(sources.asGiven(problem));
        }
        LOG.info(sources.describe());
        for (String conflict : config.conflicts()) {
            LOG.warn(sources.asGiven(conflict));
        }
        if (bootstrapNote != null) {
            LOG.debug(bootstrapNote);
            String archivedCopyFailure = BootstrapApi.archivedCopyFailure();
            if (archivedCopyFailure != null) {
                LOG.warn(ARCHIVED_API + archivedCopyFailure);
            }
        }

        final PrimaryApi api;
        try {
            api = PrimaryApi.locate();
            if (!api.claimAgent()) {
                reportSecondAttach(sources.values());
                return;
            }
            primaryApi = api;
            settingsInForce = sources.values();
        } catch (Throwable failed) {
            LOG.error("cannot reach the dynamo API; the agent is off and the application runs on: " + failed);
            return;
        }
        // The steps on the way to main are classes, not lambdas: the JVM spins a class for each lambda on
        // its first use, which costs several times as much as loading a small class from the agent jar.
        step("routing the API's messages to the agent log", new Step() {
            @Override
            public void run() throws ReflectiveOperationException {
                api.routeLog(new ApiLogRoute());
            }
        });
        step("handing " + AgentConfig.METRICS_MAX_SERIES + " and " + AgentConfig.METRICS_MAX_FAMILIES + " to the API",
                new Step() {
            @Override
            public void run() throws ReflectiveOperationException {
                api.setDefaultMaxSeries(config.maxSeries());
                api.setMaxFamilies(config.maxFamilies());
            }
        });
        handGatingEndpoints(config, api);
        step("starting the runtime", new Step() {
            @Override
            public void run() throws ReflectiveOperationException {
                api.startRuntime();
            }
        });
        if (dynamic) {
            step("connecting API copies loaded before the agent", () -> api.connectLoadedCopies(instrumentation));
        }
        // Instrumentation before the server: it records even when the server cannot start (a taken
        // port), and scrapes then find the endpoints registered.
        step("instrumenting @DynamoEndpoint methods", new Step() {
            @Override
            public void run() {
                EndpointInstrumentation.install(instrumentation, config.defaultNamespace(), dynamic);
            }
        });
        if (config.serverEnabled() && config.webConfigFile() != null) {
            // The JDK's TLS classes take a few hundred milliseconds to set up; the application need not wait.
            serverStartThread(serverStart(config, api, sources)).start();
        } else if (config.serverEnabled() && HostSetting.needsLookup(config.host())) {
            startAwaitingTheLookup(serverStart(config, api, sources), config.host());
        } else if (config.serverEnabled()) {
            // In premain (40-55 ms), so that an application that ends at once still reports a taken port,
            // and no server starts while the JVM exits (its selector thread would hold the exit up to 300 ms).
            step("starting the metrics server", new Step() {
                @Override
                public void run() throws Exception {
                    onEnoughStack(serverStart(config, api, sources), "the metrics server started");
                }
            });
        } else {
            LOG.info("metrics server is off: " + sources.asGiven(config.serverOffReason()));
            serverOutcome = SERVER_OFF + sources.asGiven(config.serverOffReason());
        }
        AgentStartCost.record(System.nanoTime() - enteredNanos);
    }

    /**
     * Starts the server on a thread of its own, for a host name, whose lookup may wait for a name server that
     * does not answer: 20 s of the application's start with a cluster's usual resolver settings and a DNS down
     * (a re-tester). A start that ends within {@link #HOST_LOOKUP_WAIT_MILLIS} is waited for, as the start on
     * the main thread is; a longer one goes on while the application starts.
     */
    static void startAwaitingTheLookup(final Step serverStart, String host) {
        Thread starter = serverStartThread(serverStart);
        try {
            starter.start();
            starter.join(HOST_LOOKUP_WAIT_MILLIS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } catch (OutOfMemoryError | SecurityException noThread) {
            step("starting the metrics server", serverStart);
            return;
        }
        if (starter.isAlive()) {
            LOG.info("the metrics server waits for the lookup of " + AgentConfig.SYSTEM_HOST + "=" + host
                    + ", which took more than " + HOST_LOOKUP_WAIT_MILLIS + " ms; the application starts"
                    + " meanwhile (an IP address needs no lookup)");
        }
    }

    /** Tells the API the endpoints of {@code DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS}, whose health it always keeps. */
    private static void handGatingEndpoints(final AgentConfig config, final PrimaryApi api) {
        if (!config.endpointsGatingHealth().isEmpty()) {
            step("handing " + AgentConfig.USE_ENDPOINT_HEALTH_STATUS + " to the API", new Step() {
                @Override
                public void run() throws ReflectiveOperationException {
                    api.setEndpointsGatingHealth(config.endpointsGatingHealth());
                }
            });
        }
    }

    /** A daemon thread, not started yet, that runs the server's start as a start-up step. */
    private static Thread serverStartThread(final Step serverStart) {
        Thread starter = new Thread(new Runnable() {
            @Override
            public void run() {
                step("starting the metrics server", serverStart);
            }
        }, "dynamo-system-server-start");
        starter.setDaemon(true);
        return starter;
    }

    /** How long premain waits for a server whose host name is looked up (the start itself takes 40-55 ms). */
    static final long HOST_LOOKUP_WAIT_MILLIS = 250;

    /**
     * Starts the server. Made only when the server is on: a class that names {@link MetricsServerStart}
     * is verified on its first use, which loads the server's classes too.
     */
    private static Step serverStart(final AgentConfig config, final PrimaryApi api, final ConfigSources sources) {
        return new Step() {
            @Override
            public void run() {
                serverOutcome = MetricsServerStart.start(config, api, sources::asGiven);
            }
        };
    }

    /**
     * A second attach (or {@code -javaagent}) run by the agent already running. When its metrics server is off and
     * the later start gives server settings with which it would serve, the server starts with them, over the
     * settings in force (so that a web configuration given before still applies); everything else stays as it is,
     * and the settings that differ are named.
     */
    private static void laterStart(ConfigSources sources) {
        Map<String, String> requested = sources.values();
        boolean serverStarted = false;
        synchronized (AgentStarter.class) {
            Map<String, String> inForce = settingsInForce;
            PrimaryApi api = primaryApi;
            if (api != null && serverOutcome.startsWith(SERVER_OFF)) {
                Map<String, String> merged = new LinkedHashMap<String, String>(inForce);
                for (String setting : SERVER_SETTINGS) {
                    if (requested.containsKey(setting)) {
                        merged.put(setting, requested.get(setting));
                    }
                }
                AgentConfig config = AgentConfig.fromEnvironment(merged);
                if (!merged.equals(inForce) && config.serverEnabled()) {
                    for (String problem : config.problems()) {
                        LOG.error(sources.asGiven(problem));
                    }
                    LOG.info("dynamo-agent is already attached to this JVM and its metrics server " + serverOutcome
                            + "; starting it with the server settings of this start");
                    settingsInForce = merged;
                    handGatingEndpoints(config, api);
                    step("starting the metrics server", serverStart(config, api, sources));
                    serverStarted = true;
                }
            }
        }
        if (!serverStarted || !requested.equals(settingsInForce)) {
            reportSecondAttach(requested);
        }
    }

    /** A second attach changes nothing more; settings that differ from those in force deserve a warning. */
    private static void reportSecondAttach(Map<String, String> requested) {
        Map<String, String> inForce = settingsInForce;
        if (inForce == null) {
            LOG.info("dynamo-agent is already attached to this JVM; nothing more to do");
            return;
        }
        Set<String> names = new TreeSet<String>(inForce.keySet());
        names.addAll(requested.keySet());
        StringBuilder differences = new StringBuilder();
        for (String name : names) {
            String asked = requested.get(name);
            String kept = inForce.get(name);
            if (asked == null ? kept != null : !asked.equals(kept)) {
                differences.append(differences.length() == 0 ? "" : ", ").append(name).append('=')
                        .append(asked == null ? "(unset)" : asked).append(" (kept: ")
                        .append(kept == null ? "unset" : kept).append(')');
            }
        }
        if (differences.length() == 0) {
            LOG.info("dynamo-agent is already attached to this JVM with the same settings; nothing more to do. " + SAME_CODE);
        } else {
            // The settings in force may be ones that left the server off (a taken port): say so, since a
            // second attach with a better value is what a user tries next.
            LOG.warn("dynamo-agent is already attached to this JVM; its settings stay as they are, so these"
                    + " differing ones are ignored: " + differences + ". Its metrics server "
                    + serverOutcome + ". Restart the JVM to change the settings. " + SAME_CODE);
        }
    }

    /**
     * Runs {@code step}, and again on a thread with a stack of its own if it overflowed this one:
     * {@code premain} runs on the JVM's main thread, whose stack is the application's {@code -Xss},
     * and the smallest the JVM accepts (136 KB) had no room for the server's start.
     */
    static void onEnoughStack(final Step step, String done) throws Exception {
        try {
            step.run();
            return;
        } catch (StackOverflowError tooSmall) {
            // Run again below, with the frames of the failed attempt gone.
        }
        final Throwable[] failure = new Throwable[1];
        Thread thread = new Thread(null, new Runnable() {
            @Override
            public void run() {
                try {
                    step.run();
                } catch (Throwable failed) {
                    failure[0] = failed;
                }
            }
        }, "dynamo-agent-start", OWN_STACK_BYTES);
        thread.setDaemon(true);
        thread.start();
        thread.join();
        if (failure[0] instanceof Exception) {
            throw (Exception) failure[0];
        } else if (failure[0] != null) {
            throw (Error) failure[0];
        }
        LOG.info(done + " on a thread of the agent's: the main thread's stack (-Xss) had no room for it");
    }

    /** Runs one start-up step; a failure is one log line, and the next steps still run. */
    private static void step(String what, Step step) {
        try {
            step.run();
        } catch (Throwable failed) {
            LOG.error(what + " failed; the application runs on without it: " + failed);
        }
    }

    interface Step {
        void run() throws Exception;
    }

    /** The API's messages (level, message), logged under the API's package name. */
    private static final class ApiLogRoute implements BiConsumer<String, String> {
        @Override
        public void accept(String level, String message) {
            if ("WARN".equals(level)) {
                API_LOG.warn(message);
            } else {
                API_LOG.debug(message);
            }
        }
    }
}
