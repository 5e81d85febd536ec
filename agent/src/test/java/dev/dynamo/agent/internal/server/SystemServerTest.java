package dev.dynamo.agent.internal.server;

import dev.dynamo.agent.internal.config.AgentConfig;
import dev.dynamo.agent.internal.export.ApiMetricsCollector;
import dev.dynamo.agent.internal.bootstrap.PrimaryApi;
import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.metrics.Histogram;
import dev.dynamo.runtime.metrics.MetricsRegistry;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Starts the server on a free port of 127.0.0.1 and talks to it over HTTP. */
class SystemServerTest {
    private static final String TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";
    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final List<SystemServer> servers = new ArrayList<SystemServer>();
    private final AtomicInteger scrapeHooks = new AtomicInteger();
    private final ByteArrayOutputStream agentLog = new ByteArrayOutputStream();
    private ScrapeRegistry registry;
    private SystemServer server;
    /** Unique per test, so that the process-wide API store holds each test's metrics apart. */
    private String namespace;
    private String requests;
    private String load;
    private String latency;

    @BeforeEach
    void startServerWithSomeMetrics() throws Exception {
        AgentLog.redirect(new PrintStream(agentLog, true, "UTF-8"));
        int n = SEQUENCE.incrementAndGet();
        namespace = "server_test_" + n;
        requests = "server_requests_" + n;
        load = "server_load_" + n;
        latency = "server_latency_" + n;
        MetricsRegistry metrics = DistributedRuntime.get().namespace(namespace).component("comp").endpoint("ep")
                .metrics();
        metrics.createIntCounter(requests, "Requests served", Collections.<String, String>emptyMap()).inc(3);
        metrics.createGauge(load, "Current load", Collections.<String, String>emptyMap()).set(0.5);
        Histogram histogram = metrics.createHistogram(latency, "Latency", Collections.<String, String>emptyMap(),
                Arrays.asList(0.1, 1.0));
        histogram.observe(0.05);
        histogram.observe(0.5);

        registry = new ScrapeRegistry();
        registry.registerNamedByPrefix(new ApiMetricsCollector(PrimaryApi.locate()), "dynamo_component_");
        server = start();
    }

    @AfterEach
    void stopServers() {
        for (SystemServer started : servers) {
            started.stop();
        }
        AgentLog.redirect(null);
    }

    private SystemServer start(String... extraSettings) throws IOException {
        Map<String, String> env = new HashMap<String, String>();
        env.put("DYN_SYSTEM_PORT", "0");
        env.put("DYN_SYSTEM_HOST", "127.0.0.1");
        for (int i = 0; i < extraSettings.length; i += 2) {
            env.put(extraSettings[i], extraSettings[i + 1]);
        }
        AgentConfig config = AgentConfig.fromEnvironment(env);
        assertTrue(config.problems().isEmpty(), config.problems().toString());
        SystemServer started = SystemServer.start(config, registry, new HealthStatus(config.startingReady()),
                scrapeHooks::incrementAndGet);
        servers.add(started);
        return started;
    }

    private String prefixed(String name) {
        return "dynamo_component_" + name;
    }

    private String labels() {
        return "dynamo_namespace=\"" + namespace + "\",dynamo_component=\"comp\",dynamo_endpoint=\"ep\"";
    }

    // /metrics

    @Test
    void servesTheTextFormatOnMetrics() throws IOException {
        Response response = request(server, "GET", "/metrics");

        assertEquals(200, response.status);
        assertEquals(TEXT_004, response.header("Content-Type"));
        String body = response.text();
        assertTrue(body.contains("# HELP " + prefixed(requests) + "_total Requests served\n"), () -> excerpt(body));
        assertTrue(body.contains("# TYPE " + prefixed(requests) + "_total counter\n"), () -> excerpt(body));
        assertTrue(body.contains(prefixed(requests) + "_total{" + labels() + ",} 3.0\n"), () -> excerpt(body));
        assertTrue(body.contains("# TYPE " + prefixed(load) + " gauge\n"), () -> excerpt(body));
        assertTrue(body.contains(prefixed(load) + "{" + labels() + ",} 0.5\n"), () -> excerpt(body));
        assertTrue(body.contains("# TYPE " + prefixed(latency) + " histogram\n"), () -> excerpt(body));
        String bucket = prefixed(latency) + "_bucket{" + labels();
        assertTrue(body.contains(bucket + ",le=\"0.1\",} 1.0\n"), () -> excerpt(body));
        assertTrue(body.contains(bucket + ",le=\"1.0\",} 2.0\n"), () -> excerpt(body));
        assertTrue(body.contains(bucket + ",le=\"+Inf\",} 2.0\n"), () -> excerpt(body));
        assertTrue(body.contains(prefixed(latency) + "_count{" + labels() + ",} 2.0\n"), () -> excerpt(body));
        assertTrue(body.contains("# TYPE dynamo_component_uptime_seconds gauge\n"), () -> excerpt(body));
        assertFalse(body.contains("_created"), () -> excerpt(body));
    }

    @Test
    void servesOpenMetricsWhenTheClientAsksForIt() throws IOException {
        Response response = request(server, "GET", "/metrics",
                "Accept", "application/openmetrics-text; version=1.0.0");

        assertEquals(200, response.status);
        assertEquals(OPENMETRICS, response.header("Content-Type"));
        String body = response.text();
        assertTrue(body.endsWith("# EOF\n"), () -> excerpt(body));
        assertTrue(body.contains("# TYPE " + prefixed(requests) + " counter\n"), () -> excerpt(body));
        assertTrue(body.contains(prefixed(requests) + "_total{" + labels() + "} 3.0\n"), () -> excerpt(body));
        assertFalse(body.contains(prefixed(requests) + "_created"), () -> excerpt(body));
    }

    /**
     * OpenMetrics holds a histogram's sum to a counter's rules (neither negative nor NaN, none with a
     * negative bucket bound), and its count comes with its sum; a strict parser refused a tester's
     * whole page for one such sum.
     */
    @Test
    void leavesOutOfOpenMetricsTheHistogramSumsItForbidsAndKeepsThemInText() throws IOException {
        MetricsRegistry metrics = DistributedRuntime.get().namespace(namespace).component("comp").endpoint("ep")
                .metrics();
        Map<String, String> none = Collections.<String, String>emptyMap();
        metrics.createHistogram("delta_" + namespace, "Delta", none, Arrays.asList(0.1, 1.0)).observe(-0.5);
        metrics.createHistogram("celsius_" + namespace, "Temperature", none, Arrays.asList(-10.0, 0.0, 10.0))
                .observe(5);
        Histogram infinite = metrics.createHistogram("infinite_" + namespace, "Infinite", none, Arrays.asList(1.0));
        infinite.observe(Double.POSITIVE_INFINITY);
        infinite.observe(Double.NEGATIVE_INFINITY);

        String openMetrics = request(server, "GET", "/metrics", "Accept", "application/openmetrics-text").text();
        String text = request(server, "GET", "/metrics").text();

        for (String name : Arrays.asList("delta_", "celsius_", "infinite_")) {
            String family = prefixed(name + namespace);
            assertFalse(openMetrics.contains(family + "_sum{"), () -> excerpt(openMetrics));
            assertFalse(openMetrics.contains(family + "_count{"), () -> excerpt(openMetrics));
            assertTrue(openMetrics.contains(family + "_bucket{" + labels() + ",le=\"+Inf\"} "), () -> excerpt(openMetrics));
            assertTrue(text.contains(family + "_sum{" + labels() + ",} "), () -> excerpt(text));
            assertTrue(text.contains(family + "_count{" + labels() + ",} "), () -> excerpt(text));
        }
        assertTrue(openMetrics.contains(prefixed("celsius_" + namespace) + "_bucket{" + labels() + ",le=\"-10.0\"} 0.0\n"),
                () -> excerpt(openMetrics));
        assertTrue(openMetrics.contains(prefixed(latency) + "_sum{" + labels() + "} 0.55\n"), () -> excerpt(openMetrics));
    }

    /**
     * OpenMetrics requires a histogram's {@code +Inf} bucket: a page for {@code name[]=x_count} with the count
     * alone was refused by a strict parser. In the text format the filter keeps only the samples asked for.
     */
    @Test
    void keepsAWholeHistogramOnAnOpenMetricsPageForOneOfItsSamplesAndLeavesOutTheSumsItForbids() throws IOException {
        MetricsRegistry metrics = DistributedRuntime.get().namespace(namespace).component("comp").endpoint("ep")
                .metrics();
        Map<String, String> none = Collections.<String, String>emptyMap();
        metrics.createHistogram("lat_" + namespace, "Latency", none, Arrays.asList(0.1, 1.0)).observe(0.5);
        metrics.createHistogram("bounds_" + namespace, "Negative bounds", none, Arrays.asList(-1.0, 0.0, 1.0))
                .observe(0.5);
        String latency = prefixed("lat_" + namespace);
        String bounds = prefixed("bounds_" + namespace);
        String query = "/metrics?name[]=" + latency + "_count&name[]=" + bounds + "_count";

        String openMetrics = request(server, "GET", query, "Accept", "application/openmetrics-text").text();
        String text = request(server, "GET", query).text();

        assertTrue(openMetrics.contains(latency + "_bucket{" + labels() + ",le=\"+Inf\"} 1.0\n"), () -> excerpt(openMetrics));
        assertTrue(openMetrics.contains(latency + "_bucket{" + labels() + ",le=\"0.1\"} 0.0\n"), () -> excerpt(openMetrics));
        assertTrue(openMetrics.contains(latency + "_count{" + labels() + "} 1.0\n"), () -> excerpt(openMetrics));
        assertTrue(openMetrics.contains(latency + "_sum{" + labels() + "} 0.5\n"), () -> excerpt(openMetrics));
        assertTrue(openMetrics.contains(bounds + "_bucket{" + labels() + ",le=\"+Inf\"} 1.0\n"), () -> excerpt(openMetrics));
        assertFalse(openMetrics.contains(bounds + "_count{"), () -> excerpt(openMetrics));
        assertTrue(text.contains(latency + "_count{" + labels() + ",} 1.0\n"), () -> excerpt(text));
        assertFalse(text.contains(latency + "_bucket{"), () -> excerpt(text));
        assertTrue(text.contains(bounds + "_count{" + labels() + ",} 1.0\n"), () -> excerpt(text));
    }

    /** RFC 9110: a server with a clock dates its responses, and an answer to HEAD has no content. */
    @Test
    void datesEveryResponseAndAnswersAMalformedHeadRequestWithoutContent() throws IOException {
        try (RawHttp client = new RawHttp(server.port())) {
            for (String path : Arrays.asList("/live", "/metrics", "/nowhere")) {
                RawHttp.Reply reply = client.send("GET " + path + " HTTP/1.1\r\n\r\n").read();
                assertTrue(reply.header("Date").matches("(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d [A-Z][a-z]{2} \\d{4}"
                        + " \\d\\d:\\d\\d:\\d\\d GMT"), path + ": " + reply.header("Date"));
            }
        }
        try (RawHttp client = new RawHttp(server.port())) {
            RawHttp.Reply refused = client.send("HEAD /live HTTP/1.1\r\nX A: b\r\n\r\n").read(true);
            assertEquals(400, refused.status);
            assertTrue(client.closedByServer(), "nothing after the head of the answer");
        }
    }

    @Test
    void compressesTheBodyWhenTheClientAcceptsGzip() throws IOException {
        Response plain = request(server, "GET", "/metrics");
        Response gzipped = request(server, "GET", "/metrics", "Accept-Encoding", "gzip, deflate");

        assertEquals(200, gzipped.status);
        assertEquals("gzip", gzipped.header("Content-Encoding"));
        assertEquals(TEXT_004, gzipped.header("Content-Type"));
        String unzipped = gunzip(gzipped.body);
        assertEquals(linesOf(plain.text(), namespace), linesOf(unzipped, namespace));
        assertEquals(7, linesOf(unzipped, namespace).size(), () -> excerpt(unzipped));
        assertNull(plain.header("Content-Encoding"));
    }

    @Test
    void doesNotCompressWhenGzipIsRefused() throws IOException {
        Response refused = request(server, "GET", "/metrics", "Accept-Encoding", "gzip;q=0, identity");

        assertNull(refused.header("Content-Encoding"));
        assertTrue(refused.text().contains(prefixed(requests)), () -> excerpt(refused.text()));
    }

    @Test
    void keepsOnlyTheSamplesNamedInTheQuery() throws IOException {
        Response response = request(server, "GET", "/metrics?name[]=" + prefixed(latency) + "_count");

        String body = response.text();
        assertEquals(200, response.status);
        assertTrue(body.contains(prefixed(latency) + "_count{"), () -> excerpt(body));
        assertFalse(body.contains(prefixed(latency) + "_bucket"), () -> excerpt(body));
        assertFalse(body.contains(prefixed(latency) + "_sum"), () -> excerpt(body));
        assertFalse(body.contains(prefixed(requests)), () -> excerpt(body));
        assertFalse(body.contains("uptime"), () -> excerpt(body));
    }

    @Test
    void keepsWholeFamiliesNamedInTheQuery() throws IOException {
        Response response = request(server, "GET",
                "/metrics?name%5B%5D=" + prefixed(latency) + "&name%5B%5D=" + prefixed(requests) + "_total");

        String body = response.text();
        assertTrue(body.contains(prefixed(latency) + "_bucket{"), () -> excerpt(body));
        assertTrue(body.contains(prefixed(latency) + "_sum{"), () -> excerpt(body));
        assertTrue(body.contains(prefixed(requests) + "_total{"), () -> excerpt(body));
        assertFalse(body.contains(prefixed(load)), () -> excerpt(body));
    }

    @Test
    void matchesTheTotalSuffixForCountersOnly() throws IOException {
        Response counter = request(server, "GET", "/metrics?name[]=" + prefixed(requests) + "_total");
        Response gauge = request(server, "GET", "/metrics?name[]=" + prefixed(load) + "_total");

        assertTrue(counter.text().contains(prefixed(requests) + "_total{"), () -> excerpt(counter.text()));
        assertEquals("", gauge.text());
    }

    @Test
    void servesAnEmptyPageWhenNoNameMatches() throws IOException {
        Response response = request(server, "GET", "/metrics?name[]=no_such_metric");

        assertEquals(200, response.status);
        assertEquals("", response.text());
    }

    @Test
    void answersHeadWithHeadersOnly() throws IOException {
        Response response = request(server, "HEAD", "/metrics");

        assertEquals(200, response.status);
        assertEquals(TEXT_004, response.header("Content-Type"));
        String length = response.header("Content-Length");
        assertNotNull(length, response.headers.toString());
        assertTrue(Integer.parseInt(length) > 0, length);
        assertEquals(0, response.body.length);
    }

    @Test
    void runsTheScrapeHookBeforeServingMetrics() throws IOException {
        request(server, "GET", "/health");
        request(server, "GET", "/live");
        assertEquals(0, scrapeHooks.get());

        request(server, "GET", "/metrics");

        assertTrue(scrapeHooks.get() >= 1);
    }

    @Test
    void answersAFailingCollectorWith500AndKeepsServing() throws IOException {
        registry.register(new BrokenCollector());

        Response failed = request(server, "GET", "/metrics");

        assertEquals(500, failed.status);
        assertFalse(failed.text().contains("collector broken"), "no exception text for clients: " + failed.text());
        assertTrue(CapturedLog.text(agentLog).contains("collector broken"));
        assertEquals(200, request(server, "GET", "/live").status);
    }

    @Test
    void stalledClientsDoNotBlockOtherRequests() throws IOException {
        List<java.net.Socket> stalled = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port());
                // Half a request line: the server's worker waits for the rest.
                socket.getOutputStream().write("GET /met".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                stalled.add(socket);
            }

            assertEquals(200, request(server, "GET", "/live").status);
            assertEquals(200, request(server, "GET", "/metrics").status);
        } finally {
            for (java.net.Socket socket : stalled) {
                socket.close();
            }
        }
    }


    // Connections and clients that misbehave

    @Test
    void keepsTheConnectionAliveAcrossRequests() throws IOException {
        try (RawHttp client = new RawHttp(server.port())) {
            for (String path : Arrays.asList("/metrics", "/live", "/metrics", "/nothing")) {
                RawHttp.Reply reply = client.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").read();
                assertEquals(path.equals("/nothing") ? 404 : 200, reply.status, path);
                assertEquals("keep-alive", reply.header("Connection"), path);
            }
            RawHttp.Reply head = client.send("HEAD /metrics HTTP/1.1\r\n\r\n").read(true);
            assertTrue(Integer.parseInt(head.header("Content-Length")) > 0);
            assertEquals(200, client.send("GET /live HTTP/1.1\r\n\r\n").read().status, "after a HEAD");
        }
    }

    @Test
    void answersPipelinedRequestsInOrder() throws IOException {
        try (RawHttp client = new RawHttp(server.port())) {
            client.send("GET /live HTTP/1.1\r\n\r\nGET /metrics HTTP/1.1\r\n\r\nGET /x HTTP/1.1\r\n\r\n");

            assertTrue(client.read().text().contains("\"status\":\"live\""));
            assertTrue(client.read().text().contains(prefixed(requests)));
            assertEquals(404, client.read().status);
        }
    }

    /**
     * {@code printf 'GET /live ...GET /x ...' | nc} sends its requests and its end of input in one go:
     * each request is answered before the server closes. Before, only the first was.
     */
    @Test
    void answersEveryPipelinedRequestOfAClientThatClosedItsSideAfterSendingThem() throws IOException {
        try (RawHttp client = new RawHttp(server.port())) {
            // A 404 is answered on the loop's thread at once, so the loop reads again before the next request.
            client.send("GET /x HTTP/1.1\r\n\r\nGET /y HTTP/1.1\r\n\r\nGET /live HTTP/1.1\r\n\r\n"
                    + "GET /metrics HTTP/1.1\r\n\r\nGET /live HTTP/1.1\r\n");
            client.socket.shutdownOutput();

            assertEquals(404, client.read().status);
            assertEquals(404, client.read().status);
            assertEquals(200, client.read().status);
            assertTrue(client.read().text().contains(prefixed(requests)));
            assertTrue(client.closedByServer(), "the half-sent last request gets no answer");
        }
    }

    /**
     * A first line that has ended and cannot be a request line is answered at once, not after the
     * request timeout for a blank line that such a client never sends (an SSH client's banner, an
     * HTTP/0.9 request).
     */
    @Test
    void refusesAMalformedRequestLineAsSoonAsItEnds() throws IOException {
        String[][] cases = {
            {"SSH-2.0-OpenSSH_9.6\r\n", "400"},
            {"GET /live\r\n", "400"},
            {"GET /live HTTP/0.9\r\n", "505"},
        };
        for (String[] sent : cases) {
            try (RawHttp client = new RawHttp(server.port())) {
                client.socket.setSoTimeout(2000);
                RawHttp.Reply reply = client.send(sent[0]).read();
                assertEquals(Integer.parseInt(sent[1]), reply.status, sent[0]);
                assertTrue(client.closedByServer(), sent[0]);
            }
        }
        try (RawHttp client = new RawHttp(server.port())) {
            client.socket.setSoTimeout(2000);
            client.send("GET /live HTTP/1.1\r\nHost: x\r\n");
            assertThrows(java.net.SocketTimeoutException.class, client::read,
                    "a well-formed request line waits for the rest of its head");
        }
    }

    /**
     * A head whose lines end with a bare CR is answered 400 as soon as the CR is followed by anything
     * but LF (RFC 9112 §2.2), not closed at the request timeout for a blank line that never comes (a
     * re-tester); a CRLF split between two reads is still a line end.
     */
    @Test
    void refusesABareCrLineEndAsSoonAsItIsSeen() throws IOException, InterruptedException {
        try (RawHttp client = new RawHttp(server.port())) {
            client.socket.setSoTimeout(2000);
            RawHttp.Reply reply = client.send("GET /live HTTP/1.1\rHost: x\r\r").read();
            assertEquals(400, reply.status);
            assertTrue(reply.text().contains("a bare CR in the request head"), reply.text());
        }
        try (RawHttp client = new RawHttp(server.port())) {
            client.socket.setSoTimeout(2000);
            client.send("GET /live HTTP/1.1\r\nHost: x\r");
            Thread.sleep(100);
            assertEquals(400, client.send("User-Agent: y").read().status, "a CR that ended one read");
        }
        try (RawHttp client = new RawHttp(server.port())) {
            client.socket.setSoTimeout(2000);
            client.send("GET /live HTTP/1.1\r");
            Thread.sleep(100);
            assertEquals(200, client.send("\nHost: x\r\n\r\n").read().status, "a CRLF split between two reads");
        }
    }

    @Test
    void closesTheConnectionWhenAskedOrForHttp10() throws IOException {
        try (RawHttp client = new RawHttp(server.port())) {
            RawHttp.Reply reply = client.send("GET /live HTTP/1.1\r\nConnection: close\r\n\r\n").read();
            assertEquals("close", reply.header("Connection"));
            assertTrue(client.closedByServer());
        }
        try (RawHttp client = new RawHttp(server.port())) {
            assertEquals("close", client.send("GET /live HTTP/1.0\r\n\r\n").read().header("Connection"));
            assertTrue(client.closedByServer());
        }
        try (RawHttp client = new RawHttp(server.port())) {
            RawHttp.Reply reply = client.send("GET /live HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
            assertEquals("keep-alive", reply.header("Connection"));
            assertEquals(200, client.send("GET /live HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read().status);
        }
    }

    @Test
    void answersOptionsForTheWholeServerWithTheMethodsItAllows() throws IOException {
        try (RawHttp client = new RawHttp(server.port())) {
            RawHttp.Reply reply = client.send("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n").read();

            assertEquals(200, reply.status);
            assertEquals("GET, HEAD", reply.header("Allow"));
            assertEquals("0", reply.header("Content-Length"));
            RawHttp.Reply onAPath = client.send("OPTIONS /metrics HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertEquals(405, onAPath.status, "a resource allows only GET and HEAD");
            assertEquals("GET, HEAD", onAPath.header("Allow"));
        }
    }

    @Test
    void answersARequestWithABodyThenCloses() throws IOException {
        try (RawHttp client = new RawHttp(server.port())) {
            RawHttp.Reply reply = client.send("POST /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello").read();

            assertEquals(405, reply.status);
            assertEquals("close", reply.header("Connection"));
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void answersGarbageWith400WithoutEchoingIt() throws IOException {
        for (String garbage : Arrays.asList("HELLO\r\n\r\n", "GET /metrics HTTP/1.1\r\nBad Header\r\n\r\n",
                "\u0016\u0003\u0001\u0000\u00a5\u0001\r\n\r\n", "GET /metrics HTTP/1.1 <script>\r\n\r\n")) {
            try (RawHttp client = new RawHttp(server.port())) {
                RawHttp.Reply reply = client.send(garbage).read();
                assertEquals(400, reply.status, garbage);
                assertTrue(reply.text().startsWith("Bad Request: "), reply.text());
                for (String sent : Arrays.asList("HELLO", "Bad Header", "<script>")) {
                    assertFalse(reply.text().contains(sent), reply.text());
                }
                assertTrue(client.closedByServer());
            }
        }
        assertEquals(200, request(server, "GET", "/live").status);
        String log = CapturedLog.text(agentLog);
        assertEquals(1, linesOf(log, "malformed").size(), "one line for the first only:\n" + log);
    }

    @Test
    void answersATlsHandshakeOnThePlainPortAtOnceAndCountsItAsABadRequest() throws Exception {
        SSLSocketFactory tls = SSLContext.getDefault().getSocketFactory();
        try (SSLSocket client = (SSLSocket) tls.createSocket("127.0.0.1", server.port())) {
            client.setSoTimeout(5000);
            // Its ClientHello holds no line end: waiting for a request head would wait the 10 s request timeout.
            assertTimeoutPreemptively(Duration.ofSeconds(3),
                    () -> assertThrows(SSLException.class, client::startHandshake));
        }
        String page = request(server, "GET", "/metrics?name[]=dynamo_system_server_rejected_requests_total").text();
        assertTrue(page.contains("rejected_requests_total{reason=\"bad_request\",} 1.0"), page);
        assertTrue(page.contains("rejected_requests_total{reason=\"request_timeout\",} 0.0"), page);
        String log = CapturedLog.text(agentLog);
        assertTrue(log.contains("a TLS handshake on a port that speaks plain HTTP"), log);
    }

    @Test
    void countsAndLogsAMalformedQueryLikeEveryOther400() throws IOException {
        for (int i = 0; i < 3; i++) {
            try (RawHttp client = new RawHttp(server.port())) {
                RawHttp.Reply reply = client.send("GET /metrics?name[]=%zz HTTP/1.1\r\n\r\n").read();
                assertEquals(400, reply.status);
                assertTrue(reply.text().startsWith("Bad Request: malformed percent-encoding in the query;"),
                        reply.text());
            }
        }
        String page = request(server, "GET", "/metrics?name[]=dynamo_system_server_rejected_requests_total").text();
        assertTrue(page.contains("rejected_requests_total{reason=\"bad_request\",} 3.0"), page);
        String log = CapturedLog.text(agentLog);
        assertEquals(1, linesOf(log, "malformed percent-encoding in the query").size(), "one line for three:\n" + log);
    }

    @Test
    void saysInTheBodyWhatWasWrongAndWhatIsAccepted() throws IOException {
        StringBuilder manyFields = new StringBuilder("GET /live HTTP/1.1\r\n");
        for (int i = 0; i <= RequestHeadParser.MAX_HEADER_FIELDS; i++) {
            manyFields.append("X-").append(i).append(": v\r\n");
        }
        String[][] cases = {
            {manyFields + "\r\n", "431", "Request Header Fields Too Large: too many header fields; at most 100 are"
                    + " accepted\n"},
            {"GET /%zz HTTP/1.1\r\n\r\n", "400", "Bad Request: malformed percent-encoding in the path; '%' must"
                    + " start an escape of two hex digits (%25 for '%' itself)\n"},
            {"GET /live HTTP/2.0\r\n\r\n", "505", "HTTP Version Not Supported: unsupported HTTP version; HTTP/1.0"
                    + " and HTTP/1.1 are accepted\n"},
        };
        for (String[] each : cases) {
            try (RawHttp client = new RawHttp(server.port())) {
                RawHttp.Reply reply = client.send(each[0]).read();
                assertEquals(Integer.parseInt(each[1]), reply.status);
                assertEquals(each[2], reply.text());
            }
        }
    }

    @Test
    void servesAHigherMinorVersionOfHttp1AsHttp11() throws IOException {
        try (RawHttp client = new RawHttp(server.port())) {
            assertEquals(200, client.send("GET /live HTTP/1.2\r\n\r\n").read().status);
            assertEquals(200, client.send("GET /live HTTP/1.9\r\n\r\n").read().status);
        }
    }

    @Test
    void namesAnIpv6AddressInItsUrlInBracketsOnce() throws IOException {
        SystemServer onIpv6;
        try {
            onIpv6 = start("DYN_SYSTEM_HOST", "[::1]");
        } catch (IOException noIpv6) {
            assumeTrue(false, "no IPv6 loopback here: " + noIpv6);
            return;
        }
        assertEquals("http://[::1]:" + onIpv6.port(), onIpv6.url("[::1]"));
        assertEquals("http://[::1]:" + onIpv6.port(), onIpv6.url("::1"));
    }

    @Test
    void answersAnOverlongHeadWith431() throws IOException {
        StringBuilder head = new StringBuilder("GET /metrics HTTP/1.1\r\n");
        while (head.length() < 9000) {
            head.append("X-Padding: ").append("p".substring(0)).append("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
        }
        try (RawHttp client = new RawHttp(server.port())) {
            assertEquals(431, client.send(head.toString()).read().status);
        }
        try (RawHttp client = new RawHttp(server.port())) {
            char[] path = new char[9000];
            Arrays.fill(path, 'a');
            assertEquals(414, client.send("GET /" + new String(path)).read().status);
        }
    }

    @Test
    void ignoresAnUnreadableAcceptEncodingWithoutLogging() throws IOException {
        for (int i = 0; i < 20; i++) {
            Response response = request(server, "GET", "/metrics", "Accept-Encoding", ";");
            assertEquals(200, response.status);
            assertNull(response.header("Content-Encoding"));
        }
        assertEquals("", CapturedLog.text(agentLog));
    }

    @Test
    void doesNotServeOpenMetricsRefusedWithQZero() throws IOException {
        Response response = request(server, "GET", "/metrics", "Accept", "application/openmetrics-text;q=0, text/plain");

        assertEquals(TEXT_004, response.header("Content-Type"));
    }

    @Test
    void closesAStalledConnectionAtTheRequestTimeout() throws IOException {
        SystemServer strict = start("DYN_SYSTEM_REQUEST_TIMEOUT_MS", "300");
        try (RawHttp stalled = new RawHttp(strict.port()); RawHttp silent = new RawHttp(strict.port())) {
            stalled.send("GET /metr");
            long start = System.nanoTime();

            assertTrue(stalled.closedByServer());
            assertTrue(silent.closedByServer());
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waitedMillis >= 250 && waitedMillis < 4000, waitedMillis + " ms");
        }
        String page = request(strict, "GET", "/metrics?name[]=dynamo_system_server_rejected_requests_total").text();
        assertTrue(page.contains("dynamo_system_server_rejected_requests_total{reason=\"request_timeout\",} 2.0"),
                page);
    }

    @Test
    void closesTheConnectionWaitingLongestAtTheConnectionLimit() throws Exception {
        List<RawHttp> waiting = new ArrayList<RawHttp>();
        try {
            for (int i = 0; i < ServerLoop.MAX_CONNECTIONS; i++) {
                waiting.add(new RawHttp(server.port()).send("GET /me"));
            }
            Thread.sleep(ServerLoop.EVICTION_AGE_MS + 200);
            try (RawHttp newcomer = new RawHttp(server.port())) {
                assertEquals(200, newcomer.send("GET /live HTTP/1.1\r\n\r\n").read().status);
                assertTrue(waiting.get(0).closedByServer(), "the oldest waiting connection makes room");
                String page = newcomer.send("GET /metrics?name[]=dynamo_system_server_rejected_requests_total"
                        + " HTTP/1.1\r\n\r\n").read().text();
                assertTrue(page.contains("rejected_requests_total{reason=\"connection_limit\",} 1.0"), page);
            }
        } finally {
            for (RawHttp connection : waiting) {
                connection.close();
            }
        }
    }

    /**
     * At the connection limit, connections that have only just come are not closed to make room: their
     * requests may be on their way, or there unread. The newcomers wait in the listen backlog and are
     * served once the connections before them are done. Before, each newcomer closed one of the first.
     */
    @Test
    void connectionsJustAcceptedAreNotClosedToMakeRoom() throws Exception {
        List<RawHttp> first = new ArrayList<RawHttp>();
        try {
            for (int i = 0; i < ServerLoop.MAX_CONNECTIONS; i++) {
                first.add(new RawHttp(server.port()));
            }
            List<RawHttp> newcomers = new ArrayList<RawHttp>();
            try {
                for (int i = 0; i < 20; i++) {
                    newcomers.add(new RawHttp(server.port()).send("GET /live HTTP/1.1\r\nConnection: close\r\n\r\n"));
                }
                for (RawHttp connection : first) {
                    connection.send("GET /live HTTP/1.1\r\nConnection: close\r\n\r\n");
                }
                for (RawHttp connection : first) {
                    assertEquals(200, connection.read().status);
                }
                for (RawHttp newcomer : newcomers) {
                    assertEquals(200, newcomer.read().status);
                }
            } finally {
                for (RawHttp connection : newcomers) {
                    connection.close();
                }
            }
        } finally {
            for (RawHttp connection : first) {
                connection.close();
            }
        }
        String page = request(server, "GET", "/metrics?name[]=dynamo_system_server_rejected_requests_total").text();
        assertTrue(page.contains("rejected_requests_total{reason=\"connection_limit\",} 0.0"), page);
    }

    @Test
    void closesAConnectionThatDoesNotReadItsResponseAtTheDeadline() throws Exception {
        SystemServer strict = start("DYN_SYSTEM_REQUEST_TIMEOUT_MS", "300");
        registry.registerNamedByPrefix(bigPage(), "big_");
        java.net.Socket reader = new java.net.Socket();
        reader.setReceiveBufferSize(4096);
        reader.connect(new java.net.InetSocketAddress("127.0.0.1", strict.port()));
        try {
            reader.getOutputStream().write("GET /metrics HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            long giveUp = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            String page = "";
            while (!page.contains("reason=\"write_timeout\",} 1.0") && System.nanoTime() < giveUp) {
                Thread.sleep(100);
                page = request(strict, "GET", "/metrics?name[]=dynamo_system_server_rejected_requests_total").text();
            }
            assertTrue(page.contains("rejected_requests_total{reason=\"write_timeout\",} 1.0"), page);
        } finally {
            reader.close();
        }
    }

    /**
     * A client that reads a large page steadily but slowly (200 KB/s, a 20 MB page): the kernel grows
     * the socket's send buffer to megabytes, and reports it writable only once half of it has
     * drained, which at that pace takes longer than the request timeout. The client was closed at
     * the timeout as one that stopped reading; it reads on until the whole response's deadline.
     */
    @Test
    void aClientThatReadsSteadilyIsNotTakenForOneThatStopped() throws Exception {
        SystemServer strict = start("DYN_SYSTEM_REQUEST_TIMEOUT_MS", "1000");
        registry.registerNamedByPrefix(bigPage(), "big_");
        AtomicBoolean reading = new AtomicBoolean(true);
        Thread reader = new Thread(() -> {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", strict.port())) {
                socket.getOutputStream().write("GET /metrics HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                byte[] chunk = new byte[16 * 1024];
                while (reading.get() && in.read(chunk) >= 0) {
                    Thread.sleep(80); // 200 KB/s
                }
            } catch (IOException | InterruptedException ended) {
                // closed by the test
            }
        });
        reader.start();
        try {
            Thread.sleep(3_500);
            String rejected = request(strict, "GET", "/metrics?name[]=dynamo_system_server_rejected_requests_total").text();
            assertTrue(rejected.contains("reason=\"write_timeout\",} 0.0"),
                    "still served 3.5 s into a response that may take 6 s: " + rejected);
        } finally {
            reading.set(false);
            reader.join(10_000);
        }
    }

    /** A collector of a 20 MB page. */
    private static Collector bigPage() {
        return new Collector() {
            @Override
            public List<MetricFamilySamples> collect() {
                List<MetricFamilySamples.Sample> samples = new ArrayList<MetricFamilySamples.Sample>();
                char[] filler = new char[1000];
                Arrays.fill(filler, 'x');
                for (int i = 0; i < 20_000; i++) {
                    samples.add(new MetricFamilySamples.Sample("big_page", Collections.singletonList("filler"),
                            Collections.singletonList(new String(filler)), i));
                }
                return Collections.singletonList(new MetricFamilySamples("big_page", Type.GAUGE, "big", samples));
            }
        };
    }

    /** A collector whose first collection throws {@code failure}; the later ones give nothing. */
    private void registerFailingOnce(OutOfMemoryError failure) {
        AtomicInteger failures = new AtomicInteger(1);
        registry.registerNamedByPrefix(new Collector() {
            @Override
            public List<MetricFamilySamples> collect() {
                if (failures.getAndDecrement() > 0) {
                    throw failure;
                }
                return Collections.emptyList();
            }
        }, "oom_");
    }

    @Test
    void answersARenderThatRunsOutOfMemoryWith500ThenServesTheNextScrape() throws IOException {
        registerFailingOnce(new OutOfMemoryError("Java heap space (simulated)"));

        try (RawHttp client = new RawHttp(server.port())) {
            RawHttp.Reply failed = client.send("GET /metrics HTTP/1.1\r\n\r\n").read();
            assertEquals(500, failed.status);
            assertFalse(failed.text().contains("heap"), failed.text());
            assertTrue(client.closedByServer());
        }
        assertEquals(200, request(server, "GET", "/metrics").status);
        String log = CapturedLog.text(agentLog);
        assertTrue(log.contains("OutOfMemoryError"), log);
        assertTrue(log.matches("(?s).*the page had \\d+ bytes when the heap ran out.*") && log.contains("Accept-Encoding: gzip"),
                "says how far the render got and what lets the page fit: " + log);
    }

    /** Before, a render out of Metaspace was logged as the heap running out, with advice about the heap. */
    @Test
    void aRenderOutOfMetaspaceNamesThatLimitNotTheHeap() throws IOException {
        registerFailingOnce(new OutOfMemoryError("Metaspace"));

        assertEquals(500, request(server, "GET", "/metrics").status);
        assertEquals(200, request(server, "GET", "/metrics").status);
        String log = CapturedLog.text(agentLog);
        assertTrue(log.contains("OutOfMemoryError: Metaspace") && log.contains("-XX:MaxMetaspaceSize"), log);
        assertFalse(log.contains("heap ran out") || log.contains("more heap"), log);
    }

    /** A page of many chunks (20 MB) goes out whole and in order, twice over one connection kept alive. */
    @Test
    void servesAPageOfManyChunksWholeAndInOrder() throws IOException {
        registry.registerNamedByPrefix(bigPage(), "big_");
        char[] filler = new char[1000];
        Arrays.fill(filler, 'x');
        String labels = "big_page{filler=\"" + new String(filler) + "\",} ";
        try (RawHttp client = new RawHttp(server.port())) {
            for (int scrape = 0; scrape < 2; scrape++) {
                RawHttp.Reply reply = client.send("GET /metrics?name[]=big_page HTTP/1.1\r\n\r\n").read();
                assertEquals(200, reply.status);
                int sample = 0;
                for (String line : reply.text().split("\n")) {
                    if (line.startsWith("big_page")) {
                        assertEquals(labels + (double) sample, line, "sample " + sample);
                        sample++;
                    }
                }
                assertEquals(20_000, sample);
            }
        }
    }

    @Test
    void answersOverloadWith503AndCountsIt() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch rendering = new java.util.concurrent.CountDownLatch(SystemServer.RENDER_SLOTS);
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        // A first page, small: before one, the server renders scrapes one at a time (ServerLoopTest).
        assertEquals(200, request(server, "GET", "/metrics").status);
        registry.registerNamedByPrefix(new Collector() {
            @Override
            public List<MetricFamilySamples> collect() {
                mostAtOnce.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
                rendering.countDown();
                try {
                    release.await();
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                } finally {
                    concurrent.decrementAndGet();
                }
                return Collections.emptyList();
            }
        }, "slow_");
        int extra = 3;
        List<RawHttp> clients = new ArrayList<RawHttp>();
        try {
            for (int i = 0; i < SystemServer.RENDER_SLOTS + ServerLoop.MAX_QUEUED_SCRAPES + extra; i++) {
                clients.add(new RawHttp(server.port()).send("GET /metrics HTTP/1.1\r\n\r\n"));
                if (i == SystemServer.RENDER_SLOTS - 1) {
                    assertTrue(rendering.await(5, java.util.concurrent.TimeUnit.SECONDS));
                }
            }
            // The ones beyond the slots and the queue are answered at once; the others wait for the slots.
            List<RawHttp> answered = new ArrayList<RawHttp>();
            long giveUp = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
            while (answered.size() < extra && System.nanoTime() < giveUp) {
                answered.clear();
                for (RawHttp client : clients) {
                    if (client.socket.getInputStream().available() > 0) {
                        answered.add(client);
                    }
                }
            }
            assertEquals(extra, answered.size());
            for (RawHttp client : answered) {
                RawHttp.Reply refused = client.read();
                assertEquals(503, refused.status);
                assertEquals("1", refused.header("Retry-After"));
                assertEquals(200, client.send("GET /live HTTP/1.1\r\n\r\n").read().status,
                        "liveness answers while every render slot is busy");
            }
            release.countDown();
            for (RawHttp client : clients) {
                if (!answered.contains(client)) {
                    assertEquals(200, client.read().status);
                }
            }
        } finally {
            release.countDown();
            for (RawHttp client : clients) {
                client.close();
            }
        }
        assertEquals(SystemServer.RENDER_SLOTS, mostAtOnce.get(), "pages rendered at once");
        String page = request(server, "GET", "/metrics?name[]=dynamo_system_server_rejected_requests_total").text();
        assertTrue(page.contains("dynamo_system_server_rejected_requests_total{reason=\"overloaded\",} " + extra + ".0"), page);
    }

    /**
     * Scrapes whose clients gave up while they waited (a timeout, aborted requests) leave the queue:
     * a tester's burst of 200 aborted scrapes got the next real one refused with 503 and had dead
     * clients' pages rendered.
     */
    @Test
    void scrapesWhoseClientsLeftWhileQueuedMakeRoomForOthers() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch rendering = new java.util.concurrent.CountDownLatch(SystemServer.RENDER_SLOTS);
        // A first page, small: before one, the server renders scrapes one at a time (ServerLoopTest).
        assertEquals(200, request(server, "GET", "/metrics").status);
        registry.registerNamedByPrefix(new Collector() {
            @Override
            public List<MetricFamilySamples> collect() {
                rendering.countDown();
                try {
                    release.await();
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
                return Collections.emptyList();
            }
        }, "slow_");
        List<RawHttp> busy = new ArrayList<RawHttp>();
        RawHttp waiting = null;
        try {
            for (int i = 0; i < SystemServer.RENDER_SLOTS; i++) {
                busy.add(new RawHttp(server.port()).send("GET /metrics HTTP/1.1\r\n\r\n"));
            }
            assertTrue(rendering.await(5, java.util.concurrent.TimeUnit.SECONDS));
            for (int i = 0; i < ServerLoop.MAX_QUEUED_SCRAPES + 10; i++) {
                new RawHttp(server.port()).send("GET /metrics HTTP/1.1\r\n\r\n").close();
            }
            waiting = new RawHttp(server.port()).send("GET /metrics HTTP/1.1\r\n\r\n");
            waiting.socket.setSoTimeout(300);
            RawHttp queued = waiting;
            assertThrows(java.net.SocketTimeoutException.class, queued::read, "waits for a render slot, not refused");
            waiting.socket.setSoTimeout(10_000);
            release.countDown();
            assertEquals(200, waiting.read().status);
            for (RawHttp client : busy) {
                assertEquals(200, client.read().status);
            }
        } finally {
            release.countDown();
            for (RawHttp client : busy) {
                client.close();
            }
            if (waiting != null) {
                waiting.close();
            }
        }
        String page = request(server, "GET", "/metrics?name[]=dynamo_system_server_rejected_requests_total").text();
        assertTrue(page.contains("dynamo_system_server_rejected_requests_total{reason=\"overloaded\",} 0.0"), page);
    }

    @Test
    void runsOnlyTheCollectorsANameFilterNeeds() throws IOException {
        AtomicInteger jvmCollections = new AtomicInteger();
        registry.register(new Collector() {
            @Override
            public List<MetricFamilySamples> collect() {
                jvmCollections.incrementAndGet();
                return Collections.singletonList(new MetricFamilySamples("jvm_like_threads", Type.GAUGE, "threads",
                        Collections.singletonList(new MetricFamilySamples.Sample("jvm_like_threads",
                                Collections.<String>emptyList(), Collections.<String>emptyList(), 3))));
            }
        });
        int afterRegistration = jvmCollections.get();

        Response filtered = request(server, "GET", "/metrics?name[]=" + prefixed(requests) + "_total");

        assertTrue(filtered.text().contains(prefixed(requests) + "_total{"), filtered.text());
        assertEquals(afterRegistration, jvmCollections.get(), "the unrelated collector ran");
        assertTrue(request(server, "GET", "/metrics?name[]=jvm_like_threads").text().contains("jvm_like_threads 3.0"));
        assertEquals(afterRegistration + 1, jvmCollections.get());
    }

    @Test
    void asksTheSecurityHookBeforeServingAndAddsItsHeaders() throws IOException {
        Map<String, String> env = new HashMap<String, String>();
        env.put("DYN_SYSTEM_PORT", "0");
        env.put("DYN_SYSTEM_HOST", "127.0.0.1");
        List<String> asked = java.util.Collections.synchronizedList(new ArrayList<String>());
        SystemServer guarded = SystemServer.start(AgentConfig.fromEnvironment(env), registry, new HealthStatus(true),
                () -> { }, new ServerSecurity() {
                    @Override
                    public javax.net.ssl.SSLContext sslContext() {
                        return null;
                    }

                    @Override
                    public Access access(String path, String authorization) {
                        asked.add(path + " " + authorization);
                        boolean open = path.equals("/live") || "Basic dTpw".equals(authorization);
                        return open ? Access.ALLOW : Access.challenge("Basic realm=\"dynamo\"");
                    }

                    @Override
                    public List<String> responseHeaders() {
                        return Arrays.asList("X-Frame-Options", "deny");
                    }
                });
        servers.add(guarded);

        Response denied = request(guarded, "GET", "/metrics");
        Response allowed = request(guarded, "GET", "/metrics", "Authorization", "Basic dTpw");
        Response live = request(guarded, "GET", "/live");

        assertEquals(401, denied.status);
        assertEquals("Basic realm=\"dynamo\"", denied.header("WWW-Authenticate"));
        assertFalse(denied.text().contains(prefixed(requests)), denied.text());
        assertEquals(200, allowed.status);
        assertTrue(allowed.text().contains(prefixed(requests)));
        assertEquals("deny", allowed.header("X-Frame-Options"));
        assertEquals(200, live.status);
        assertTrue(asked.contains("/metrics Basic dTpw"), asked.toString());
    }

    // /health and /live

    @Test
    void reportsNotReadyBeforeAnyEndpointByDefault() throws IOException {
        Response response = request(server, "GET", "/health");

        assertEquals(503, response.status);
        assertEquals("application/json", response.header("Content-Type"));
        assertTrue(response.text().startsWith("{\"status\":\"notready\""), response.text());
        assertTrue(response.text().contains("\"endpoints\":{}"), response.text());
    }

    @Test
    void reportsReadyWhenTheStartingStatusIsReady() throws IOException {
        SystemServer ready = start("DYN_SYSTEM_STARTING_HEALTH_STATUS", "ready");

        Response response = request(ready, "GET", "/health");

        assertEquals(200, response.status);
        assertEquals("application/json", response.header("Content-Type"));
        assertTrue(response.text().startsWith("{\"status\":\"ready\",\"uptime\":{\"secs\":"), response.text());
        assertTrue(response.text().contains("\"endpoints\":{"), response.text());
    }

    @Test
    void answersHeadOnHealthWithTheSameStatus() throws IOException {
        SystemServer ready = start("DYN_SYSTEM_STARTING_HEALTH_STATUS", "ready");

        Response response = request(ready, "HEAD", "/health");

        assertEquals(200, response.status);
        assertEquals(0, response.body.length);
    }

    @Test
    void answersLivenessWhileAHealthCheckIsSlow() throws Exception {
        java.util.concurrent.CountDownLatch checking = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.Callable<Boolean> slowCheck = () -> {
            checking.countDown();
            return release.await(10, java.util.concurrent.TimeUnit.SECONDS);
        };
        SystemServer slow = serverWithCheck("slow", slowCheck);

        try (RawHttp healthProbe = new RawHttp(slow.port())) {
            healthProbe.send("GET /health HTTP/1.1\r\n\r\n");
            assertTrue(checking.await(5, java.util.concurrent.TimeUnit.SECONDS));

            try (RawHttp liveProbe = new RawHttp(slow.port())) {
                assertEquals(200, liveProbe.send("GET /live HTTP/1.1\r\n\r\n").read().status);
                assertEquals(200, liveProbe.send("GET /metrics HTTP/1.1\r\n\r\n").read().status);
            }
            assertEquals(0, healthProbe.socket.getInputStream().available(), "/health waits for its check");
            release.countDown();
            RawHttp.Reply health = healthProbe.read();
            assertEquals(200, health.status);
            assertTrue(health.text().contains("\"slow\""), health.text());
        } finally {
            release.countDown();
        }
    }

    /**
     * Requests for /health that come while the checks run wait for that run and get its answer: the
     * checks run once for all of them. Before, each request ran them again, two at a time on the two
     * health workers, so ten probes at once with a slow check waited up to five times its duration.
     */
    @Test
    void healthRequestsThatComeWhileTheChecksRunShareTheirAnswer() throws Exception {
        java.util.concurrent.CountDownLatch checking = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.Callable<Boolean> slowCheck = () -> {
            runs.incrementAndGet();
            checking.countDown();
            return release.await(10, java.util.concurrent.TimeUnit.SECONDS);
        };
        SystemServer slow = serverWithCheck("slow", slowCheck);

        List<RawHttp> probes = new ArrayList<RawHttp>();
        try {
            for (int i = 0; i < 10; i++) {
                RawHttp probe = new RawHttp(slow.port());
                probes.add(probe);
                probe.send("GET /health HTTP/1.1\r\n\r\n");
                if (i == 0) {
                    assertTrue(checking.await(5, java.util.concurrent.TimeUnit.SECONDS));
                }
            }
            // Answered after the server read the requests sent before it.
            try (RawHttp liveProbe = new RawHttp(slow.port())) {
                assertEquals(200, liveProbe.send("GET /live HTTP/1.1\r\n\r\n").read().status);
            }
            release.countDown();
            for (RawHttp probe : probes) {
                RawHttp.Reply health = probe.read();
                assertEquals(200, health.status);
                assertTrue(health.text().contains("\"slow\":\"ready\""), health.text());
            }
            assertEquals(1, runs.get(), "the checks ran once for the ten requests");
        } finally {
            release.countDown();
            for (RawHttp probe : probes) {
                probe.close();
            }
        }
    }

    /** A server on a loopback port whose /health runs {@code check}, named {@code name}, with a 10 s timeout. */
    private SystemServer serverWithCheck(String name, java.util.concurrent.Callable<Boolean> check) throws IOException {
        Map<String, Object[]> checks = Collections.singletonMap(name, new Object[] {check, 10_000L});
        Object[] state = {Boolean.TRUE, Collections.<String, Boolean>emptyMap(), checks};
        HealthStatus withCheck = new HealthStatus(true, Collections.<String>emptyList(),
                () -> Collections.singletonList(state), Collections::<String>emptyList);
        Map<String, String> env = new HashMap<String, String>();
        env.put("DYN_SYSTEM_PORT", "0");
        env.put("DYN_SYSTEM_HOST", "127.0.0.1");
        SystemServer started = SystemServer.start(AgentConfig.fromEnvironment(env), registry, withCheck, () -> { });
        servers.add(started);
        return started;
    }

    @Test
    void reportsLiveness() throws IOException {
        Response response = request(server, "GET", "/live");

        assertEquals(200, response.status);
        assertEquals("application/json", response.header("Content-Type"));
        assertTrue(response.text().startsWith("{\"status\":\"live\""), response.text());
    }

    @Test
    void servesHealthAndLivenessOnConfiguredPaths() throws IOException {
        SystemServer custom = start("DYN_SYSTEM_HEALTH_PATH", "/ready", "DYN_SYSTEM_LIVE_PATH", "/alive",
                "DYN_SYSTEM_STARTING_HEALTH_STATUS", "ready");

        assertEquals(200, request(custom, "GET", "/ready").status);
        assertTrue(request(custom, "GET", "/ready").text().contains("\"status\":\"ready\""));
        assertTrue(request(custom, "GET", "/alive").text().contains("\"status\":\"live\""));
        assertEquals(404, request(custom, "GET", "/health").status);
        assertEquals(404, request(custom, "GET", "/live").status);
        assertEquals(200, request(custom, "GET", "/metrics").status);
    }

    // Everything else

    @Test
    void answersUnknownPathsWith404() throws IOException {
        for (String path : Arrays.asList("/", "/metricsfoo", "/metrics/", "/healthz", "/live/now", "/favicon.ico")) {
            Response response = request(server, "GET", path);
            assertEquals(404, response.status, path);
            assertTrue(response.text().startsWith("Not found. Try /metrics, /health or /live"), response.text());
        }
    }

    @Test
    void answersOtherMethodsWith405() throws IOException {
        for (String path : Arrays.asList("/metrics", "/health", "/live")) {
            for (String method : Arrays.asList("POST", "PUT", "DELETE")) {
                Response response = request(server, method, path);
                assertEquals(405, response.status, method + " " + path);
                assertEquals("GET, HEAD", response.header("Allow"), method + " " + path);
            }
        }
        assertEquals(0, scrapeHooks.get());
    }

    @Test
    void listensOnTheConfiguredHostAndAFreePort() {
        assertNotEquals(0, server.port());
        assertEquals("127.0.0.1", server.host());
        assertEquals("http://127.0.0.1:" + server.port(), server.url("127.0.0.1"));
        assertEquals("http://[::]:" + server.port(), server.url("::"), "an IPv6 literal is bracketed");
    }

    @Test
    void clearsAnInterruptSoThatItsSelectorDoesNotSpin() throws Exception {
        request(server, "GET", "/live");
        Thread selectorThread = null;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().equals("dynamo-system-server") && thread.isAlive()) {
                selectorThread = thread;
            }
        }
        assertNotNull(selectorThread);

        selectorThread.interrupt();

        assertEquals(200, request(server, "GET", "/live").status);
        long giveUp = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (selectorThread.isInterrupted() && System.nanoTime() < giveUp) {
            Thread.sleep(20);
        }
        // A set interrupt makes every select return at once: a thread spinning for good.
        assertFalse(selectorThread.isInterrupted());
        assertEquals(200, request(server, "GET", "/metrics").status);
    }

    @Test
    void runsOnDaemonThreadsOnly() throws IOException {
        request(server, "GET", "/metrics");

        List<Thread> serverThreads = new ArrayList<Thread>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("dynamo-system-server")) {
                serverThreads.add(thread);
            }
        }
        assertFalse(serverThreads.isEmpty());
        for (Thread thread : serverThreads) {
            assertTrue(thread.isDaemon(), thread.getName());
        }
    }

    @Test
    void failsToStartOnAPortInUse() {
        Map<String, String> env = new HashMap<String, String>();
        env.put("DYN_SYSTEM_PORT", Integer.toString(server.port()));
        env.put("DYN_SYSTEM_HOST", "127.0.0.1");
        AgentConfig taken = AgentConfig.fromEnvironment(env);

        assertThrows(IOException.class,
                () -> servers.add(SystemServer.start(taken, registry, new HealthStatus(false), () -> { })));
    }

    @Test
    void releasesThePortWhenStopped() throws IOException {
        int port = server.port();
        server.stop();
        servers.remove(server);

        SystemServer again = start("DYN_SYSTEM_PORT", Integer.toString(port));

        assertEquals(port, again.port());
        assertEquals(200, request(again, "GET", "/live").status);
    }

    /** Describes itself, so that registering it does not collect. */
    private static final class BrokenCollector extends Collector implements Collector.Describable {
        @Override
        public List<MetricFamilySamples> collect() {
            throw new IllegalStateException("collector broken");
        }

        @Override
        public List<MetricFamilySamples> describe() {
            return Collections.emptyList();
        }
    }

    // HTTP plumbing

    /** The lines of {@code body} about this test's metrics, for failure messages. */
    private String excerpt(String body) {
        return String.join("\n", linesOf(body, "_" + SEQUENCE.get()));
    }

    private static List<String> linesOf(String text, String containing) {
        List<String> lines = new ArrayList<String>();
        for (String line : text.split("\n")) {
            if (line.contains(containing)) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static String gunzip(byte[] compressed) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
            return new String(readAll(in), StandardCharsets.UTF_8);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        if (in == null) {
            return new byte[0];
        }
        try (InputStream stream = in) {
            return stream.readAllBytes();
        }
    }

    static Response request(SystemServer target, String method, String path, String... headers) throws IOException {
        return request(target.port(), method, path, headers);
    }

    static Response request(int port, String method, String path, String... headers) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) new URL("http://127.0.0.1:" + port + path).openConnection();
        try {
            connection.setRequestMethod(method);
            connection.setConnectTimeout(5000);
            connection.setReadTimeout(5000);
            for (int i = 0; i < headers.length; i += 2) {
                connection.setRequestProperty(headers[i], headers[i + 1]);
            }
            int status = connection.getResponseCode();
            byte[] body = readAll(status >= 400 ? connection.getErrorStream() : connection.getInputStream());
            return new Response(status, connection.getHeaderFields(), body);
        } finally {
            connection.disconnect();
        }
    }

    static final class Response {
        final int status;
        final Map<String, List<String>> headers;
        final byte[] body;

        Response(int status, Map<String, List<String>> headers, byte[] body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        String header(String name) {
            for (Map.Entry<String, List<String>> header : headers.entrySet()) {
                if (name.equalsIgnoreCase(header.getKey())) {
                    return header.getValue().get(0);
                }
            }
            return null;
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }
}
