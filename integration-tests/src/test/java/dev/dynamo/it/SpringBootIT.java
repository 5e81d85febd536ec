package dev.dynamo.it;

import dev.dynamo.it.support.Artifacts;
import dev.dynamo.it.support.Exposition;
import dev.dynamo.it.support.Jdk;
import dev.dynamo.it.support.Jdks;
import dev.dynamo.it.support.JvmLauncher;
import dev.dynamo.it.support.Labels;
import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.MetricsScraper;
import dev.dynamo.it.support.Processes;
import dev.dynamo.it.support.Timeouts;
import dev.dynamo.it.support.Tools;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static dev.dynamo.it.EndpointCallChecks.assertCalls;
import static dev.dynamo.it.EndpointCallChecks.none;
import static dev.dynamo.it.EndpointInstrumentationIT.CANCELLATIONS;
import static dev.dynamo.it.EndpointInstrumentationIT.DURATION;
import static dev.dynamo.it.EndpointInstrumentationIT.INFLIGHT;
import static dev.dynamo.it.EndpointInstrumentationIT.REQUESTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The agent on a Spring Boot 3.5.7 WebFlux application, run as users run it: {@code java
 * -javaagent:dynamo-agent.jar -jar app.jar}, a fat jar whose Spring Boot class loader holds the
 * application and its own copy of the API, serving real HTTP requests on Reactor Netty. Requests sent
 * concurrently from this JVM to handlers of every shape WebFlux accepts — a plain {@code String}, a
 * delayed {@code Mono}, a {@code Flux} of several delayed items, a {@code Mono} that fails, a handler
 * that throws before it returns one, a {@code Flux} that fails after its response has begun, a
 * {@code CompletableFuture}; a long {@code Mono}, a long {@code CompletableFuture} and an endless
 * server-sent-events {@code Flux} that the client abandons; a {@code @Validated} service that Spring
 * wraps in a CGLIB proxy — must show on {@code /metrics} as exactly the calls made: one request
 * and one duration per call, timed at least as long as the handler really took, none left in flight,
 * errors by the application's exception class, and each abandoned request as one cancellation, not an
 * error; the proxy adds no count and no series. The application's own answers (status and body) must
 * be what it returns without the agent. It runs on every installed JDK that Spring Boot 3 supports
 * (17 and later).
 */
@Timeout(180)
class SpringBootIT {
    private static final Pattern READY = Pattern.compile("spring app: port (\\d+) pricing-proxy (\\w+)");

    /** The application's delays (see {@code OrderController}): the lower bounds of the durations. */
    private static final double DELAY_SECONDS = 0.030;
    private static final int FLUX_ITEMS = 5;
    private static final double FLUX_SECONDS = FLUX_ITEMS * 0.010;
    /** The failing feed sends two items 10 ms apart before it fails. */
    private static final double FEED_SECONDS = 2 * 0.010;
    private static final double TICK_SECONDS = 0.020;

    private static final int CLIENT_THREADS = 8;
    private static final int FAST_CALLS = 300;
    private static final int STREAMED_CALLS = 200;
    private static final int FAILING_CALLS = 100;
    private static final int INVALID_QUOTES = 50;
    private static final int ABANDONED = 8;
    private static final int EVENTS_READ = 3;
    /** How long the client keeps the abandoned requests open once all of them are in flight. */
    private static final long HOLD_MILLIS = 300;

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @RegisterExtension
    final Processes processes = new Processes();

    static List<Jdk> springBootJdks() {
        List<Jdk> jdks = Jdks.installed().stream().filter(jdk -> jdk.feature() >= 17).collect(Collectors.toList());
        // On CI a single release would pass unnoticed as "all of them"; elsewhere one JDK is what there is.
        if (Tools.onCi() && jdks.stream().map(Jdk::feature).distinct().count() < 2) {
            throw new IllegalStateException("Spring Boot 3 runs on JDK 17 and later; only " + jdks
                    + " installed, and CI=true needs two releases (e.g. 17 and 25)");
        }
        return jdks;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("springBootJdks")
    void everyWebFluxHandlerShapeIsCountedExactlyAndTimedToItsEnd(Jdk jdk) throws Exception {
        assertApiShippedInsideTheFatJar();
        ManagedProcess app = processes.start(JvmLauncher.withAgent("spring-boot-app").jdk(jdk)
                .jar(Artifacts.springBootAppJar()).args("--server.port=0")
                .env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info"));
        MetricsScraper scraper = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));
        Matcher ready = READY.matcher(app.awaitStdoutLine("spring app: port", Timeouts.STARTUP));
        assertTrue(ready.matches(), app.describe());
        int port = Integer.parseInt(ready.group(1));
        // Without the proxy the double-count check below would prove nothing.
        assertEquals("cglib", ready.group(2), "PricingService must be a CGLIB proxy: " + app.describe());

        List<Call> calls = plannedCalls();
        List<String> wrongAnswers = sendConcurrently(port, calls);
        assertEquals(List.of(), wrongAnswers, "the application's answers under the agent: " + app.describe());

        abandonLongRequests(port, scraper);

        Exposition page = scraper.awaitPage(Timeouts.SCRAPE, "every call ended and every abandoned one cancelled",
                current -> current.valueOr(CANCELLATIONS, orders("report"), -1) == ABANDONED
                        && current.valueOr(CANCELLATIONS, orders("archive"), -1) == ABANDONED
                        && current.valueOr(CANCELLATIONS, orders("events"), -1) == ABANDONED
                        && current.samples(INFLIGHT).stream().allMatch(sample -> sample.value() == 0));

        assertCalls(page, orders("sync"), FAST_CALLS, 0, none(), 0);
        assertCalls(page, orders("delayed"), FAST_CALLS, FAST_CALLS * DELAY_SECONDS, none(), 0);
        assertNoObservationBelow(page, orders("delayed"), DELAY_SECONDS);
        // One request per Flux, however many items it sends.
        assertCalls(page, orders("items"), STREAMED_CALLS, STREAMED_CALLS * FLUX_SECONDS, none(), 0);
        assertNoObservationBelow(page, orders("items"), FLUX_SECONDS);
        assertCalls(page, orders("rejected"), FAILING_CALLS, FAILING_CALLS * DELAY_SECONDS,
                Map.of("OrderRejectedException", FAILING_CALLS), 0);
        assertNoObservationBelow(page, orders("rejected"), DELAY_SECONDS);
        assertCalls(page, orders("refused"), FAILING_CALLS, 0, Map.of("OrderRejectedException", FAILING_CALLS), 0);
        assertCalls(page, orders("feed"), FAILING_CALLS, FAILING_CALLS * FEED_SECONDS,
                Map.of("IllegalStateException", FAILING_CALLS), 0);
        assertCalls(page, orders("future"), FAST_CALLS, FAST_CALLS * DELAY_SECONDS, none(), 0);
        assertNoObservationBelow(page, orders("future"), DELAY_SECONDS);
        // Each abandoned call was in flight (checked) before the client held it HOLD_MILLIS more.
        double held = HOLD_MILLIS / 1000.0;
        assertCalls(page, orders("report"), ABANDONED, ABANDONED * held, none(), ABANDONED);
        assertNoObservationBelow(page, orders("report"), held);
        // WebFlux cancels the future it was given; the agent sees that as the call's cancellation.
        assertCalls(page, orders("archive"), ABANDONED, ABANDONED * held, none(), ABANDONED);
        assertNoObservationBelow(page, orders("archive"), held);
        assertCalls(page, orders("events"), ABANDONED, ABANDONED * (held + EVENTS_READ * TICK_SECONDS), none(),
                ABANDONED);
        assertNoObservationBelow(page, orders("events"), held);

        // The controller counts every quote; the proxy refuses the invalid ones before the service runs,
        // so the service counts only the valid ones, once each, under its own class name.
        assertCalls(page, Labels.endpoint("spring", "quotes", "quote"), FAST_CALLS + INVALID_QUOTES, 0,
                Map.of("ConstraintViolationException", INVALID_QUOTES), 0);
        assertCalls(page, Labels.endpoint("spring", "PricingService", "price"), FAST_CALLS, 0, none(), 0);

        // Nothing else is measured: no series for the CGLIB subclass or any other generated class.
        Set<String> measured = page.samples(REQUESTS).stream().map(sample -> sample.labels().get("dynamo_namespace")
                + "/" + sample.labels().get("dynamo_component") + "/" + sample.labels().get("dynamo_endpoint"))
                .collect(Collectors.toCollection(LinkedHashSet::new));
        assertEquals(Set.of("spring/orders/sync", "spring/orders/delayed", "spring/orders/items",
                "spring/orders/feed", "spring/orders/rejected", "spring/orders/refused", "spring/orders/future",
                "spring/orders/archive", "spring/orders/report", "spring/orders/events", "spring/quotes/quote",
                "spring/PricingService/price"), measured);

        List<Exposition.Sample> jvmInfo = page.samples("jvm_info");
        assertTrue(jvmInfo.size() == 1 && jvmInfo.get(0).labels().get("version").startsWith(jdk.version()),
                "the application really ran on " + jdk + ": " + jvmInfo);

        // The application handled every failure itself but the feeds', which Spring and Reactor Netty can
        // only log once the response has begun (a request line and a connection line for each): nothing
        // else reached their error handling.
        assertTrue(app.isAlive(), app.describe());
        List<String> errorLines = app.stdout().lines().filter(line -> line.contains(" ERROR ")
                && !line.contains("/feed\"") && !line.contains("Error finishing response. Closing connection"))
                .toList();
        assertEquals(List.of(), errorLines, app.describe());
    }

    /** As a user ships it: the API jar in {@code BOOT-INF/lib}, a second copy beside the agent's own. */
    private static void assertApiShippedInsideTheFatJar() throws IOException {
        try (JarFile jar = new JarFile(Artifacts.springBootAppJar().toFile())) {
            assertTrue(jar.stream().anyMatch(entry -> entry.getName().matches("BOOT-INF/lib/dynamo-api-.*\\.jar")),
                    "no dynamo-api jar in BOOT-INF/lib of " + jar.getName());
        }
    }

    /**
     * A request and the answer the application gives without the agent; a null body means the
     * connection breaks off after the status and part of the body.
     */
    private record Call(String path, int status, String body) {
    }

    private static List<Call> plannedCalls() {
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < FAST_CALLS; i++) {
            calls.add(new Call("/orders/" + i, 200, "order " + i));
            calls.add(new Call("/orders/" + i + "/delayed", 200, "delayed " + i));
            calls.add(new Call("/orders/" + i + "/future", 200, "future " + i));
            int quantity = i % 7 + 1;
            calls.add(new Call("/quotes?quantity=" + quantity, 200, "price " + quantity * 3));
        }
        for (int i = 0; i < STREAMED_CALLS; i++) {
            StringBuilder items = new StringBuilder();
            for (int item = 1; item <= FLUX_ITEMS; item++) {
                items.append(i).append('.').append(item).append(';');
            }
            calls.add(new Call("/orders/" + i + "/items", 200, items.toString()));
        }
        for (int i = 0; i < FAILING_CALLS; i++) {
            // The response has begun when the Flux fails: a 200 whose body breaks off after two items.
            calls.add(new Call("/orders/" + i + "/feed", 200, null));
            calls.add(new Call("/orders/" + i + "/rejected", 409, "order " + i + " rejected"));
            calls.add(new Call("/orders/" + i + "/refused", 409, "order " + i + " refused"));
        }
        for (int i = 0; i < INVALID_QUOTES; i++) {
            calls.add(new Call("/quotes?quantity=0", 400, "invalid quantity"));
        }
        // Interleaved, so that every endpoint is called while the others are in flight.
        Collections.shuffle(calls, new Random(42));
        return calls;
    }

    /** Sends every call from {@link #CLIENT_THREADS} threads; returns a line for each unexpected answer. */
    private static List<String> sendConcurrently(int port, List<Call> calls) throws InterruptedException {
        Queue<String> wrong = new ConcurrentLinkedQueue<>();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENT_THREADS);
        try {
            for (Call call : calls) {
                clients.execute(() -> {
                    try {
                        String answer = call.body() == null ? brokenAnswer(port, call) : answer(port, call);
                        if (answer != null) {
                            wrong.add(answer);
                        }
                    } catch (IOException | RuntimeException failed) {
                        wrong.add(call + " failed: " + failed);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
        } finally {
            clients.shutdown();
        }
        assertTrue(clients.awaitTermination(Timeouts.SCRAPE.toSeconds(), TimeUnit.SECONDS), "requests still running");
        return new ArrayList<>(wrong);
    }

    /** Sends {@code call}; returns what was wrong with the answer, or null. */
    private static String answer(int port, Call call) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(get(port, call.path()), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != call.status() || !response.body().equals(call.body())) {
            return call + " answered " + response.statusCode() + " " + response.body();
        }
        return null;
    }

    /** Sends a call whose body must break off; returns what was wrong with the answer, or null. */
    private static String brokenAnswer(int port, Call call) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = HTTP.send(get(port, call.path()),
                HttpResponse.BodyHandlers.ofInputStream());
        StringBuilder body = new StringBuilder();
        try (InputStream in = response.body()) {
            byte[] buffer = new byte[256];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                body.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
            return call + " answered " + response.statusCode() + " " + body + " in full, not broken off";
        } catch (IOException brokenOff) {
            String id = call.path().split("/")[2];
            boolean partOfTheItems = (id + ".1;" + id + ".2;").startsWith(body.toString());
            return response.statusCode() == call.status() && partOfTheItems ? null
                    : call + " answered " + response.statusCode() + " " + body + ", then " + brokenOff;
        }
    }

    private static HttpRequest get(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).GET().build();
    }

    /**
     * Opens {@link #ABANDONED} requests to each of the 30 s report and archive and as many event
     * streams (reading a few events of each), waits until the page shows all of them in flight, holds them {@link #HOLD_MILLIS}
     * more and closes the connections, as a browser tab or a timed-out client does. Plain sockets: an
     * HTTP client library decides by itself whether cancelling a request closes its connection.
     */
    private static void abandonLongRequests(int port, MetricsScraper scraper) throws IOException {
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < ABANDONED; i++) {
                open.add(request(port, "/orders/" + i + "/report"));
                open.add(request(port, "/orders/" + i + "/archive"));
            }
            for (int i = 0; i < ABANDONED; i++) {
                Socket events = request(port, "/orders/" + i + "/events");
                open.add(events);
                String head = readEvents(events.getInputStream(), EVENTS_READ);
                assertTrue(head.startsWith("HTTP/1.1 200 OK") && head.contains("text/event-stream")
                        && head.contains("data:" + i + ":0\n"), "event stream " + i + ": " + head);
            }
            scraper.awaitPage(Timeouts.SCRAPE, ABANDONED + " reports, archives and event streams in flight",
                    page -> page.valueOr(INFLIGHT, orders("report"), -1) == ABANDONED
                            && page.valueOr(INFLIGHT, orders("archive"), -1) == ABANDONED
                            && page.valueOr(INFLIGHT, orders("events"), -1) == ABANDONED);
            Thread.sleep(HOLD_MILLIS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new AssertionError(interrupted);
        } finally {
            for (Socket socket : open) {
                socket.close();
            }
        }
    }

    private static Socket request(int port, String path) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout((int) Timeouts.SCRAPE.toMillis());
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    /** Reads the response until {@code count} events have arrived; returns what was read. */
    private static String readEvents(InputStream in, int count) throws IOException {
        StringBuilder read = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (read.toString().split("data:", -1).length - 1 < count) {
            int n = in.read(buffer);
            if (n < 0) {
                fail("the event stream ended after: " + read);
            }
            read.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
        return read.toString();
    }

    /** Every bucket whose bound is below {@code seconds} is empty: no call ended sooner than its handler. */
    private static void assertNoObservationBelow(Exposition page, Map<String, String> endpoint, double seconds) {
        Map<String, Double> below = new LinkedHashMap<>();
        for (Exposition.Sample bucket : page.samples(DURATION + "_bucket")) {
            Map<String, String> labels = new LinkedHashMap<>(bucket.labels());
            double le = Double.parseDouble(labels.remove("le").replace("+Inf", "Infinity"));
            if (labels.equals(endpoint) && le < seconds) {
                below.put(String.valueOf(le), bucket.value());
            }
        }
        assertTrue(!below.isEmpty(), "no bucket below " + seconds + " s for " + endpoint);
        below.forEach((le, count) -> assertEquals(0, count, endpoint + ": observations at or below " + le
                + " s, shorter than the handler's " + seconds + " s"));
    }

    private static Map<String, String> orders(String endpoint) {
        return Labels.endpoint("spring", "orders", endpoint);
    }
}
