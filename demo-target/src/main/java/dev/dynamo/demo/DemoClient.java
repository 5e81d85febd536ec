package dev.dynamo.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** {@code client} mode: sends the requests, checks each reply, prints a summary. */
final class DemoClient {
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final int READ_TIMEOUT_MILLIS = 30_000;
    private static final int PROBLEMS_SHOWN = 5;

    private final ClientOptions options;

    DemoClient(ClientOptions options) {
        this.options = options;
    }

    /** Whether request {@code index} (0-based) asks to fail: {@code fail} of {@code requests}, spread evenly. */
    static boolean failsOnPurpose(long index, long requests, long fail) {
        return (index + 1) * fail / requests != index * fail / requests;
    }

    /** Sends every request; returns the exit code. */
    int run(PrintStream out, PrintStream err) throws InterruptedException {
        String url = "http://" + options.host + ":" + options.port + DemoServer.PATH;
        out.println("demo client: sending " + options.requests + " requests to " + url + " (" + options.fail
                + " asked to fail, concurrency " + options.concurrency + ")");
        ExecutorService senders = Executors.newFixedThreadPool(options.concurrency, new DaemonThreads("demo-client-"));
        List<Future<Outcome>> outcomes = new ArrayList<>();
        for (int i = 0; i < options.requests; i++) {
            boolean fail = failsOnPurpose(i, options.requests, options.fail);
            ComputeRequest request = ComputeRequest.sample(i + 1);
            outcomes.add(senders.submit(() -> send(url, request, fail)));
        }
        int succeeded = 0;
        int failedAsAsked = 0;
        List<String> problems = new ArrayList<>();
        long totalNanos = 0;
        long maxNanos = 0;
        for (Future<Outcome> future : outcomes) {
            Outcome outcome;
            try {
                outcome = future.get();
            } catch (ExecutionException unexpected) {
                outcome = new Outcome(false, 0, String.valueOf(unexpected.getCause()));
            }
            totalNanos += outcome.nanos;
            maxNanos = Math.max(maxNanos, outcome.nanos);
            if (outcome.problem != null) {
                problems.add(outcome.problem);
            } else if (outcome.failedAsAsked) {
                failedAsAsked++;
            } else {
                succeeded++;
            }
        }
        senders.shutdown();

        out.println("  succeeded:           " + succeeded);
        out.println("  failed as asked:     " + failedAsAsked);
        out.println("  unexpected outcomes: " + problems.size());
        if (options.requests > 0) {
            out.printf("  latency: mean %.1f ms, max %.1f ms%n", totalNanos / 1e6 / options.requests, maxNanos / 1e6);
        }
        for (String problem : problems.subList(0, Math.min(PROBLEMS_SHOWN, problems.size()))) {
            err.println("demo client: " + problem);
        }
        return problems.isEmpty() ? 0 : 1;
    }

    private static Outcome send(String url, ComputeRequest request, boolean fail) {
        long start = System.nanoTime();
        try {
            HttpURLConnection connection = (HttpURLConnection) new URL(fail ? url + "?fail=true" : url)
                    .openConnection();
            connection.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
            connection.setReadTimeout(READ_TIMEOUT_MILLIS);
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setRequestProperty("Content-Type", "application/json");
            try (OutputStream body = connection.getOutputStream()) {
                body.write(request.toJson().getBytes(StandardCharsets.UTF_8));
            }
            int status = connection.getResponseCode();
            InputStream stream = status < 400 ? connection.getInputStream() : connection.getErrorStream();
            String reply = stream == null ? "" : read(stream);
            long nanos = System.nanoTime() - start;
            if (fail) {
                return status == 500 ? new Outcome(true, nanos, null)
                        : new Outcome(false, nanos, "request " + request.id + " asked to fail got " + status + " "
                                + reply);
            }
            String expected = ComputeResult.of(request).toJson();
            if (status != 200 || !reply.equals(expected)) {
                return new Outcome(false, nanos, "request " + request.id + " got " + status + " " + reply
                        + ", expected 200 " + expected);
            }
            return new Outcome(false, nanos, null);
        } catch (IOException | RuntimeException failed) {
            return new Outcome(false, System.nanoTime() - start, "request " + request.id + " failed: " + failed);
        }
    }

    private static String read(InputStream in) throws IOException {
        try (InputStream stream = in) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (int n; (n = stream.read(buffer)) > 0; ) {
                bytes.write(buffer, 0, n);
            }
            return new String(bytes.toByteArray(), StandardCharsets.UTF_8);
        }
    }

    private static final class Outcome {
        final boolean failedAsAsked;
        final long nanos;
        /** What went wrong, or null when the outcome was the expected one. */
        final String problem;

        Outcome(boolean failedAsAsked, long nanos, String problem) {
            this.failedAsAsked = failedAsAsked;
            this.nanos = nanos;
            this.problem = problem;
        }
    }
}
