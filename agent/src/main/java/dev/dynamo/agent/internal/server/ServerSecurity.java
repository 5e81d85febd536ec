package dev.dynamo.agent.internal.server;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import java.util.Collections;
import java.util.List;

/**
 * What the server asks before serving: the TLS context of a new connection, whether a request may
 * be served, and header fields added to every response. {@link #PLAIN}: plain HTTP, every request
 * served, nothing added.
 */
public interface ServerSecurity {
    ServerSecurity PLAIN = new ServerSecurity() {
        @Override
        public SSLContext sslContext() {
            return null;
        }

        @Override
        public Access access(String path, String authorization) {
            return Access.ALLOW;
        }

        @Override
        public List<String> responseHeaders() {
            return Collections.emptyList();
        }
    };

    /**
     * The TLS context for a connection being accepted, or null for plain HTTP. Asked for every
     * connection, so that a reloaded certificate applies to the next one.
     */
    SSLContext sslContext();

    /**
     * The server-mode engine of a connection being accepted, or null for plain HTTP. Override to
     * set what the context alone cannot: client authentication, protocols, cipher suites.
     */
    default SSLEngine sslEngine() {
        SSLContext context = sslContext();
        if (context == null) {
            return null;
        }
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        return engine;
    }

    /**
     * Whether the request for {@code path} with this {@code Authorization} field (null when absent)
     * may be served. Called on the selector thread, so it must be quick: a check that is not (bcrypt)
     * is returned as {@link Access#afterCheck} and runs on the server's credential-check thread.
     */
    Access access(String path, String authorization);

    /** Header fields added to every response, as name, value, name, value... */
    List<String> responseHeaders();
}
