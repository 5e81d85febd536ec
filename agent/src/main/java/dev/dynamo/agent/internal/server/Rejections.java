package dev.dynamo.agent.internal.server;

import dev.dynamo.agent.internal.log.AgentLog;
import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the requests and connections the server refused or dropped, exposed as
 * {@code dynamo_system_server_rejected_requests_total{reason}}, and logs the first of each reason
 * at warn and the later ones at debug: a misbehaving client never floods the host's log.
 */
final class Rejections {
    static final String FAMILY = "dynamo_system_server_rejected_requests";
    private static final AgentLog LOG = AgentLog.get(SystemServer.class);

    enum Reason {
        /** Every render slot busy and the queue full, or a queued scrape waited past the request timeout: 503. */
        OVERLOADED,
        /** The credentials of a request needed a slow check and too many checks were waiting: 503. */
        AUTH_OVERLOADED,
        /** The slow check of a request's credentials did not finish within the request timeout: 503. */
        AUTH_TIMEOUT,
        /** The connection limit was reached: the connection waiting longest for a request was closed. */
        CONNECTION_LIMIT,
        /**
         * The process could not accept a connection (out of file descriptors, usually): the connection
         * waits in the listen backlog, and accepting pauses for a tick.
         */
        ACCEPT_FAILED,
        /** A request head did not arrive completely within the request timeout: the connection was closed. */
        REQUEST_TIMEOUT,
        /** A response was not taken by the client within the write timeout: the connection was closed. */
        WRITE_TIMEOUT,
        /**
         * A scrape whose page the free heap could not spare ({@link HeapHeadroom}): 503, before anything was
         * collected.
         */
        HEAP_HEADROOM,
        /** A request the server cannot parse: 400, 414, 431 or 505. */
        BAD_REQUEST,
        /**
         * A TLS handshake the server refused (no or an untrusted client certificate, a version or cipher
         * suite not allowed, plain HTTP on the TLS port): the alert was sent and the connection closed.
         */
        TLS_HANDSHAKE;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final AtomicLong[] counts = new AtomicLong[Reason.values().length];
    private final AtomicBoolean[] reported = new AtomicBoolean[Reason.values().length];

    Rejections() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new AtomicLong();
            reported[i] = new AtomicBoolean();
        }
    }

    /** Counts one; {@code what} says what happened, for the log (never anything the client sent). */
    void count(Reason reason, String what) {
        counts[reason.ordinal()].incrementAndGet();
        if (reported[reason.ordinal()].compareAndSet(false, true)) {
            LOG.warn(what + " (counted in " + FAMILY + "_total{reason=\"" + reason.label()
                    + "\"}; further ones are logged at debug)");
        } else {
            LOG.debug(what);
        }
    }

    long count(Reason reason) {
        return counts[reason.ordinal()].get();
    }

    MetricFamilySamples family() {
        List<MetricFamilySamples.Sample> samples = new ArrayList<MetricFamilySamples.Sample>(counts.length);
        for (Reason reason : Reason.values()) {
            samples.add(new MetricFamilySamples.Sample(FAMILY + "_total", Collections.singletonList("reason"),
                    Collections.singletonList(reason.label()), counts[reason.ordinal()].get()));
        }
        return new MetricFamilySamples(FAMILY, Collector.Type.COUNTER,
                "Requests and connections the agent's HTTP server refused or dropped, by reason", samples);
    }
}
