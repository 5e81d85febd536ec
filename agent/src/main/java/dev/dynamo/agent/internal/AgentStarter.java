package dev.dynamo.agent.internal;

import dev.dynamo.agent.internal.attach.AgentArguments;
import dev.dynamo.agent.internal.config.AgentConfig;
import dev.dynamo.agent.internal.export.ApiMetricsCollector;
import dev.dynamo.agent.internal.export.JvmMetrics;
import dev.dynamo.agent.internal.export.PrimaryApi;
import dev.dynamo.agent.internal.instrumentation.EndpointInstrumentation;
import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.agent.internal.server.HealthStatus;
import dev.dynamo.agent.internal.server.SystemServer;
import io.prometheus.client.CollectorRegistry;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.net.BindException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts the agent: reads the settings, connects to the API, installs the endpoint instrumentation
 * and starts the system server. Each step that fails is one log line; the others still run.
 */
public final class AgentStarter {
    private static final AgentLog LOG = AgentLog.get(AgentStarter.class);
    /** The API's own messages, under the API's package name so that DYN_LOG directives for it apply. */
    private static final AgentLog API_LOG = AgentLog.get("dev.dynamo.runtime");

    private AgentStarter() {
    }

    /**
     * @param bootstrapNote how {@link BootstrapApi} made the API visible, or null
     */
    public static void start(String arguments, Instrumentation instrumentation, boolean dynamic, String bootstrapNote) {
        List<String> argumentProblems = new ArrayList<String>();
        Map<String, String> environment = new HashMap<String, String>(System.getenv());
        // Settings passed by `java -jar dynamo-agent.jar <pid>` win over the target's own environment.
        environment.putAll(AgentArguments.decode(arguments, argumentProblems));
        final AgentConfig config = AgentConfig.fromEnvironment(environment);
        AgentLog.configure(config.logSettings());
        for (String problem : argumentProblems) {
            LOG.error(problem);
        }
        for (String problem : config.problems()) {
            LOG.error(problem);
        }
        for (String note : config.notes()) {
            LOG.info(note);
        }
        if (bootstrapNote != null) {
            LOG.debug(bootstrapNote);
        }

        final PrimaryApi api;
        try {
            api = PrimaryApi.locate();
            if (!api.claimAgent()) {
                LOG.info("dynamo-agent is already attached to this JVM; nothing more to do");
                return;
            }
        } catch (Throwable failed) {
            LOG.error("cannot reach the dynamo API; the agent is off and the application runs on: " + failed);
            return;
        }
        step("routing the API's messages to the agent log", () -> api.routeLog((level, message) -> {
            if ("WARN".equals(level)) {
                API_LOG.warn(message);
            } else {
                API_LOG.debug(message);
            }
        }));
        step("handing " + AgentConfig.METRICS_MAX_SERIES + " to the API",
                () -> api.setDefaultMaxSeries(config.maxSeries()));
        step("starting the runtime", api::startRuntime);
        if (dynamic) {
            step("connecting API copies loaded before the agent", () -> api.connectLoadedCopies(instrumentation));
        }
        // Instrumentation before the server: it records even when the server cannot start (a taken
        // port, a runtime without jdk.httpserver), and scrapes then find the endpoints registered.
        step("instrumenting @DynamoEndpoint methods",
                () -> EndpointInstrumentation.install(instrumentation, config.defaultNamespace(), dynamic));
        if (config.serverEnabled()) {
            step("starting the metrics server", () -> startServer(config, api));
        } else {
            LOG.info("metrics server is off: " + config.serverOffReason());
        }
    }

    /** Runs one start-up step; a failure is one log line, and the next steps still run. */
    private static void step(String what, Step step) {
        try {
            step.run();
        } catch (Throwable failed) {
            LOG.error(what + " failed; the application runs on without it: " + failed);
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void startServer(AgentConfig config, PrimaryApi api) {
        CollectorRegistry registry = new CollectorRegistry(true);
        registry.register(new ApiMetricsCollector(api));
        JvmMetrics jvmMetrics = new JvmMetrics(registry);
        Runnable beforeFirstScrape = config.jvmMetrics() ? jvmMetrics::registerOnce : () -> { };
        String address = config.host() + ":" + config.port();
        try {
            SystemServer server = SystemServer.start(config, registry, HealthStatus.of(config, api), beforeFirstScrape);
            LOG.info("serving metrics on " + server.url(config.host()) + AgentConfig.METRICS_PATH
                    + " (health " + config.healthPath() + ", liveness " + config.livePath() + ")");
        } catch (BindException inUse) {
            LOG.error("cannot serve metrics on " + address + ": port " + config.port() + " is already in use ("
                    + inUse.getMessage() + "); set " + AgentConfig.SYSTEM_PORT
                    + " to a free port, or 0 for any free port. The application runs on without the metrics server");
        } catch (IOException | RuntimeException failed) {
            LOG.error("cannot serve metrics on " + address + " (" + AgentConfig.SYSTEM_HOST + "="
                    + config.host() + ", " + AgentConfig.SYSTEM_PORT + "=" + config.port() + "): " + failed
                    + ". The application runs on without the metrics server");
        }
    }
}
