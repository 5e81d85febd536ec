package dev.dynamo.agent.internal.instrumentation;

import com.example.endpoints.AsyncResponseHandlers;
import com.example.endpoints.PlainAsyncResponse;
import dev.dynamo.runtime.internal.instrumentation.WovenCallsSeams;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JAX-RS resource methods that answer through an {@code AsyncResponse}, served by a real Jersey (on Grizzly, which can suspend):
 * timed until the response is done, with the application's answer deciding success, error or
 * cancellation.
 */
class AsyncResponseShapeTest {
    private static EndpointTransformer transformer;
    private static HttpServer server;
    private static URI base;
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startJersey() {
        transformer = EndpointMetrics.install();
        // Loaded, and so woven, only now that the agent is installed.
        server = GrizzlyHttpServerFactory.createHttpServer(URI.create("http://127.0.0.1:0/"),
                new ResourceConfig(AsyncResponseHandlers.class));
        base = URI.create("http://127.0.0.1:" + server.getListeners().iterator().next().getPort() + "/async/");
    }

    @AfterAll
    static void stopJersey() {
        server.shutdownNow();
        EndpointMetrics.uninstall(transformer);
    }

    private static EndpointMetrics endpoint(String name) {
        return new EndpointMetrics(AsyncResponseHandlers.NS, "jaxrs", name);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return send(path).get(10, TimeUnit.SECONDS);
    }

    private static CompletableFuture<HttpResponse<String>> send(String path) {
        return CLIENT.sendAsync(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The call's end is recorded on the runtime's thread, just after the client got its answer. */
    private static void awaitIdle(EndpointMetrics metrics, long requests) throws InterruptedException {
        for (int i = 0; i < 500 && (metrics.inflight() != 0 || metrics.durations() != requests); i++) {
            Thread.sleep(10);
        }
    }

    @Test
    void anAnswerGivenAtOnceIsOneCall() throws Exception {
        EndpointMetrics now = endpoint("now");

        assertEquals("now", get("now").body());

        awaitIdle(now, 1);
        assertEquals(1, now.requests());
        assertEquals(1, now.durations());
        assertEquals(0, now.inflight());
    }

    @Test
    void aCallIsInFlightUntilItsAnswerAndTimedToIt() throws Exception {
        EndpointMetrics later = endpoint("later");
        AsyncResponseHandlers.release = new CountDownLatch(1);

        CompletableFuture<HttpResponse<String>> pending = send("later");
        for (int i = 0; i < 500 && later.inflight() == 0; i++) {
            Thread.sleep(10);
        }
        Thread.sleep(300);
        assertEquals(1, later.inflight(), "the method returned, its answer is not given yet");
        assertEquals(0, later.durations());
        AsyncResponseHandlers.release.countDown();

        assertEquals("later", pending.get(10, TimeUnit.SECONDS).body());
        awaitIdle(later, 1);
        assertEquals(1, later.requests());
        assertEquals(0, later.inflight());
        assertTrue(later.durationSum() >= 0.3, "timed to the answer, not to the return: " + later.durationSum());
    }

    @Test
    void anExceptionNoMapperTakesIsAnErrorOfItsType() throws Exception {
        EndpointMetrics unmapped = endpoint("unmapped");

        assertEquals(500, get("unmapped").statusCode());

        awaitIdle(unmapped, 1);
        assertEquals(1, unmapped.requests());
        assertEquals(1, unmapped.errors("IllegalStateException"));
        assertEquals(0, unmapped.inflight());
    }

    @Test
    void anExceptionPassedToResumeIsAnErrorEvenWhenJaxRsMapsItToAResponse() throws Exception {
        EndpointMetrics mapped = endpoint("mapped");

        assertEquals(404, get("mapped").statusCode());

        awaitIdle(mapped, 1);
        assertEquals(1, mapped.requests());
        assertEquals(1, mapped.errors("NotFoundException"), "as the same exception thrown by a synchronous method");
        assertEquals(0, mapped.inflight());
    }

    @Test
    void aCancelledResponseIsACancellation() throws Exception {
        EndpointMetrics cancelled = endpoint("cancelled");

        assertEquals(503, get("cancelled").statusCode());

        awaitIdle(cancelled, 1);
        assertEquals(1, cancelled.requests());
        assertEquals(1, cancelled.cancellations());
        assertEquals(0, cancelled.inflight());
    }

    @Test
    void anExceptionTheMethodThrowsEndsTheCallOnce() throws Exception {
        EndpointMetrics thrower = endpoint("throws");

        assertEquals(500, get("throws").statusCode());

        awaitIdle(thrower, 1);
        Thread.sleep(200); // the runtime's later report of the response's end must not count it again
        assertEquals(1, thrower.requests());
        assertEquals(1, thrower.durations());
        assertEquals(1, thrower.errors("IllegalArgumentException"));
        assertEquals(0, thrower.inflight());
    }

    @Test
    void aTimeoutNothingAnswersIsAnErrorClosedWithoutAnswer() throws Exception {
        EndpointMetrics timeout = endpoint("timeout");

        assertEquals(503, get("timeout").statusCode());

        awaitIdle(timeout, 1);
        assertEquals(1, timeout.requests());
        assertEquals(1, timeout.errors("closed_without_answer"));
        assertEquals(0, timeout.inflight());
    }

    @Test
    void aTimeoutHandlersAnswerIsTheCallsAnswer() throws Exception {
        EndpointMetrics handled = endpoint("handled_timeout");

        assertEquals(504, get("handled_timeout").statusCode());

        awaitIdle(handled, 1);
        assertEquals(1, handled.requests());
        assertEquals(1, handled.durations());
        assertEquals(0, handled.errors("closed_without_answer"));
        assertEquals(0, handled.inflight());
    }

    @Test
    void aResponsePassedToAnotherMeasuredMethodCountsOneCallEach() throws Exception {
        EndpointMetrics outer = endpoint("outer");
        EndpointMetrics now = endpoint("now");
        long nowBefore = now.requests();

        assertEquals("now", get("outer").body());

        awaitIdle(outer, 1);
        assertEquals(1, outer.requests());
        assertEquals(0, outer.inflight());
        assertEquals(nowBefore + 1, now.requests());
        assertEquals(0, now.inflight());
    }

    /**
     * A unit test calls the method with a response of its own (a mock, a hand-written one): the
     * method gets that very object, on which the agent calls nothing, and the call is timed to the
     * return. Before, it got a proxy (a test's identity check or verifyNoMoreInteractions failed), and
     * the call stayed in flight for good, kept in the agent's table, with a response that never
     * reported its end.
     */
    @Test
    void aResponseOfNoJaxRsRuntimeIsLeftUntouchedAndTimedToTheReturn() {
        EndpointMetrics keeps = endpoint("keeps");
        long before = keeps.requests();
        PlainAsyncResponse own = new PlainAsyncResponse();

        new AsyncResponseHandlers().keeps(own);

        assertSame(own, AsyncResponseHandlers.given, "the method got the test's own object");
        assertEquals(0, own.registrations, "nothing registered on it");
        assertEquals(0, WovenCallsSeams.pendingAsyncResponseCalls(), "nothing kept for it");
        assertEquals(before + 1, keeps.requests());
        assertEquals(before + 1, keeps.durations());
        assertEquals(0, keeps.inflight());
    }

    @Test
    void concurrentCallsAreCountedExactly() throws Exception {
        EndpointMetrics unmapped = endpoint("unmapped");
        long before = unmapped.requests();
        long errorsBefore = unmapped.errors("IllegalStateException");
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            calls.add(send("unmapped"));
        }
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            assertEquals(500, call.get(30, TimeUnit.SECONDS).statusCode());
        }

        awaitIdle(unmapped, before + 200);
        assertEquals(0, WovenCallsSeams.pendingAsyncResponseCalls(), "nothing kept for a call that ended");
        assertEquals(before + 200, unmapped.requests());
        assertEquals(before + 200, unmapped.durations());
        assertEquals(errorsBefore + 200, unmapped.errors("IllegalStateException"));
        assertEquals(0, unmapped.inflight());
    }
}
