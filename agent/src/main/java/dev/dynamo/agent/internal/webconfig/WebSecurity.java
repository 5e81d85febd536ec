package dev.dynamo.agent.internal.webconfig;

import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.agent.internal.server.Access;
import dev.dynamo.agent.internal.server.ServerSecurity;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the system server needs from {@code DYN_SYSTEM_WEB_CONFIG}: the TLS engine for each new
 * connection, the basic-auth decision for each request, and the headers for each response.
 *
 * <p>The file and the certificate, key and CA files it names are checked for changes at most once
 * a second, when a connection or request asks; a change is loaded without a restart. A change that
 * cannot be used is logged once and the last good configuration stays in force.
 *
 * <pre>{@code
 * WebSecurity security = WebSecurity.load(Paths.get(path), "/live", false);
 * Access access = security.access("/metrics", authorizationHeader);
 * }</pre>
 */
public final class WebSecurity implements ServerSecurity {
    private static final AgentLog LOG = AgentLog.get(WebSecurity.class);
    static final long CHECK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Path file;
    /** The path served without credentials, or null. */
    private final String openPath;
    private final boolean tls;
    private final Clock clock;
    private volatile Snapshot current;
    private volatile long nextCheck;
    /** The file states whose configuration failed to load, so that its error is logged once. */
    private String failedFingerprint;

    private WebSecurity(Path file, String openPath, Snapshot first, Clock clock) {
        this.file = file;
        this.openPath = openPath;
        this.tls = first.tls != null;
        this.current = first;
        this.clock = clock;
        this.nextCheck = clock.nanoTime() + CHECK_INTERVAL_NANOS;
    }

    /**
     * Reads {@code file} and everything it names.
     *
     * @param livePath the liveness path
     * @param liveRequiresAuth whether {@code livePath} needs the credentials like the other paths
     * @throws WebConfigException with one line naming what is wrong and what is accepted
     */
    public static WebSecurity load(Path file, String livePath, boolean liveRequiresAuth) throws WebConfigException {
        return load(file, livePath, liveRequiresAuth, System::nanoTime);
    }

    static WebSecurity load(Path file, String livePath, boolean liveRequiresAuth, Clock clock)
            throws WebConfigException {
        Snapshot first = Snapshot.load(file);
        for (String note : first.notes()) {
            LOG.info("web config " + file + ": " + note);
        }
        for (String warning : first.warnings()) {
            LOG.warn("web config " + file + ": " + warning);
        }
        return new WebSecurity(file, liveRequiresAuth ? null : livePath, first, clock);
    }

    /** Whether connections speak TLS; fixed for the server's life, as the port's protocol cannot change. */
    public boolean tlsEnabled() {
        return tls;
    }

    /** A server-side engine for a new TLS connection, configured with the file's settings; null without TLS. */
    @Override
    public SSLEngine sslEngine() {
        ServerTls current = fresh().tls;
        return current == null ? null : current.newEngine(null, 0);
    }

    /**
     * The current TLS context, whose engines come configured with the file's settings; null
     * without TLS.
     */
    @Override
    public SSLContext sslContext() {
        ServerTls current = fresh().tls;
        return current == null ? null : current.context();
    }

    /** The per-connection settings to apply to each engine of {@link #sslContext()}. */
    public SSLParameters sslParameters() {
        return requireTls(fresh()).parameters();
    }

    /**
     * Whether the request for {@code path} with this {@code Authorization} header value (or null)
     * may be served; pending when the password needs bcrypt (see {@link BasicAuthUsers}).
     */
    @Override
    public Access access(String path, String authorization) {
        BasicAuthUsers users = fresh().users;
        if (users.isEmpty() || path.equals(openPath)) {
            return Access.ALLOW;
        }
        return users.access(authorization);
    }

    /** The {@code http_server_config.headers} to add to every response, as name, value, name, value... */
    @Override
    public List<String> responseHeaders() {
        return fresh().headerList;
    }

    /** The {@code http_server_config.headers} by name. */
    Map<String, String> headers() {
        return fresh().config.headers;
    }

    /** One phrase for the start-up log line, e.g. "TLS, client certificates RequireAndVerifyClientCert, basic auth". */
    public String describe() {
        Snapshot snapshot = current;
        StringBuilder out = new StringBuilder(tls ? "TLS" : "plain HTTP");
        if (tls && snapshot.tls.settings.clientAuth != TlsSettings.ClientAuth.NO_CLIENT_CERT) {
            out.append(", client certificates ").append(snapshot.tls.settings.clientAuth.configName);
        }
        if (!snapshot.users.isEmpty()) {
            out.append(", basic auth");
            if (openPath != null) {
                out.append(" (").append(openPath).append(" open)");
            }
        }
        return out.toString();
    }

    private ServerTls requireTls(Snapshot snapshot) {
        if (snapshot.tls == null) {
            throw new IllegalStateException("the web config " + file + " configures no TLS");
        }
        return snapshot.tls;
    }

    /** The current configuration, reloaded first if a second has passed and a file changed. */
    private Snapshot fresh() {
        long now = clock.nanoTime();
        if (now - nextCheck < 0) {
            return current;
        }
        synchronized (this) {
            if (now - nextCheck < 0) {
                return current;
            }
            nextCheck = now + CHECK_INTERVAL_NANOS;
            Snapshot last = current;
            String fingerprint = fingerprint(file, last.config);
            if (fingerprint.equals(last.fingerprint) || fingerprint.equals(failedFingerprint)) {
                return last;
            }
            try {
                Snapshot loaded = Snapshot.load(file);
                if ((loaded.tls != null) != tls) {
                    throw new WebConfigException("it now turns TLS " + (tls ? "off" : "on") + ", which needs a"
                            + " restart of the application");
                }
                loaded.users.rememberFrom(last.users);
                current = loaded;
                failedFingerprint = null;
                LOG.info("web config " + file + " reloaded: " + describe());
                for (String note : loaded.notes()) {
                    LOG.info("web config " + file + ": " + note);
                }
                for (String warning : loaded.warnings()) {
                    LOG.warn("web config " + file + ": " + warning);
                }
            } catch (WebConfigException | RuntimeException unusable) {
                failedFingerprint = fingerprint;
                LOG.error("web config " + file + " changed but cannot be used; the last good configuration stays in"
                        + " force: " + unusable.getMessage());
            }
            return current;
        }
    }

    /** The modification times and sizes of the config file and the files it names. */
    static String fingerprint(Path file, WebConfig config) {
        List<Path> files = new ArrayList<Path>();
        files.add(file);
        if (config != null && config.tls != null) {
            files.add(config.tls.certFile);
            files.add(config.tls.keyFile);
            if (config.tls.clientCaFile != null) {
                files.add(config.tls.clientCaFile);
            }
        }
        StringBuilder out = new StringBuilder();
        for (Path each : files) {
            out.append(each).append('=');
            try {
                out.append(Files.getLastModifiedTime(each).toMillis()).append('/').append(Files.size(each));
            } catch (IOException missing) {
                out.append("missing");
            }
            out.append(';');
        }
        return out.toString();
    }

    /** A source of {@link System#nanoTime()}, replaceable in tests. */
    interface Clock {
        long nanoTime();
    }

    /** One loaded state of the files. */
    private static final class Snapshot {
        final WebConfig config;
        final ServerTls tls;
        final BasicAuthUsers users;
        final List<String> headerList;
        final String fingerprint;

        private Snapshot(WebConfig config, ServerTls tls, String fingerprint) {
            this.config = config;
            List<String> headers = new ArrayList<String>();
            for (Map.Entry<String, String> header : config.headers.entrySet()) {
                headers.add(header.getKey());
                headers.add(header.getValue());
            }
            this.headerList = Collections.unmodifiableList(headers);
            this.tls = tls;
            this.users = new BasicAuthUsers(config.users);
            this.fingerprint = fingerprint;
        }

        /** Reads everything; the fingerprint is taken first, so a change during the reading is seen next time. */
        static Snapshot load(Path file) throws WebConfigException {
            WebConfig config = WebConfig.read(file);
            String fingerprint = fingerprint(file, config);
            ServerTls tls = config.tls == null ? null : ServerTls.load(config.tls);
            return new Snapshot(config, tls, fingerprint);
        }

        List<String> notes() {
            List<String> notes = new ArrayList<String>(config.notes);
            if (tls != null) {
                notes.addAll(tls.notes);
            }
            return notes;
        }

        List<String> warnings() {
            List<String> warnings = new ArrayList<String>(users.costWarnings());
            if (tls != null) {
                warnings.addAll(tls.warnings);
            }
            return warnings;
        }
    }
}
