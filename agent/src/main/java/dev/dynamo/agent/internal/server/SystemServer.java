package dev.dynamo.agent.internal.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.dynamo.agent.internal.config.AgentConfig;
import dev.dynamo.agent.internal.log.AgentLog;
import io.prometheus.client.CollectorRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The agent's HTTP server: {@code /metrics}, the health and liveness paths, and 404 for anything
 * else. All its threads are daemon threads, so it never keeps the host JVM alive.
 */
public final class SystemServer {
    private static final AgentLog LOG = AgentLog.get(SystemServer.class);
    /** Beyond this many requests at once the JDK server closes new connections. */
    private static final int MAX_WORKER_THREADS = 16;

    private final HttpServer server;
    private final ExecutorService workers;

    private SystemServer(HttpServer server, ExecutorService workers) {
        this.server = server;
        this.workers = workers;
    }

    /**
     * Binds and starts the server.
     *
     * @throws IOException when the address cannot be bound (port in use, unknown host)
     */
    public static SystemServer start(AgentConfig config, CollectorRegistry registry, HealthStatus health,
            Runnable beforeFirstScrape) throws IOException {
        InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
        if (address.isUnresolved()) {
            throw new IOException("cannot resolve host '" + config.host() + "'");
        }
        final HttpServer server = HttpServer.create(address, 64);
        // Elastic: the JDK server reads a request on the worker thread without a timeout, so a few
        // stalled clients must not hold every worker while Prometheus or a liveness probe waits.
        ExecutorService workers = new ThreadPoolExecutor(0, MAX_WORKER_THREADS, 30, TimeUnit.SECONDS,
                new SynchronousQueue<Runnable>(), new DaemonThreadFactory());
        server.setExecutor(workers);
        MetricsHandler metrics = new MetricsHandler(registry, beforeFirstScrape);
        server.createContext("/", exchange -> route(exchange, config, metrics, health));
        // The dispatcher thread inherits daemon status from the thread that starts the server.
        Thread starter = new Thread(server::start, "dynamo-system-server-start");
        starter.setDaemon(true);
        starter.start();
        try {
            starter.join();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        SystemServer started = new SystemServer(server, workers);
        started.stopAtShutdown();
        return started;
    }

    /**
     * At JVM exit HotSpot waits up to 300 ms for threads blocked in native code, as the server's
     * dispatcher is in its selector; stopping the server first lets the JVM exit at once.
     */
    private void stopAtShutdown() {
        Thread hook = new Thread(() -> server.stop(0), "dynamo-system-server-shutdown");
        hook.setDaemon(true);
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is exiting already; nothing to stop early for.
        }
    }

    private static void route(HttpExchange exchange, AgentConfig config, MetricsHandler metrics, HealthStatus health)
            throws IOException {
        try {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            boolean known = path.equals(config.metricsPath()) || path.equals(config.healthPath())
                    || path.equals(config.livePath());
            if (!known) {
                sendText(exchange, 404, "Not found. Try " + config.metricsPath() + ", " + config.healthPath()
                        + " or " + config.livePath() + "\n");
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                sendText(exchange, 405, "Method " + method + " not allowed; use GET or HEAD\n");
            } else if (path.equals(config.metricsPath())) {
                metrics.handle(exchange);
            } else if (path.equals(config.healthPath())) {
                HealthStatus.Report report = health.report();
                sendJson(exchange, report.httpStatus(), report.json());
            } else {
                sendJson(exchange, 200, health.liveJson());
            }
        } catch (IOException clientGone) {
            // Usually the client closed the connection early; nothing to answer.
            LOG.debug("request " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + " failed: "
                    + clientGone);
        } catch (Throwable failed) {
            LOG.warn("request " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + " failed: " + failed);
            try {
                sendText(exchange, 500, "Internal error; see the application's log\n");
            } catch (Throwable ignored) {
                // The response may be half sent; the exchange is closed below.
            }
        } finally {
            exchange.close();
        }
    }

    private static void sendJson(HttpExchange exchange, int status, String json) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        send(exchange, status, (json + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void sendText(HttpExchange exchange, int status, String text) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        send(exchange, status, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends {@code body}, or only the headers (with its length) for HEAD.
     *
     * <p>The JDK server writes headers and body separately with Nagle's algorithm on, so on a reused
     * connection the body waits for the client's delayed ACK (about 40 ms per scrape). Turning
     * Nagle off needs a JVM-wide system property, which the agent must not set; a connection that
     * is closed after each response starts fresh next time, and new connections are ACKed at once.
     */
    static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        send(exchange, status, body, body.length);
    }

    /** {@link #send(HttpExchange, int, byte[])} for the first {@code length} bytes of {@code body}. */
    static void send(HttpExchange exchange, int status, byte[] body, int length) throws IOException {
        exchange.getResponseHeaders().set("Connection", "close");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(length));
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, length == 0 ? -1 : length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body, 0, length);
        }
    }

    /** The port the server listens on (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The address the server is bound to. */
    public String host() {
        return server.getAddress().getHostString();
    }

    /** {@code http://host:port} for the configured {@code host}, with an IPv6 literal in brackets. */
    public String url(String host) {
        String literal = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return "http://" + literal + ":" + port();
    }

    /** Stops serving and releases the port. */
    public void stop() {
        server.stop(0);
        workers.shutdown();
        try {
            workers.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class DaemonThreadFactory implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "dynamo-system-server-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
