package dev.dynamo.agent.internal;

import dev.dynamo.agent.internal.bootstrap.PrimaryApi;
import dev.dynamo.agent.internal.config.AgentConfig;
import dev.dynamo.agent.internal.config.HostSetting;
import dev.dynamo.agent.internal.export.ApiMetricsCollector;
import dev.dynamo.agent.internal.export.AgentCostCollector;
import dev.dynamo.agent.internal.export.JvmMetrics;
import dev.dynamo.agent.internal.instrumentation.InstrumentedEndpoints;
import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.agent.internal.server.HealthStatus;
import dev.dynamo.agent.internal.server.ScrapeRegistry;
import dev.dynamo.agent.internal.server.ServerSecurity;
import dev.dynamo.agent.internal.server.SystemServer;
import dev.dynamo.agent.internal.webconfig.WebConfigException;
import dev.dynamo.agent.internal.webconfig.WebSecurity;

import java.io.IOException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Starts the system server for {@link AgentStarter}. A class of its own so that a JVM without the
 * server never loads the server's and the scrape registry's classes: the JVM loads the classes a
 * method's code passes as arguments when it verifies the class that holds the method, called or not.
 */
final class MetricsServerStart {
    /** Under the starter's name, as these messages were before the server's start had a class of its own. */
    private static final AgentLog LOG = AgentLog.get(AgentStarter.class);
    /** How an IPv6 address with an interface is given, and where to find one. */
    private static final String WITH_INTERFACE = "give one of the interface's own addresses with its name"
            + " (fe80::1%eth0; `ip -6 addr` lists them), or " + HostSetting.ACCEPTED;

    private MetricsServerStart() {
    }

    /**
     * Starts the server, or says in the log why it cannot; returns what became of it, for a later
     * attach that asks for other settings: "serves metrics on ..." or "is off: ...".
     *
     * @param asGiven names the settings in a message as they were given ({@code ConfigSources.asGiven})
     */
    static String start(AgentConfig config, PrimaryApi api, UnaryOperator<String> asGiven) {
        // The API's families are created at run time, all named dynamo_: dynamo_component_ for the
        // application's, dynamo_metrics_ for the series guard's.
        ScrapeRegistry registry = new ScrapeRegistry();
        registry.registerNamedByPrefix(new ApiMetricsCollector(api), "dynamo_");
        registry.register(new AgentCostCollector());
        JvmMetrics jvmMetrics = new JvmMetrics(registry, config.jvmDeadlockDetectionMillis());
        Runnable beforeEachScrape = config.jvmMetrics() ? jvmMetrics::registerMissing : () -> { };
        String address = HostSetting.withPort(config.host(), config.port());
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
                LOG.error(asGiven.apply(AgentConfig.WEB_CONFIG + "=" + config.webConfigFile() + ": "
                        + (unusable instanceof WebConfigException ? unusable.getMessage() : unusable.toString())
                        + ". The metrics server is off; the application runs on"));
                return "is off: " + AgentConfig.WEB_CONFIG + " could not be used";
            }
        }
        long startedNanos = System.nanoTime();
        try {
            // The JVM metrics are collected once before the server serves, on its thread (see JvmMetrics.warmUp).
            Runnable warmUp = config.jvmMetrics() ? jvmMetrics::warmUp : () -> { };
            SystemServer server = SystemServer.start(config, registry,
                    HealthStatus.of(config, api, InstrumentedEndpoints::endpoints), beforeEachScrape, warmUp, security);
            if (server.stoppedForExit()) {
                LOG.info("not serving metrics on " + server.url(config.host()) + config.metricsPath()
                        + ": the JVM began to exit while the server started, so it stopped at once");
                return "is off: the JVM began to exit while it started";
            }
            String serving = "serving metrics on " + server.url(config.host()) + config.metricsPath()
                    + " (" + securityNote + "health " + config.healthPath() + ", liveness " + config.livePath() + ")";
            if (config.port() == 0) {
                // Only the log says where the system-chosen port is.
                LOG.notice(serving);
            } else {
                LOG.info(serving);
            }
            return "serves metrics on " + server.url(config.host()) + config.metricsPath();
        } catch (UnknownHostException unresolved) {
            LOG.error(asGiven.apply(unresolvedHost(config, address, (System.nanoTime() - startedNanos) / 1_000_000)));
        } catch (SocketException cannotBind) {
            LOG.error(asGiven.apply(bindFailure(config, address, cannotBind)));
        } catch (UnsupportedAddressTypeException noIpv6) {
            LOG.error(asGiven.apply(ipv6Unsupported(config, address)));
        } catch (IOException | RuntimeException failed) {
            LOG.error(asGiven.apply("cannot serve metrics on " + address + " (" + AgentConfig.SYSTEM_HOST + "="
                    + config.host() + ", " + AgentConfig.SYSTEM_PORT + "=" + config.port() + "): " + failed
                    + ". The application runs on without the metrics server"));
        }
        return "is off: it could not start on " + address;
    }

    /**
     * Tells a taken port from an address that is not this machine's (the JDK reports both as
     * BindException) and from an IPv6 link-local address without its interface (a SocketException).
     */
    static String bindFailure(AgentConfig config, String address, SocketException cannotBind) {
        String detail = String.valueOf(cannotBind.getMessage());
        String lower = detail.toLowerCase(Locale.ROOT);
        String fix;
        if (lower.contains("assign requested address") || lower.contains("not available")) {
            fix = config.host() + " is not an address of this machine; set " + AgentConfig.SYSTEM_HOST
                    + " to one of its addresses, 0.0.0.0 for every interface or 127.0.0.1 for loopback only";
        } else if (lower.contains("invalid argument") && isLinkLocalWithoutInterface(config.host())) {
            fix = config.host() + " is a link-local IPv6 address, which is bound only with its interface ("
                    + config.host() + "%eth0, with the interface's name); or " + HostSetting.ACCEPTED;
        } else if (lower.contains("no such device") && hasInterface(config.host())) {
            fix = config.host() + " names, after %, an interface this machine does not have; "
                    + WITH_INTERFACE;
        } else if (lower.contains("invalid argument")) {
            fix = config.host() + " is not an address the server can listen on; " + HostSetting.ACCEPTED;
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

    /**
     * An IPv6 address where the JVM has no IPv6 sockets: {@code -Djava.net.preferIPv4Stack=true}, or a
     * kernel without IPv6. Before, the line said no more than {@code UnsupportedAddressTypeException}.
     */
    static String ipv6Unsupported(AgentConfig config, String address) {
        boolean ipv4Stack = Boolean.parseBoolean(System.getProperty("java.net.preferIPv4Stack"));
        return "cannot serve metrics on " + address + ": " + AgentConfig.SYSTEM_HOST + "=" + config.host()
                + " is an IPv6 address, and " + (ipv4Stack
                ? "this JVM runs with -Djava.net.preferIPv4Stack=true, which gives it no IPv6 sockets"
                : "this JVM has no IPv6 sockets (a kernel without IPv6?)")
                + "; set " + AgentConfig.SYSTEM_HOST + " to an IPv4 address"
                + " (0.0.0.0 for every interface, 127.0.0.1 for loopback only)"
                + (ipv4Stack ? " or drop that property" : "")
                + ". The application runs on without the metrics server";
    }

    /**
     * A host name that does not resolve, a malformed address the JDK took for a name, or an IPv6
     * address whose interface (after {@code %}) the JDK cannot find or finds without such an address.
     */
    static String unresolvedHost(AgentConfig config, String address, long lookupMillis) {
        String fault = hasInterface(config.host())
                ? " is an IPv6 address with an interface (after %) that this machine does not have, or that has no"
                + " address of that kind; " + WITH_INTERFACE
                : lookupMillis >= SLOW_LOOKUP_MILLIS
                ? " could not be resolved: the lookup gave up after " + lookupMillis + " ms; the name does not exist,"
                + " or the name server (/etc/resolv.conf) did not answer in time; " + HostSetting.ACCEPTED
                : " is not a name this machine can resolve to an address; " + HostSetting.ACCEPTED;
        return "cannot serve metrics on " + address + ": " + AgentConfig.SYSTEM_HOST + "=" + config.host() + fault
                + ". The application runs on without the metrics server";
    }

    /** A lookup this long may have been a name server that did not answer, not only a name that does not exist. */
    private static final long SLOW_LOOKUP_MILLIS = 1_000;

    /** An IPv6 literal with a zone: {@code fe80::1%eth0}, {@code [fe80::1%2]}. */
    private static boolean hasInterface(String host) {
        return host.indexOf(':') >= 0 && host.indexOf('%') > 0;
    }

    /** fe80::/10 without {@code %interface}: the kernel refuses to bind it ("Invalid argument"). */
    private static boolean isLinkLocalWithoutInterface(String host) {
        String lower = host.toLowerCase(Locale.ROOT);
        String bare = lower.startsWith("[") ? lower.substring(1) : lower;
        boolean linkLocal = bare.startsWith("fe8") || bare.startsWith("fe9") || bare.startsWith("fea")
                || bare.startsWith("feb");
        return linkLocal && bare.indexOf('%') < 0;
    }
}
