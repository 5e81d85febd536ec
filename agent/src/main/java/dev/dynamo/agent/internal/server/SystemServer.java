package dev.dynamo.agent.internal.server;

import dev.dynamo.agent.internal.config.AgentConfig;
import dev.dynamo.agent.internal.config.HostSetting;
import io.prometheus.client.CollectorRegistry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The agent's HTTP server: {@code /metrics}, the health and liveness paths, and 404 for anything
 * else. A small non-blocking server of the agent's own (see {@link ServerLoop}) rather than the JDK's
 * {@code com.sun.net.httpserver}, which has no read deadline, no per-socket {@code TCP_NODELAY}
 * without a JVM-wide property, and is missing from some runtimes. All its threads are daemon
 * threads, so it never keeps the host JVM alive.
 */
public final class SystemServer {
    /** Scrapes rendered at once; each holds one page in memory until it is written. */
    static final int RENDER_SLOTS = 2;
    /**
     * Runs of the application's health checks at once: one, which the {@code /health} requests that
     * come meanwhile wait for ({@code ServerLoop}); the queue holds the next run while the worker
     * finishes handing the last one back.
     */
    static final int HEALTH_WORKERS = 1;
    static final int MAX_QUEUED_HEALTH_RUNS = 1;
    private static final int BACKLOG = 256;

    private final ServerSocketChannel listener;
    private final InetSocketAddress address;
    private final ServerLoop loop;
    private final Thread loopThread;
    private static final Runnable NOTHING = new Runnable() {
        @Override
        public void run() {
        }
    };
    private final ThreadPoolExecutor renderers;
    private final ThreadPoolExecutor healthWorkers;
    private final CredentialChecks credentialChecks;
    private final boolean tls;
    /** Set at start when the JVM was exiting already, so that the server stopped at once. */
    private boolean stoppedForExit;

    private SystemServer(ServerSocketChannel listener, ServerLoop loop, Thread loopThread,
            ThreadPoolExecutor renderers, ThreadPoolExecutor healthWorkers, CredentialChecks credentialChecks,
            boolean tls) throws IOException {
        this.listener = listener;
        this.address = (InetSocketAddress) listener.getLocalAddress();
        this.loop = loop;
        this.loopThread = loopThread;
        this.renderers = renderers;
        this.healthWorkers = healthWorkers;
        this.credentialChecks = credentialChecks;
        this.tls = tls;
    }

    /**
     * Binds and starts the server, in plain HTTP.
     *
     * @throws IOException when the address cannot be bound (port in use, unknown host)
     */
    public static SystemServer start(AgentConfig config, CollectorRegistry registry, HealthStatus health,
            Runnable beforeEachScrape) throws IOException {
        return start(config, registry, health, beforeEachScrape, ServerSecurity.PLAIN);
    }

    /**
     * Binds and starts the server; {@code security} decides TLS, authorization and extra headers.
     *
     * @throws IOException when the address cannot be bound (port in use, unknown host)
     */
    public static SystemServer start(AgentConfig config, CollectorRegistry registry, HealthStatus health,
            Runnable beforeEachScrape, ServerSecurity security) throws IOException {
        return start(config, registry, health, beforeEachScrape, NOTHING, security);
    }

    /**
     * {@link #start(AgentConfig, CollectorRegistry, HealthStatus, Runnable, ServerSecurity)}, and
     * {@code warmUp} run once on the server's thread before it serves (connections wait in the backlog
     * meanwhile): work that would otherwise fall to the first scrape, done on no thread of its own, so
     * that an application at its thread limit is not the one to pay.
     */
    public static SystemServer start(AgentConfig config, CollectorRegistry registry, HealthStatus health,
            Runnable beforeEachScrape, final Runnable warmUp, ServerSecurity security) throws IOException {
        InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
        if (address.isUnresolved()) {
            throw new UnknownHostException(config.host());
        }
        Selector selector = Selector.open();
        ServerSocketChannel listener = null;
        try {
            listener = ServerSocketChannel.open();
            listener.socket().setReuseAddress(true);
            listener.bind(address, BACKLOG);
            listener.configureBlocking(false);
            Rejections rejections = new Rejections();
            ThreadPoolExecutor renderers = new WorkerPool(RENDER_SLOTS, new LinkedBlockingQueue<Runnable>(),
                    new DaemonThreadFactory("dynamo-system-server-render-"));
            ThreadPoolExecutor healthWorkers = new WorkerPool(HEALTH_WORKERS,
                    new ArrayBlockingQueue<Runnable>(MAX_QUEUED_HEALTH_RUNS),
                    new DaemonThreadFactory("dynamo-system-server-health-"));
            // Started at the first credentials that need a slow check: never without basic auth.
            ThreadPoolExecutor checkThread = new WorkerPool(1, new ArrayBlockingQueue<Runnable>(CredentialChecks.MAX_QUEUED),
                    new DaemonThreadFactory("dynamo-system-server-auth-"));
            CredentialChecks credentialChecks = new CredentialChecks(checkThread);
            MetricsHandler metrics = new MetricsHandler(registry, beforeEachScrape, rejections);
            ServerLoop loop = new ServerLoop(selector, listener, config, health, security, rejections, metrics,
                    renderers, RENDER_SLOTS, Runtime.getRuntime().maxMemory() / 32, healthWorkers, credentialChecks);
            final ServerLoop serving = loop;
            Thread loopThread = new Thread(new Runnable() {
                @Override
                public void run() {
                    try {
                        warmUp.run();
                    } catch (Throwable failed) {
                        // The first scrape does what the warm-up could not.
                    }
                    serving.run();
                }
            }, "dynamo-system-server");
            loopThread.setDaemon(true);
            SystemServer server = new SystemServer(listener, loop, loopThread, renderers, healthWorkers,
                    credentialChecks, security.sslContext() != null);
            loopThread.start();
            server.serveThroughShutdown();
            return server;
        } catch (IOException | RuntimeException | Error failed) {
            if (listener != null) {
                listener.close();
            }
            selector.close();
            throw failed;
        }
    }

    /**
     * Serves on through the JVM's shutdown hooks, polling instead of blocking in native code, which
     * would hold the exit up to 300 ms after them ({@link ServerLoop#jvmExiting}). The connections
     * end with the process: a response still being written ends short of its length, which every
     * HTTP client reports as an error.
     */
    private void serveThroughShutdown() {
        Thread hook = new Thread(loop::jvmExiting, "dynamo-system-server-shutdown");
        hook.setDaemon(true);
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is exiting already (a server started on a thread, with TLS, while the application
            // ended before it came up): nobody has seen it serve, so stop rather than start now.
            loop.stop();
            stoppedForExit = true;
        }
    }

    /** Whether the JVM had begun to exit when the server came up, so that it stopped at once and serves nothing. */
    public boolean stoppedForExit() {
        return stoppedForExit;
    }

    /** The port the server listens on (useful with port 0). */
    public int port() {
        return address.getPort();
    }

    /** The address the server is bound to. */
    public String host() {
        return address.getHostString();
    }

    /** {@code http://host:port} (https with TLS) for the configured {@code host}, with an IPv6 literal in brackets once. */
    public String url(String host) {
        return (tls ? "https://" : "http://") + HostSetting.withPort(host, port());
    }

    /** Stops serving, closes every connection and releases the port. */
    public void stop() {
        loop.stop();
        try {
            loopThread.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        if (loopThread.isAlive()) {
            try {
                listener.close();
            } catch (IOException ignored) {
                // The port is released either way.
            }
        }
        renderers.shutdownNow();
        healthWorkers.shutdownNow();
        credentialChecks.stop();
    }

    /**
     * Daemon threads for the server's pools. The tasks catch everything they throw; what can still
     * end such a thread is the pool's own code running out of memory between tasks (the JDK's queue
     * allocates while it waits), and the pool starts a new thread for the next task. Such a death
     * would print a stack trace on the application's stderr: the threads end without a word instead.
     */
    private static final class DaemonThreadFactory implements ThreadFactory {
        private static final Thread.UncaughtExceptionHandler QUIETLY = new Thread.UncaughtExceptionHandler() {
            @Override
            public void uncaughtException(Thread thread, Throwable failure) {
                // See above: nothing the application needs to read.
            }
        };
        private final String prefix;
        private final AtomicInteger count = new AtomicInteger();

        DaemonThreadFactory(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(final Runnable task) {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            thread.setUncaughtExceptionHandler(QUIETLY);
            return thread;
        }
    }
}
