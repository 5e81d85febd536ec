package dev.dynamo.agent.internal.server;

import dev.dynamo.agent.internal.config.AgentConfig;
import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.agent.internal.server.Connection.State;
import dev.dynamo.agent.internal.server.Rejections.Reason;
import dev.dynamo.runtime.internal.ApplicationText;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * The server's selector thread: accepts connections, reads request heads, answers health and
 * liveness itself, hands scrapes to the render slots and writes every response, all without
 * blocking. A client that stalls costs a selection key and a descriptor until its deadline, never a
 * thread; the number of connections is bounded. Credentials that need a slow check (bcrypt) are
 * checked on the credential-check thread while the request waits, never here.
 *
 * <p>Deadlines: a request head must arrive within the request timeout (from the connection's
 * start, or from the first byte of the next request on a kept-alive one); an idle kept-alive
 * connection is closed after {@link #IDLE_TIMEOUT_MS}; a response must make progress at least once
 * per request timeout and be written within {@link #WRITE_TIMEOUT_FACTOR} request timeouts; a
 * scrape may wait for a render slot for one request timeout.
 */
final class ServerLoop implements Runnable {
    /** The methods every path serves, for {@code Allow}: of a 405 and of {@code OPTIONS *}. */
    private static final String ALLOWED_METHODS = "GET, HEAD";
    private static final AgentLog LOG = AgentLog.get(SystemServer.class);

    /** The most connections, where the process has descriptors to spare ({@link DescriptorBudget}). */
    static final int MAX_CONNECTIONS = 256;
    /**
     * At the connection limit, a connection waiting for a request is closed to make room only once it
     * has waited this long: a client just accepted may have sent its request, unread yet (a re-tester's
     * 200 clients that each opened a connection per scrape lost 500-1,000 requests in 15 s to that, and
     * some liveness probes). Until then new clients wait in the listen backlog.
     */
    static final long EVICTION_AGE_MS = 1_000;
    static final int MAX_QUEUED_SCRAPES = 32;
    static final long IDLE_TIMEOUT_MS = 120_000;
    static final int WRITE_TIMEOUT_FACTOR = 6;
    /** After a last response: how long, and how much, to read and discard before closing, so the close sends no reset. */
    static final long LINGER_MS = 2_000;
    static final long MAX_LINGER_BYTES = 256 * 1024;
    /**
     * Largest slice of a body per write call. A heap buffer written to a channel goes through a
     * temporary direct buffer of its size, which JDKs before 23 cache per thread for good, counted
     * against {@code -XX:MaxDirectMemorySize}; slices keep the selector thread's cached buffer at this
     * size, whatever the page size. With 64 KiB slices, 72 KiB stayed taken after a few scrapes on JDK 17,
     * and an application's own {@code allocateDirect} of 952 KiB under a limit of 1 MiB failed (a
     * re-tester); with this size, 16 KiB: the head and the slice are written as one buffer
     * ({@link PlainTransport}), and reads take the same cached buffer.
     */
    static final int WRITE_SLICE_BYTES = 16 * 1024;
    private static final long TICK_MS = 100;
    private static final byte[] HEAD_METHOD = "HEAD ".getBytes(StandardCharsets.US_ASCII);
    /** How long the loop parks between polls while the JVM exits (see {@link #jvmExiting}) and clients are active. */
    private static final long EXIT_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /**
     * How long it parks between polls once no client has been active for {@link #EXIT_IDLE_NANOS}, and for
     * {@link #EXIT_LONG_IDLE_NANOS}: a shutdown hook that never ends holds the JVM in its exit for good, and
     * polling every 2 ms then took about 1 % of a core for as long (a re-tester). A client that comes then waits
     * up to this long for its first answer, well within a probe's timeout (Kubernetes: 1 s).
     */
    private static final long EXIT_IDLE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long EXIT_LONG_IDLE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long EXIT_IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long EXIT_LONG_IDLE_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

    private final Selector selector;
    private final ServerSocketChannel listener;
    private final SelectionKey acceptKey;
    private final AgentConfig config;
    private final HealthStatus health;
    private final ServerSecurity security;
    private final Rejections rejections;
    private final Executor renderers;
    private final Executor healthWorkers;
    private final CredentialChecks credentialChecks;
    /** Connections a health worker or the credential-check thread is done with: an answer prepared, or credentials checked. */
    private final ConcurrentLinkedQueue<Connection> handedBack = new ConcurrentLinkedQueue<Connection>();
    /** Whether a health worker runs the checks for a {@code /health} request now; this thread only. */
    private boolean healthRunning;
    /** The {@code /health} requests that came while the checks ran, answered with that run's answer. */
    private final List<Connection> healthJoined = new ArrayList<Connection>();
    /** The most requests that wait for one run of the checks; more are answered 503. */
    static final int MAX_JOINED_HEALTH_REQUESTS = 64;
    private final RenderSlot[] slots;
    private final long requestTimeoutNanos;
    /** The shortest time a credential check is given, whatever the request timeout. */
    private static final long MIN_CHECK_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(10);
    /**
     * How long a credential check is given from its request's arrival: the request timeout, never shorter than
     * one check of an ordinary cost needs (a request timeout of 100 ms made every new login fail).
     */
    private final long credentialCheckNanos;

    private final List<Connection> connections = new ArrayList<Connection>();
    private final ArrayDeque<Connection> queuedScrapes = new ArrayDeque<Connection>();
    /** Connections that may have a request read already, to parse after the current batch of keys. */
    private final ArrayDeque<Connection> pendingInput = new ArrayDeque<Connection>();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(16 * 1024);
    /** The one buffer each plain write is copied into ({@link PlainTransport}). */
    private final ByteBuffer joinedWrite = ByteBuffer.allocate(WRITE_SLICE_BYTES);
    private volatile boolean running = true;
    private volatile boolean jvmExiting;
    /** While the JVM exits: {@code System.nanoTime()} of the last poll that found a key ready, or of the exit's start. */
    private long lastExitActivity;
    /** Accepting is paused: at the connection limit with no connection to close, or after a failed accept. */
    private boolean acceptPaused;
    /** When a paused accept is tried again (after a failed accept); 0: when a connection closes or may be closed. */
    private long acceptRetryAt;
    private final DescriptorBudget descriptors = new DescriptorBudget();
    private long lastSweep;
    private boolean loopFailureReported;
    private final Set<Class<?>> reportedRenderFailures = new HashSet<Class<?>>();
    /** A page of at least this many bytes is rendered alone: see {@link #rendersAlone}. */
    private final long largePageBytes;
    /**
     * The size of the last page rendered; {@code Long.MAX_VALUE} before the first, whose size nothing
     * tells, and after a render that ran out of memory.
     */
    private long lastPageBytes = Long.MAX_VALUE;
    /** The bytes of the pages render slots handed over to the connections sending them: at most {@link #largePageBytes}. */
    private long handedOverBytes;
    /** The loop's passes that failed since the last one that did not (see {@link #backOffNanos}). */
    private int failuresInARow;
    /** The longest wait after a failure of the loop. */
    static final long MAX_BACK_OFF_MILLIS = 1000;

    /**
     * @param largePageBytes from this size of the last page on, scrapes are rendered one at a time; also
     *                       the most that the pages handed over to the connections sending them take together
     *                       ({@link SystemServer} gives a 32nd of the maximum heap)
     */
    ServerLoop(Selector selector, ServerSocketChannel listener, AgentConfig config, HealthStatus health,
            ServerSecurity security, Rejections rejections, MetricsHandler metrics, Executor renderers,
            int renderSlots, long largePageBytes, Executor healthWorkers, CredentialChecks credentialChecks)
            throws IOException {
        this.largePageBytes = largePageBytes;
        this.selector = selector;
        this.listener = listener;
        this.acceptKey = listener.register(selector, SelectionKey.OP_ACCEPT);
        this.config = config;
        this.health = health;
        this.security = security;
        this.rejections = rejections;
        this.renderers = renderers;
        this.healthWorkers = healthWorkers;
        this.credentialChecks = credentialChecks;
        this.requestTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMillis());
        this.credentialCheckNanos = Math.max(requestTimeoutNanos, MIN_CHECK_DEADLINE_NANOS);
        this.slots = new RenderSlot[renderSlots];
        for (int i = 0; i < renderSlots; i++) {
            slots[i] = new RenderSlot(metrics, selector::wakeup);
        }
    }

    /**
     * How long the loop waits after the {@code failuresInARow}th failure in a row: 1 ms, doubled at each
     * further one, at most {@link #MAX_BACK_OFF_MILLIS}. A single failure costs a millisecond.
     */
    static long backOffNanos(int failuresInARow) {
        long millis = failuresInARow >= 12 ? MAX_BACK_OFF_MILLIS
                : Math.min(MAX_BACK_OFF_MILLIS, 1L << Math.max(0, failuresInARow - 1));
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    void stop() {
        running = false;
        selector.wakeup();
    }

    /**
     * The JVM runs its shutdown hooks: serve on, so that the application's drain (its last calls,
     * the probes, a final scrape) is seen, but never wait in native code again. Once the hooks are
     * done, HotSpot waits up to 300 ms for every thread that is in native code, as a thread blocked
     * in {@code select} is, before it ends the process; parked between polls, the loop holds no exit.
     */
    void jvmExiting() {
        jvmExiting = true;
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            while (running) {
                try {
                    if (!jvmExiting) {
                        // Ticks for the deadlines, and for an accept paused to be tried again.
                        selector.select(connections.isEmpty() && !acceptPaused ? 0 : TICK_MS);
                        lastExitActivity = System.nanoTime();
                    } else if (selector.selectNow() == 0) {
                        long idle = System.nanoTime() - lastExitActivity;
                        LockSupport.parkNanos(idle < EXIT_IDLE_NANOS ? EXIT_POLL_NANOS
                                : idle < EXIT_LONG_IDLE_NANOS ? EXIT_IDLE_POLL_NANOS : EXIT_LONG_IDLE_POLL_NANOS);
                    } else {
                        lastExitActivity = System.nanoTime();
                    }
                    // An interrupt from the application (interrupting every thread, say) would make
                    // each select return at once: the server stops through stop(), so clear it.
                    Thread.interrupted();
                    long now = System.nanoTime();
                    deliverRenders(now);
                    resumeHandedBack(now);
                    Set<SelectionKey> selected = selector.selectedKeys();
                    for (Iterator<SelectionKey> keys = selected.iterator(); keys.hasNext(); ) {
                        SelectionKey key = keys.next();
                        keys.remove();
                        handle(key, now);
                    }
                    while (!pendingInput.isEmpty()) {
                        Connection connection = pendingInput.poll();
                        if (!connection.closed && connection.state == State.READING) {
                            guarded(connection, now, true);
                        }
                    }
                    if (now - lastSweep >= TimeUnit.MILLISECONDS.toNanos(TICK_MS)) {
                        lastSweep = now;
                        sweep(now);
                    }
                    failuresInARow = 0;
                } catch (ClosedSelectorException closed) {
                    return;
                } catch (Throwable unexpected) {
                    // The loop must survive anything, an OutOfMemoryError included: it serves /live.
                    // Even the report's first run may need memory (the JVM creates a string constant
                    // at its first use), so nothing of it may escape this catch.
                    try {
                        reportOnce(unexpected instanceof SecurityException
                                ? "the application's SecurityManager denies the metrics server what it needs to answer"
                                + " clients, so it answers none: grant the agent's jar java.security.AllPermission in"
                                + " the policy (it accepts connections, starts threads, reads /proc and the JVM's"
                                + " management beans; a socket permission alone leaves /metrics failing). Denied: "
                                : "the metrics server hit an unexpected error and serves on: ", unexpected);
                    } catch (Throwable reportFailed) {
                        // Serving on matters more than the message.
                    }
                    // A failure that comes back at every pass (the metaspace full, so that each pass's first use of a
                    // class fails and sets off a full GC) must not spin: a re-tester's attach to a JVM at its
                    // -XX:MaxMetaspaceSize made some 570 full GCs a second at 100 % CPU for the rest of its life.
                    LockSupport.parkNanos(backOffNanos(++failuresInARow));
                }
            }
        } finally {
            closeEverything();
        }
    }

    private void handle(SelectionKey key, long now) {
        if (key == acceptKey) {
            try {
                accept(now);
            } catch (IOException failed) {
                // Out of descriptors, usually: the pending connections wait in the backlog. The listener stays
                // ready, so accepting at once again would spin this thread (a re-tester: a core's worth, for as
                // long as the host was short of descriptors): tried again at the next sweep.
                pauseAccepting(now + TimeUnit.MILLISECONDS.toNanos(TICK_MS));
                rejections.count(Reason.ACCEPT_FAILED, "cannot accept a connection (" + failed.getMessage()
                        + "; out of file descriptors, usually); it waits in the listen backlog, tried again every "
                        + TICK_MS + " ms");
            }
            return;
        }
        Connection connection = (Connection) key.attachment();
        if (!key.isValid()) {
            close(connection);
            return;
        }
        int ready = key.readyOps();
        if ((ready & SelectionKey.OP_WRITE) != 0) {
            try {
                if (connection.state == State.WRITING) {
                    write(connection, now);
                } else if (connection.transport.flushed()) {
                    key.interestOps(SelectionKey.OP_READ);
                }
            } catch (Throwable failed) {
                closeAfterFailure(connection, failed);
                return;
            }
        }
        if ((ready & SelectionKey.OP_READ) != 0 && !connection.closed) {
            guarded(connection, now, false);
        }
    }

    /** Reads (or parses what was read) and dispatches, closing the connection on any failure. */
    private void guarded(Connection connection, long now, boolean alreadyRead) {
        try {
            if (connection.state == State.LINGERING) {
                discard(connection);
            } else if (connection.state == State.QUEUED) {
                stillThere(connection);
            } else if (connection.state == State.READING) {
                if (alreadyRead) {
                    parse(connection, now);
                }
                read(connection, now);
            }
            boolean waiting = connection.state == State.READING || connection.state == State.LINGERING;
            if (waiting && !connection.closed && !connection.transport.flushed()) {
                // A TLS transport with handshake records the socket did not take yet.
                connection.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
        } catch (Throwable failed) {
            closeAfterFailure(connection, failed);
        }
    }

    private void closeAfterFailure(Connection connection, Throwable failed) {
        if (failed instanceof SSLHandshakeException
                || failed instanceof SSLException && connection.transport instanceof TlsTransport
                && !((TlsTransport) connection.transport).handshakeDone()) {
            // Not a client gone but one refused: the operator needs to know why, once.
            rejections.count(Reason.TLS_HANDSHAKE, describeTls(connection, failed));
        } else if (failed instanceof IOException) {
            // An IOException is a client gone (reset, closed early): normal, and never worth more than debug.
            try {
                LOG.debug("connection closed: " + failed);
            } catch (Throwable outOfMemory) {
                // Closing the connection matters more than the message.
            }
        } else {
            reportOnce("the metrics server closed a connection after an unexpected error: ", failed);
        }
        close(connection);
    }

    /**
     * Why a handshake failed: the alert with which the client ended it, or the JDK's reason for refusing it,
     * shortened; plain HTTP on the TLS port said in plain words.
     */
    private static String describeTls(Connection connection, Throwable failed) {
        TlsTransport tls = connection.transport instanceof TlsTransport ? (TlsTransport) connection.transport : null;
        if (tls != null && tls.refusedPlainText()) {
            return "refused a TLS handshake: plain HTTP on a port that speaks TLS; use https://";
        }
        int alert = tls != null ? tls.clientAlert() : -1;
        if (alert >= 0) {
            boolean certificate = alert >= 42 && alert <= 46 || alert == 48;
            return "a client ended the TLS handshake with alert " + TlsTransport.alertName(alert) + " (" + alert + ")"
                    + (certificate ? ": it does not accept the server's certificate (give it the CA certificate that"
                    + " signed it, as curl --cacert or Prometheus's tls_config.ca_file, or check the certificate's"
                    + " names and dates)" : "");
        }
        String message = String.valueOf(failed.getMessage());
        return "refused a TLS handshake: " + (message.length() > 300 ? message.substring(0, 300) + "..." : message);
    }

    /**
     * Logs the first unexpected failure of the loop. Never throws: the failure is often an
     * OutOfMemoryError, and the message takes memory too; were it to escape, this thread would end,
     * and with it {@code /live}, {@code /health} and {@code /metrics} for the life of the JVM.
     */
    private void reportOnce(String what, Throwable failure) {
        try {
            if (!loopFailureReported) {
                LOG.error(what + failure);
                loopFailureReported = true;
            }
        } catch (Throwable outOfMemory) {
            // Not reported yet: the next failure tries again.
        }
    }

    private void accept(long now) throws IOException {
        while (true) {
            SocketChannel channel = listener.accept();
            if (channel == null) {
                return;
            }
            int limit = descriptors.connectionsAllowed(connections.size(), now);
            if (connections.size() >= limit && !closeLongestWaiting(now, limit)) {
                // Every connection is busy with a response or has only just come: this one is served, the
                // next ones wait in the backlog, unrefused, until a connection closes or may be closed.
                pauseAccepting(0);
            }
            try {
                channel.configureBlocking(false);
                // Per socket: the agent never sets the JVM-wide properties that would do this for all.
                channel.socket().setTcpNoDelay(true);
                SSLEngine engine = security.sslEngine();
                Connection connection = new Connection(engine == null
                        ? new PlainTransport(channel, joinedWrite) : new TlsTransport(channel, engine));
                connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
                connections.add(connection);
                awaitRequest(connection, now, true);
            } catch (IOException | RuntimeException failed) {
                LOG.debug("cannot set up an accepted connection: " + failed);
                channel.close();
            }
            if (acceptPaused) {
                return;
            }
        }
    }

    private void pauseAccepting(long retryAt) {
        acceptPaused = true;
        acceptRetryAt = retryAt;
        acceptKey.interestOps(0);
    }

    /** At the connection limit: closes the connection that has waited longest for a request, if one may be closed. */
    private boolean closeLongestWaiting(long now, int limit) {
        Connection longest = longestWaiting(now);
        if (longest == null) {
            return false;
        }
        if (longest.state == State.READING) {
            rejections.count(Reason.CONNECTION_LIMIT, limit + " connections are open (the limit: " + MAX_CONNECTIONS
                    + ", or half the file descriptors the process has free); closed the one waiting longest for a"
                    + " request");
        }
        close(longest);
        return true;
    }

    /**
     * The connection to close to make room: one that lingers after its last response, or else the one
     * waiting longest for a request, if it has waited {@link #EVICTION_AGE_MS}; null for none.
     */
    private Connection longestWaiting(long now) {
        Connection lingering = null;
        Connection reading = null;
        for (Connection connection : connections) {
            if (connection.state == State.LINGERING) {
                if (lingering == null || connection.waitingSince - lingering.waitingSince < 0) {
                    lingering = connection;
                }
            } else if (connection.state == State.READING
                    && now - connection.waitingSince >= TimeUnit.MILLISECONDS.toNanos(EVICTION_AGE_MS)
                    && (reading == null || connection.waitingSince - reading.waitingSince < 0)) {
                reading = connection;
            }
        }
        return lingering != null ? lingering : reading;
    }

    private void awaitRequest(Connection connection, long now, boolean fresh) {
        connection.state = State.READING;
        connection.request = null;
        connection.waitingSince = now;
        connection.headDeadline = fresh || connection.inputLength > 0;
        connection.deadline = now + (connection.headDeadline
                ? requestTimeoutNanos : TimeUnit.MILLISECONDS.toNanos(IDLE_TIMEOUT_MS));
        connection.key.interestOps(SelectionKey.OP_READ);
    }

    private void read(Connection connection, long now) throws IOException {
        while (connection.state == State.READING && !connection.closed) {
            int room = RequestHeadParser.MAX_HEAD_BYTES - connection.inputLength;
            readBuffer.clear();
            readBuffer.limit(Math.min(readBuffer.capacity(), Math.max(room, 1)));
            int count = connection.transport.read(readBuffer);
            if (count < 0) {
                // The client closed its side. Requests it pipelined before (printf ... | nc sends its
                // requests and its end at once) are answered first, one by one, each coming back here
                // when its answer is written; a half-sent head gets no answer.
                if (connection.inputLength > 0 && RequestHeadParser.headEnd(connection.input, 0,
                        connection.inputLength) >= 0) {
                    parse(connection, now);
                    continue;
                }
                endOfInput(connection);
                return;
            }
            if (count == 0) {
                return;
            }
            if (!connection.headDeadline) {
                connection.headDeadline = true;
                connection.deadline = now + requestTimeoutNanos;
            }
            connection.append(readBuffer.array(), count);
            parse(connection, now);
        }
    }

    /** The client sent all it will: a TLS connection says its close_notify first (best effort), then closes. */
    private void endOfInput(Connection connection) {
        if (connection.transport instanceof TlsTransport) {
            try {
                connection.transport.shutdownOutput();
            } catch (IOException | RuntimeException notSent) {
                // The client may have closed its reading side too; the close below is what matters.
            }
        }
        close(connection);
    }

    private void parse(Connection connection, long now) {
        connection.skipLeadingLineEnds();
        if (connection.inputLength == 0) {
            return;
        }
        try {
            RequestHeadParser.checkFirstByte(connection.input[0]);
        } catch (BadRequestException bad) {
            refuse(connection, now, bad);
            return;
        }
        int end = RequestHeadParser.headEnd(connection.input, connection.scanned, connection.inputLength);
        if (end < 0) {
            try {
                RequestHeadParser.checkRequestLine(connection.input, connection.inputLength);
                RequestHeadParser.checkLineEnds(connection.input, connection.scanned - 1, connection.inputLength);
            } catch (BadRequestException bad) {
                refuse(connection, now, bad);
                return;
            }
            connection.scanned = connection.inputLength;
            if (connection.inputLength >= RequestHeadParser.MAX_HEAD_BYTES) {
                int status = RequestHeadParser.oversizedHeadStatus(connection.input, connection.inputLength);
                String tooLong = (status == 414 ? "request line" : "request head") + " longer than "
                        + RequestHeadParser.MAX_HEAD_BYTES + " bytes, the most accepted";
                refuse(connection, now, new BadRequestException(status, tooLong));
            }
            return;
        }
        HttpRequest request;
        try {
            request = RequestHeadParser.parse(connection.input, end);
        } catch (BadRequestException bad) {
            refuse(connection, now, bad);
            return;
        }
        connection.consume(end);
        connection.request = request;
        connection.keepAlive = request.keepAlive() && !request.hasBody();
        dispatch(connection, request, now);
    }

    private void refuse(Connection connection, long now, BadRequestException bad) {
        rejections.count(Reason.BAD_REQUEST, "answered " + bad.status() + " to a malformed request: "
                + bad.getMessage());
        // A HEAD request's answer has no content, also when the rest of its head is malformed.
        boolean head = startsWith(connection.input, connection.inputLength, HEAD_METHOD);
        connection.input = null;
        connection.inputLength = 0;
        connection.keepAlive = false;
        respond(connection, HttpResponse.text(bad.status(), HttpResponse.reason(bad.status()) + ": " + bad.getMessage()
                + "\n"), now, head);
    }

    private static boolean startsWith(byte[] input, int length, byte[] prefix) {
        if (input == null || length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (input[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private void dispatch(Connection connection, HttpRequest request, long now) {
        Access access = security.access(request.path(), request.header("Authorization"));
        if (access.pending()) {
            checkCredentials(connection, access);
        } else if (access.allowed()) {
            route(connection, request, now);
        } else {
            unauthorized(connection, access, now);
        }
    }

    private void unauthorized(Connection connection, Access access, long now) {
        respond(connection, HttpResponse.text(401, "Unauthorized\n").header("WWW-Authenticate", access.challenge()),
                now);
    }

    /** The request waits, costing this thread nothing, while the credential-check thread runs the slow check. */
    private void checkCredentials(final Connection connection, final Access access) {
        connection.key.interestOps(0);
        connection.state = State.CHECKING;
        connection.deadline = 0;
        connection.access = access;
        long deadline = System.nanoTime() + credentialCheckNanos;
        credentialChecks.submit(CredentialChecks.sourceOf(connection.transport.channel), deadline, pace -> {
            try {
                connection.accessGranted = access.verify(pace);
            } catch (Throwable failed) {
                connection.answerFailure = failed;
            } finally {
                handedBack.add(connection);
                selector.wakeup();
            }
        }, () -> credentialChecksOverloaded(connection));
    }

    /**
     * Answers 503 to a request whose check was turned away: at once, or later, when a request from an address
     * with fewer checks waiting took its place. The connection is closed, so that a flood has to connect again
     * rather than send its next guess at once on a kept-alive connection, at 15,000-20,000 a second (a
     * re-tester). Over TLS each new connection costs this thread a handshake instead, so its CPU under such a
     * flood stayed about the same (a quarter to a third of a core), at a hundredth of the guesses.
     */
    private void credentialChecksOverloaded(Connection connection) {
        connection.access = null;
        if (connection.closed) {
            return;
        }
        rejections.count(Reason.AUTH_OVERLOADED, CredentialChecks.MAX_QUEUED + " credential checks are waiting"
                + " already; answered 503 and closed the connection (of the request that came, or of the newest"
                + " request of the client address with the most waiting, whose place it took)");
        respond(connection, HttpResponse.text(503, "Too many credential checks at once; retry later\n")
                .header("Retry-After", "1").closeConnection(), System.nanoTime());
    }

    private void afterCredentialCheck(Connection connection, long now) {
        Access access = connection.access;
        Throwable failure = connection.answerFailure;
        connection.access = null;
        connection.answerFailure = null;
        if (failure instanceof CheckPace.Stopped) {
            rejections.count(Reason.AUTH_TIMEOUT, "a credential check did not finish within "
                    + TimeUnit.NANOSECONDS.toMillis(credentialCheckNanos)
                    + " ms of its request (" + AgentConfig.SYSTEM_REQUEST_TIMEOUT_MS + ", at least 10 s for a check) at"
                    + " a quarter of a core; answered 503. Checks of a high bcrypt cost (see the warning at load) or"
                    + " many checks queued ahead of it (a flood of wrong passwords) take that long");
            respond(connection, HttpResponse.text(503, "The credential check did not finish in time; retry later\n")
                    .header("Retry-After", "1"), now);
        } else if (failure != null) {
            respond(connection, internalError("checking credentials", failure, ""), now);
        } else if (connection.accessGranted) {
            route(connection, connection.request, now);
        } else {
            unauthorized(connection, access, now);
        }
    }

    private void route(Connection connection, HttpRequest request, long now) {
        String path = request.path();
        boolean metrics = path.equals(config.metricsPath());
        boolean healthPath = path.equals(config.healthPath());
        if (path.equals("*")) {
            // "OPTIONS *" asks what the server as a whole supports (RFC 9110 9.3.7); only OPTIONS may
            // name "*", which the parser checked.
            respond(connection, new HttpResponse(200).header("Allow", ALLOWED_METHODS), now);
        } else if (!metrics && !healthPath && !path.equals(config.livePath())) {
            respond(connection, HttpResponse.text(404, "Not found. Try " + config.metricsPath() + ", "
                    + config.healthPath() + " or " + config.livePath() + "\n"), now);
        } else if (!request.method().equals("GET") && !request.isHead()) {
            respond(connection, HttpResponse.text(405, "Method not allowed; use GET or HEAD\n")
                    .header("Allow", ALLOWED_METHODS), now);
        } else if (metrics) {
            scrape(connection, now);
        } else if (healthPath) {
            answerHealth(connection, now);
        } else {
            respond(connection, HttpResponse.json(200, health.liveJson()), now);
        }
    }

    /**
     * {@code /health} runs the application's health checks, which may take until their timeouts:
     * on a health worker, never on this thread, which must keep answering {@code /live}. Requests
     * that come while they run wait for that run and get its answer: each running the checks again,
     * two at a time on the two workers, ten probes at once with a check that hangs took up to five
     * timeouts (an operations tester's: 2.5 s, when a probe gives up after 1 s).
     */
    private void answerHealth(final Connection connection, long now) {
        connection.key.interestOps(0);
        connection.state = State.RENDERING;
        connection.deadline = 0;
        if (healthRunning) {
            if (healthJoined.size() < MAX_JOINED_HEALTH_REQUESTS) {
                healthJoined.add(connection);
            } else {
                overloaded(connection, now, "too many /health requests are waiting already; answered 503");
            }
            return;
        }
        healthRunning = true;
        try {
            healthWorkers.execute(() -> {
                try {
                    HealthStatus.Report report = health.report();
                    connection.answer = HttpResponse.json(report.httpStatus(), report.json());
                } catch (Throwable failed) {
                    connection.answerFailure = failed;
                } finally {
                    handedBack.add(connection);
                    selector.wakeup();
                }
            });
        } catch (WorkerPool.NoThreadException noThread) {
            healthRunning = false;
            overloaded(connection, now, "cannot answer /health, answered 503: " + noThread.getMessage());
        } catch (RejectedExecutionException stopping) {
            // One run at a time goes to the worker: it refuses one only while the server stops.
            healthRunning = false;
            overloaded(connection, now, "cannot run the health checks now (the server is stopping); answered 503");
        }
    }

    private void resumeHandedBack(long now) {
        for (Connection connection = handedBack.poll(); connection != null; connection = handedBack.poll()) {
            if (connection.state != State.CHECKING) {
                // A health worker's run of the checks: answered to those that waited for it even when its
                // own client went away.
                deliverHealthAnswer(connection, now);
            } else if (connection.closed) {
                connection.access = null;
            } else {
                afterCredentialCheck(connection, now);
            }
        }
    }

    /** Answers the {@code /health} request whose run of the checks ended, and those that waited for it. */
    private void deliverHealthAnswer(Connection connection, long now) {
        HttpResponse response = connection.answer;
        Throwable failure = connection.answerFailure;
        connection.answer = null;
        connection.answerFailure = null;
        healthRunning = false;
        List<Connection> answered = new ArrayList<Connection>(healthJoined.size() + 1);
        answered.add(connection);
        answered.addAll(healthJoined);
        healthJoined.clear();
        if (response == null) {
            response = internalError("/health", failure, "");
        }
        for (Connection waiting : answered) {
            if (!waiting.closed) {
                respond(waiting, waiting == connection ? response : response.copy(), now);
            }
        }
    }

    private void scrape(Connection connection, long now) {
        connection.key.interestOps(0);
        RenderSlot available = queuedScrapes.isEmpty() && !rendersAlone() ? availableSlot() : null;
        if (available != null) {
            render(available, connection, now);
            return;
        }
        if (queuedScrapes.size() >= MAX_QUEUED_SCRAPES) {
            dropDeparted();
        }
        if (queuedScrapes.size() < MAX_QUEUED_SCRAPES) {
            connection.state = State.QUEUED;
            connection.waitingSince = now;
            connection.deadline = now + requestTimeoutNanos;
            queuedScrapes.add(connection);
            // Watched while it waits: a client that goes away leaves the queue, and is rendered nothing.
            connection.key.interestOps(SelectionKey.OP_READ);
            return;
        }
        overloaded(connection, now, MAX_QUEUED_SCRAPES + " scrapes are waiting already; answered 503");
    }

    /**
     * Closes the queued scrapes whose clients went away, whose end may still wait unread behind this
     * selection's events: a burst of scrapes that time out (a client's timeout, aborted requests)
     * would otherwise fill the queue and get a waiting client refused.
     */
    private void dropDeparted() {
        for (Connection queued : new ArrayList<Connection>(queuedScrapes)) {
            try {
                stillThere(queued);
            } catch (Throwable failed) {
                closeAfterFailure(queued, failed);
            }
        }
    }

    /**
     * Reads what the client of a queued scrape sent after its request: its end, which closes the
     * connection (it leaves the queue), or more requests, kept for after its answer, as pipelined
     * ones are. With no room left for them it is no longer watched, and waits its turn.
     */
    private void stillThere(Connection connection) throws IOException {
        int room = RequestHeadParser.MAX_HEAD_BYTES - connection.inputLength;
        if (room <= 0) {
            connection.key.interestOps(0);
            return;
        }
        readBuffer.clear();
        readBuffer.limit(Math.min(readBuffer.capacity(), room));
        int count = connection.transport.read(readBuffer);
        if (count < 0) {
            close(connection);
        } else if (count > 0) {
            connection.append(readBuffer.array(), count);
        }
    }

    private void overloaded(Connection connection, long now, String what) {
        rejections.count(Reason.OVERLOADED, what);
        respond(connection, HttpResponse.text(503, "Too many scrapes at once; retry later\n")
                .header("Retry-After", "1"), now);
    }

    private void render(RenderSlot slot, Connection connection, long now) {
        connection.key.interestOps(0);
        connection.state = State.RENDERING;
        connection.slot = slot;
        connection.deadline = 0;
        slot.prepare(connection);
        try {
            renderers.execute(slot);
        } catch (WorkerPool.NoThreadException noThread) {
            slot.free();
            connection.slot = null;
            overloaded(connection, now, "cannot render a page, answered 503: " + noThread.getMessage());
        } catch (RejectedExecutionException stopping) {
            slot.free();
            connection.slot = null;
            connection.keepAlive = false;
            respond(connection, HttpResponse.text(503, "The metrics server is stopping\n"), now);
        }
    }

    /**
     * Whether a scrape must wait for the one being rendered: when the last page was large. A render
     * holds its page and the samples it is written from in the heap, so two side by side hold twice
     * that: four plain-text scrapes of a 31 MB page at once made a tester's application (128 MB of
     * heap, 50 MB live) fail its own allocations. Prometheus asks for gzip, whose pages are small.
     * A page being sent does not hold the next render back: a slow client would hold every scrape.
     */
    private boolean rendersAlone() {
        if (lastPageBytes < largePageBytes) {
            return false;
        }
        for (RenderSlot slot : slots) {
            if (slot.owner != null && !slot.delivered) {
                return true;
            }
        }
        return false;
    }

    private void deliverRenders(long now) {
        for (RenderSlot slot : slots) {
            if (slot.owner == null || slot.delivered || !slot.finished()) {
                continue;
            }
            slot.delivered = true;
            lastPageBytes = slot.response() != null ? slot.page.length()
                    : slot.failure() instanceof OutOfMemoryError ? Long.MAX_VALUE : lastPageBytes;
            Connection connection = slot.owner;
            if (connection.closed) {
                freeSlot(slot, now);
                continue;
            }
            try {
                HttpResponse response = slot.response();
                if (response == null) {
                    response = internalError("rendering /metrics", slot.failure(), renderFailureHint(slot));
                }
                respond(connection, response, now);
            } catch (Throwable failed) {
                close(connection);
            }
        }
        // A large page's render is done: the next may start beside its sending.
        startQueued(now);
    }

    /**
     * Logs that {@code what} failed, the first failure of each kind at warn and the next ones at
     * debug (a broken collector must not flood the log), and returns the 500 that answers it: no
     * stack trace or request data goes back to the client. {@code hint} ends the log line: what to do.
     */
    private HttpResponse internalError(String what, Throwable failure, String hint) {
        String message = what + " failed, answered 500: " + ApplicationText.of(failure) + hint;
        if (failure != null && reportedRenderFailures.add(failure.getClass())) {
            LOG.warn(message + " (further failures of this kind are logged at debug)");
        } else {
            LOG.debug(message);
        }
        return HttpResponse.text(500, "Internal error; see the application's log\n").closeConnection();
    }

    /** For a render that ran out of memory: how far it got and what lets the page fit, or which limit was hit. */
    private static String renderFailureHint(RenderSlot slot) {
        if (!(slot.failure() instanceof OutOfMemoryError)) {
            return "";
        }
        String exhausted = String.valueOf(slot.failure().getMessage());
        if (!exhausted.startsWith("Java heap space") && !exhausted.startsWith("GC overhead")
                && !exhausted.startsWith("Requested array size")) {
            // Metaspace, compressed class space, direct buffer memory, native threads: a limit of its own.
            return " (the JVM's limit on that ran out, not the heap: raise it (Metaspace: -XX:MaxMetaspaceSize,"
                    + " Compressed class space: -XX:CompressedClassSpaceSize, Direct buffer memory:"
                    + " -XX:MaxDirectMemorySize, native threads: ulimit -u or the container's pids limit). The first"
                    + " scrape loads the classes of the metrics it renders, the JVM metrics' most of all"
                    + " (DYN_SYSTEM_JVM_METRICS=false leaves them out))";
        }
        return " (the page had " + slot.writtenAtFailure() + " bytes when the heap ran out; a page is held in the heap"
                + " while it is sent, its samples while it is written: give the JVM more heap, ask for gzip"
                + " (Accept-Encoding: gzip, which Prometheus sends), or ask for fewer metrics with ?name[]=...)";
    }

    private void freeSlot(RenderSlot slot, long now) {
        if (slot.owner != null) {
            slot.owner.slot = null;
        }
        slot.free();
        startQueued(now);
    }

    /** Hands waiting scrapes to the available slots, as far as {@link #rendersAlone} lets them. */
    private void startQueued(long now) {
        while (!queuedScrapes.isEmpty() && !rendersAlone()) {
            RenderSlot slot = availableSlot();
            if (slot == null) {
                return;
            }
            Connection next = queuedScrapes.poll();
            if (!next.closed) {
                render(slot, next, now);
            }
        }
    }

    /** A free render slot, or one freed by handing its page over to the connection sending it; null if none. */
    private RenderSlot availableSlot() {
        for (RenderSlot slot : slots) {
            if (slot.owner == null) {
                return slot;
            }
        }
        for (RenderSlot slot : slots) {
            Connection sending = slot.owner;
            if (slot.delivered && sending.state == State.WRITING && !sending.closed
                    && handedOverBytes + slot.page.length() <= largePageBytes) {
                // A client that reads slowly, or not at all, then holds its own page, not every other scrape:
                // two such held both slots until their write deadlines, and Prometheus's scrapes waited, then
                // got 503. The pages handed over take at most largePageBytes together (and each at most one
                // chunk more, its last one's unused part); past that, slots wait.
                long bytes = slot.handOverPage();
                sending.slot = null;
                sending.handedOverBytes = bytes;
                handedOverBytes += bytes;
                return slot;
            }
        }
        return null;
    }

    /** Gives back what {@code connection}'s handed-over page held, once it is sent or its connection closed. */
    private void releaseHandedOver(Connection connection, long now) {
        if (connection.handedOverBytes == 0) {
            return;
        }
        handedOverBytes -= connection.handedOverBytes;
        connection.handedOverBytes = 0;
        startQueued(now);
    }

    private void respond(Connection connection, HttpResponse response, long now) {
        respond(connection, response, now, connection.request != null && connection.request.isHead());
    }

    /** @param head whether the request was {@code HEAD}: the response's head alone is sent */
    private void respond(Connection connection, HttpResponse response, long now, boolean head) {
        boolean keepAlive = connection.keepAlive && !response.closesConnection() && running;
        connection.keepAlive = keepAlive;
        connection.head = ByteBuffer.wrap(response.head(keepAlive, security.responseHeaders()));
        connection.body = head ? null : response;
        connection.bodyPosition = 0;
        connection.bodyEnd = head ? 0 : response.bodyLength();
        connection.state = State.WRITING;
        connection.deadline = 0;
        connection.writeStarted = now;
        connection.lastProgress = now;
        try {
            write(connection, now);
        } catch (Throwable failed) {
            closeAfterFailure(connection, failed);
        }
    }

    private void write(Connection connection, long now) throws IOException {
        while (true) {
            ByteBuffer slice = NOTHING;
            if (connection.bodyPosition < connection.bodyEnd) {
                slice = connection.body.bodySlice(connection.bodyPosition, WRITE_SLICE_BYTES);
            }
            // A view of the body's array or of one chunk of a page: its position counts from its own start.
            int sliceStart = slice.position();
            connection.outgoing[0] = connection.head;
            connection.outgoing[1] = slice;
            long written = connection.transport.write(connection.outgoing);
            connection.bodyPosition += slice.position() - sliceStart;
            if (written > 0) {
                connection.lastProgress = now;
            }
            boolean allTaken = !connection.head.hasRemaining() && connection.bodyPosition >= connection.bodyEnd;
            if (allTaken && connection.transport.flushed()) {
                written(connection, now);
                return;
            }
            if (written == 0) {
                connection.key.interestOps(SelectionKey.OP_WRITE);
                return;
            }
        }
    }

    /**
     * Whether a response that seems stalled still goes out: tries to write more. The socket reports
     * itself writable only once a good part of its send buffer has drained, and with the buffers the
     * kernel grows for a large page (megabytes) a client that reads steadily but slowly (100 KB/s)
     * took longer than the request timeout to drain that much, and was closed as one that stopped
     * reading. Any free space takes a write, so a client still reading is seen to.
     */
    private boolean tookMoreSinceLastEvent(Connection connection, long now) {
        try {
            write(connection, now);
        } catch (Throwable failed) {
            closeAfterFailure(connection, failed);
            return true;
        }
        return connection.closed || connection.state != State.WRITING || connection.lastProgress == now;
    }

    private void written(Connection connection, long now) throws IOException {
        connection.head = null;
        connection.body = null;
        connection.outgoing[0] = null;
        connection.outgoing[1] = null;
        if (connection.slot != null) {
            freeSlot(connection.slot, now);
        }
        releaseHandedOver(connection, now);
        if (!connection.keepAlive) {
            connection.transport.shutdownOutput();
            connection.input = null;
            connection.inputLength = 0;
            connection.state = State.LINGERING;
            connection.waitingSince = now;
            connection.deadline = now + TimeUnit.MILLISECONDS.toNanos(LINGER_MS);
            connection.key.interestOps(SelectionKey.OP_READ);
            return;
        }
        awaitRequest(connection, now, false);
        // A pipelined request may be read already, here or inside a TLS transport, with no event to come.
        pendingInput.add(connection);
    }

    private void discard(Connection connection) throws IOException {
        while (true) {
            readBuffer.clear();
            int count = connection.transport.read(readBuffer);
            if (count < 0 || connection.discarded + count > MAX_LINGER_BYTES) {
                close(connection);
                return;
            }
            if (count == 0) {
                return;
            }
            connection.discarded += count;
        }
    }

    private void sweep(long now) {
        if (acceptPaused && running && (acceptRetryAt != 0 ? now - acceptRetryAt >= 0
                : connections.size() < descriptors.connectionsAllowed(connections.size(), now)
                || longestWaiting(now) != null)) {
            // A failed accept to try again, or room to make: the next accept closes a connection if it must.
            acceptPaused = false;
            acceptKey.interestOps(SelectionKey.OP_ACCEPT);
        }
        long writeStall = requestTimeoutNanos;
        long writeTotal = requestTimeoutNanos * WRITE_TIMEOUT_FACTOR;
        for (Connection connection : new ArrayList<Connection>(connections)) {
            if (connection.closed) {
                continue;
            }
            if (connection.state == State.WRITING) {
                if (now - connection.lastProgress > writeStall && now - connection.writeStarted <= writeTotal
                        && tookMoreSinceLastEvent(connection, now)) {
                    continue;
                }
                if (now - connection.writeStarted > writeTotal) {
                    rejections.count(Reason.WRITE_TIMEOUT, "a client had not read its whole response after "
                            + config.requestTimeoutMillis() * WRITE_TIMEOUT_FACTOR + " ms (" + WRITE_TIMEOUT_FACTOR
                            + " times " + AgentConfig.SYSTEM_REQUEST_TIMEOUT_MS + "); closed the connection");
                    close(connection);
                } else if (now - connection.lastProgress > writeStall) {
                    rejections.count(Reason.WRITE_TIMEOUT, "a client read nothing of its response for "
                            + config.requestTimeoutMillis() + " ms (" + AgentConfig.SYSTEM_REQUEST_TIMEOUT_MS
                            + "); closed the connection");
                    close(connection);
                }
                continue;
            }
            if (connection.deadline == 0 || now - connection.deadline < 0) {
                continue;
            }
            if (connection.state == State.READING && connection.headDeadline) {
                rejections.count(Reason.REQUEST_TIMEOUT, "a client sent no complete request within "
                        + config.requestTimeoutMillis() + " ms (" + AgentConfig.SYSTEM_REQUEST_TIMEOUT_MS
                        + "); closed the connection");
                close(connection);
            } else if (connection.state == State.QUEUED) {
                queuedScrapes.remove(connection);
                connection.keepAlive = false;
                overloaded(connection, now, "a scrape waited " + config.requestTimeoutMillis()
                        + " ms for a render slot; answered 503");
            } else {
                close(connection);
            }
        }
    }

    private void close(Connection connection) {
        if (connection.closed) {
            return;
        }
        connection.closed = true;
        connection.key.cancel();
        connection.transport.close();
        connections.remove(connection);
        if (connection.state == State.QUEUED) {
            queuedScrapes.remove(connection);
        }
        RenderSlot slot = connection.slot;
        if (slot != null && slot.delivered) {
            // A slot still rendering is freed when its render ends.
            freeSlot(slot, System.nanoTime());
        }
        connection.input = null;
        connection.body = null;
        releaseHandedOver(connection, System.nanoTime());
        if (acceptPaused && running) {
            acceptPaused = false;
            acceptKey.interestOps(SelectionKey.OP_ACCEPT);
        }
    }

    private void closeEverything() {
        for (Connection connection : new ArrayList<Connection>(connections)) {
            close(connection);
        }
        try {
            listener.close();
        } catch (IOException ignored) {
            // The port is released either way.
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // Nothing left to release.
        }
    }
}
