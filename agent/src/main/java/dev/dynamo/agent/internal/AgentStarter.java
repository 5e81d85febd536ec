package dev.dynamo.agent.internal;

import dev.dynamo.agent.internal.bootstrap.PrimaryApi;
import dev.dynamo.agent.internal.config.AgentConfig;
import dev.dynamo.agent.internal.config.ConfigSources;
import dev.dynamo.agent.internal.export.ApiMetricsCollector;
import dev.dynamo.agent.internal.export.JvmMetrics;
import dev.dynamo.agent.internal.instrumentation.EndpointInstrumentation;
import dev.dynamo.agent.internal.instrumentation.InstrumentedEndpoints;
import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.agent.internal.server.HealthStatus;
import dev.dynamo.agent.internal.server.ScrapeRegistry;
import dev.dynamo.agent.internal.server.ServerSecurity;
import dev.dynamo.agent.internal.server.SystemServer;
import dev.dynamo.agent.internal.webconfig.WebConfigException;
import dev.dynamo.agent.internal.webconfig.WebSecurity;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.net.BindException;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;

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

    /** The settings of the agent running in this JVM, to compare a later dynamic attach's with. */
    private static volatile Map<String, String> settingsInForce;

    /**
     * @param bootstrapNote how {@link dev.dynamo.agent.internal.bootstrap.BootstrapApi} made the API visible, or null
     */
    public static void start(ConfigSources sources, Instrumentation instrumentation, boolean dynamic,
            String bootstrapNote) {
        final AgentConfig config = AgentConfig.fromEnvironment(sources.values());
        AgentLog.configure(config.logSettings());
        for (String problem : sources.problems()) {
            LOG.error(problem);
        }
        for (String problem : config.problems()) {
            LOG.error(problem);
        }
        LOG.info(sources.describe());
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
                reportSecondAttach(sources.values());
                return;
            }
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
        step("handing " + AgentConfig.METRICS_MAX_SERIES + " to the API", new Step() {
            @Override
            public void run() throws ReflectiveOperationException {
                api.setDefaultMaxSeries(config.maxSeries());
            }
        });
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
            Thread starter = new Thread(() -> step("starting the metrics server", () -> startServer(config, api)),
                    "dynamo-system-server-start");
            starter.setDaemon(true);
            starter.start();
        } else if (config.serverEnabled()) {
            step("starting the metrics server", () -> startServer(config, api));
        } else {
            LOG.info("metrics server is off: " + config.serverOffReason());
        }
    }

    /** A second attach changes nothing; settings that differ from those in force deserve a warning. */
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
            LOG.info("dynamo-agent is already attached to this JVM with the same settings; nothing more to do");
        } else {
            LOG.warn("dynamo-agent is already attached to this JVM; its settings stay as they are, so these"
                    + " differing ones are ignored: " + differences + ". Restart the JVM to change them");
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

    private static void startServer(AgentConfig config, PrimaryApi api) {
        // The API's families are created at run time, all named dynamo_: dynamo_component_ for the
        // application's, dynamo_metrics_ for the series guard's.
        ScrapeRegistry registry = new ScrapeRegistry();
        registry.registerNamedByPrefix(new ApiMetricsCollector(api), "dynamo_");
        JvmMetrics jvmMetrics = new JvmMetrics(registry, config.jvmDeadlockDetectionMillis());
        Runnable beforeEachScrape = config.jvmMetrics() ? jvmMetrics::registerOnce : () -> { };
        String address = config.host() + ":" + config.port();
        ServerSecurity security = ServerSecurity.PLAIN;
        String securityNote = "";
        if (config.webConfigFile() != null) {
            try {
                WebSecurity web = WebSecurity.load(Paths.get(config.webConfigFile()), config.livePath(),
                        config.liveRequiresAuth());
                security = web;
                securityNote = web.describe() + "; ";
            } catch (WebConfigException | RuntimeException unusable) {
                // Never plain HTTP in place of what the file asks for: no server at all.
                LOG.error(AgentConfig.WEB_CONFIG + "=" + config.webConfigFile() + ": "
                        + (unusable instanceof WebConfigException ? unusable.getMessage() : unusable.toString())
                        + ". The metrics server is off; the application runs on");
                return;
            }
        }
        try {
            SystemServer server = SystemServer.start(config, registry,
                    HealthStatus.of(config, api, InstrumentedEndpoints::endpoints), beforeEachScrape, security);
            String serving = "serving metrics on " + server.url(config.host()) + config.metricsPath()
                    + " (" + securityNote + "health " + config.healthPath() + ", liveness " + config.livePath() + ")";
            if (config.port() == 0) {
                // Only the log says where the system-chosen port is.
                LOG.notice(serving);
            } else {
                LOG.info(serving);
            }
        } catch (BindException cannotBind) {
            LOG.error(bindFailure(config, address, cannotBind));
        } catch (IOException | RuntimeException failed) {
            LOG.error("cannot serve metrics on " + address + " (" + AgentConfig.SYSTEM_HOST + "="
                    + config.host() + ", " + AgentConfig.SYSTEM_PORT + "=" + config.port() + "): " + failed
                    + ". The application runs on without the metrics server");
        }
    }

    /** Tells a taken port from an address that is not this machine's: the JDK reports both as BindException. */
    static String bindFailure(AgentConfig config, String address, BindException cannotBind) {
        String detail = String.valueOf(cannotBind.getMessage());
        String lower = detail.toLowerCase(Locale.ROOT);
        String fix;
        if (lower.contains("assign requested address") || lower.contains("not available")) {
            fix = config.host() + " is not an address of this machine; set " + AgentConfig.SYSTEM_HOST
                    + " to one of its addresses, 0.0.0.0 for every interface or 127.0.0.1 for loopback only";
        } else if (lower.contains("in use")) {
            fix = "port " + config.port() + " is already in use; set " + AgentConfig.SYSTEM_PORT
                    + " to a free port, or 0 for any free port";
        } else if (lower.contains("permission denied") || lower.contains("access")) {
            fix = "port " + config.port() + " needs privileges this process lacks; set " + AgentConfig.SYSTEM_PORT
                    + " to a port above 1023, or 0 for any free port";
        } else {
            fix = "check " + AgentConfig.SYSTEM_HOST + "=" + config.host() + " and " + AgentConfig.SYSTEM_PORT + "="
                    + config.port();
        }
        return "cannot serve metrics on " + address + ": " + fix + " (" + detail
                + "). The application runs on without the metrics server";
    }
}
