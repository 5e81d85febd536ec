package dev.dynamo.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code server} mode: serves {@code POST /compute} through {@link ComputeEndpoint} until the JVM is
 * stopped, or until {@code --max-requests} requests have been answered.
 */
final class DemoServer {
    static final String PATH = "/compute";
    private static final int MAX_BODY_BYTES = 1 << 20;
    private static final int WORKER_THREADS = 8;

    private final ServerOptions options;
    private final PrintStream out;
    private final ComputeEndpoint endpoint = new ComputeEndpoint();
    private final AtomicInteger served = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread stopOnSignal = new Thread(this::stopOnSignal, "demo-server-shutdown");
    private HttpServer server;
    private ExecutorService workers;

    DemoServer(ServerOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Serves until stopped; returns the exit code. */
    int run(PrintStream err) throws InterruptedException {
        try {
            start();
        } catch (IOException | RuntimeException cannotBind) {
            err.println("demo server: cannot listen on " + options.host + ":" + options.port + ": " + cannotBind);
            return 1;
        }
        return awaitStop();
    }

    /** Binds and starts serving; returns the port. */
    int start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(options.host, options.port), 64);
        // Daemon workers: what keeps the JVM up is the thread in awaitStop(), so stopping is always clean.
        workers = Executors.newFixedThreadPool(WORKER_THREADS, new DaemonThreads("demo-http-"));
        server.setExecutor(workers);
        server.createContext(PATH, this::serve);
        server.start();
        Runtime.getRuntime().addShutdownHook(stopOnSignal);
        int port = server.getAddress().getPort();
        out.println("demo server: listening on http://" + options.host + ":" + port + PATH
                + " (handler @DynamoEndpoint " + ComputeEndpoint.NAMESPACE + "/" + ComputeEndpoint.COMPONENT + "/"
                + ComputeEndpoint.ENDPOINT + ")");
        out.flush();
        return port;
    }

    /** Waits until {@code --max-requests} requests have been answered, stops, and returns the exit code. */
    int awaitStop() throws InterruptedException {
        done.await();
        Runtime.getRuntime().removeShutdownHook(stopOnSignal);
        server.stop(0);
        workers.shutdown();
        out.println("demo server: served " + served.get() + " requests (" + failed.get() + " failed), exiting");
        out.flush();
        return 0;
    }

    private void stopOnSignal() {
        server.stop(0);
        out.println("demo server: stopped after " + served.get() + " requests (" + failed.get() + " failed)");
        out.flush();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "POST");
                reply(exchange, 405, "{\"error\":\"use POST\"}");
                return;
            }
            String body = readBody(exchange.getRequestBody());
            boolean failRequested = isFailRequested(exchange.getRequestURI().getRawQuery());
            try {
                reply(exchange, 200, endpoint.handle(body, failRequested));
            } catch (IllegalArgumentException badRequest) {
                failed.incrementAndGet();
                reply(exchange, 400, errorJson(badRequest));
            } catch (RuntimeException failure) {
                failed.incrementAndGet();
                reply(exchange, 500, errorJson(failure));
            }
        } finally {
            exchange.close();
            int count = served.incrementAndGet();
            if (options.maxRequests > 0 && count >= options.maxRequests) {
                done.countDown();
            }
        }
    }

    static boolean isFailRequested(String rawQuery) {
        if (rawQuery == null) {
            return false;
        }
        for (String parameter : rawQuery.split("&")) {
            if (parameter.equals("fail=true")) {
                return true;
            }
        }
        return false;
    }

    private static String readBody(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) > 0; ) {
            body.write(buffer, 0, n);
            if (body.size() > MAX_BODY_BYTES) {
                throw new IOException("request body larger than " + MAX_BODY_BYTES + " bytes");
            }
        }
        return new String(body.toByteArray(), StandardCharsets.UTF_8);
    }

    private static String errorJson(RuntimeException failure) {
        String message = String.valueOf(failure.getMessage()).replace("\\", "\\\\").replace("\"", "\\\"");
        return "{\"error\":\"" + failure.getClass().getSimpleName() + "\",\"message\":\"" + message + "\"}";
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        // The JDK server sends headers and body in two writes with Nagle on: on a reused connection
        // the reply would wait ~40 ms for the client's delayed ACK. A fresh connection is ACKed at once.
        exchange.getResponseHeaders().set("Connection", "close");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream body = exchange.getResponseBody()) {
            body.write(bytes);
        }
    }
}
