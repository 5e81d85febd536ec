package dev.dynamo.it;

import dev.dynamo.it.support.Artifacts;
import dev.dynamo.it.support.Exposition;
import dev.dynamo.it.support.JvmLauncher;
import dev.dynamo.it.support.Labels;
import dev.dynamo.it.support.ManagedProcess;
import dev.dynamo.it.support.MetricsScraper;
import dev.dynamo.it.support.Processes;
import dev.dynamo.it.support.Timeouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static dev.dynamo.it.EndpointCallChecks.assertCalls;
import static dev.dynamo.it.EndpointCallChecks.none;
import static dev.dynamo.it.EndpointInstrumentationIT.ERRORS;
import static dev.dynamo.it.EndpointInstrumentationIT.INFLIGHT;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Issue 9: every handler style counts one request per logical call and is timed to its real end.
 * Each test runs one real application of the {@code handler-style-apps} module with the agent —
 * Kotlin coroutines, Reactor, Mutiny and RxJava, a grpc-java server and client over loopback, Jersey on Grizzly —
 * which calls its handlers
 * a known number of times from two threads, and then checks the exact figures it exports.
 */
@Timeout(180)
class HandlerStylesIT {
    @RegisterExtension
    final Processes processes = new Processes();

    /** Starts {@code mainClass}, waits until it made all its calls, and returns its final page. */
    private Exposition runToEnd(String name, String mainClass, int calls) {
        ManagedProcess app = processes.start(JvmLauncher.withAgent(name)
                .classpath(Artifacts.handlerStyleAppsJar(), Artifacts.apiJar())
                .mainClass("dev.dynamo.it.styles." + mainClass).args(String.valueOf(calls))
                .env("DYN_SYSTEM_PORT", "0").env("DYN_LOG", "info"));
        MetricsScraper scraper = new MetricsScraper(app.awaitMetricsPort(Timeouts.STARTUP));
        app.awaitStdoutLine("done " + calls, Timeouts.STARTUP);
        // A Reactor subscriber may see the last signal a moment before doFinally ends the call.
        return scraper.awaitPage(Timeouts.SCRAPE, "no call in flight",
                page -> page.samples(INFLIGHT).stream().allMatch(sample -> sample.value() == 0));
    }

    @Test
    void kotlinSuspendFunctionsCountOneRequestPerCallTimedToTheCoroutinesEnd() {
        int calls = 400;
        Exposition page = runToEnd("kotlin-coroutines", "CoroutineApp", calls);
        double suspendSeconds = 0.005;

        // Each call suspends once and is re-entered at the resumption: still one request, ≥ 5 ms each.
        assertCalls(page, kotlin("suspend_once"), calls, calls * suspendSeconds, none(), 0);
        // Compiled without a state machine: ended by the callee resuming the caller.
        assertCalls(page, kotlin("tail_call"), calls, calls * suspendSeconds, none(), 0);
        assertCalls(page, kotlin("no_suspend"), calls, 0, none(), 0);
        // 20 calls, each re-entered 50 times after a 1 ms delay.
        assertCalls(page, kotlin("suspend_many"), 20, 20 * 0.050, none(), 0);
        // recursive(9) calls itself with its own state machine as continuation: 10 calls, not resumptions.
        assertCalls(page, kotlin("recursive"), 10, 0.009, none(), 0);
        assertCalls(page, kotlin("failing"), 4, 0.004, Map.of("QuotaExceededException", 4), 0);
        // Three coroutines cancelled after 100 ms: cancellations, not errors.
        assertCalls(page, kotlin("waiting"), 3, 3 * 0.1, none(), 3);
        // One call from Kotlin plus one through each of the three overloads Java sees; the generated
        // overloads and the static bridge are not counted again.
        assertCalls(page, kotlin("overloads"), 4, 0, none(), 0);
        assertCalls(page, kotlin("jvm_static"), 3, 0, none(), 0);
    }

    private static Map<String, String> kotlin(String endpoint) {
        return Labels.endpoint("it", "kotlin", endpoint);
    }

    @Test
    void reactorPublishersAreTimedToTheirTerminalSignal() {
        int callsPerThread = 300;
        Exposition page = runToEnd("reactor", "ReactorApp", callsPerThread);
        double delaySeconds = 0.005;

        assertCalls(page, reactor("mono_delayed"), 2 * callsPerThread, 2 * callsPerThread * delaySeconds, none(), 0);
        assertCalls(page, reactor("mono_error"), 3, 0.003, Map.of("QuotaExceededException", 3), 0);
        assertCalls(page, reactor("mono_empty"), 2, 0, none(), 0);
        // Ten items, at least 1 ms apart: one request.
        assertCalls(page, reactor("flux_items"), 1, 0.010, none(), 0);
        // take(5) cancels the endless Flux after five items.
        assertCalls(page, reactor("flux_endless"), 1, 0.004, none(), 1);
        // Never subscribed: no request, nothing left in flight.
        assertCalls(page, reactor("never_subscribed"), 0, 0, none(), 0);
        assertCalls(page, reactor("throwing"), 1, 0, Map.of("IllegalStateException", 1), 0);
        // A publisher of no library returned as org.reactivestreams.Publisher, completing 5 ms later.
        assertCalls(page, reactor("plain_publisher"), 1, delaySeconds, none(), 0);
    }

    private static Map<String, String> reactor(String endpoint) {
        return Labels.endpoint("it", "reactor", endpoint);
    }

    @Test
    void singleValuesAreTimedToTheirItemFailureOrCancellation() {
        int callsPerThread = 300;
        Exposition page = runToEnd("single-values", "SingleValueApp", callsPerThread);
        double delaySeconds = 0.005;

        assertCalls(page, singleValue("uni_delayed"), 2 * callsPerThread, 2 * callsPerThread * delaySeconds, none(), 0);
        assertCalls(page, singleValue("single_delayed"), 2 * callsPerThread, 2 * callsPerThread * delaySeconds,
                none(), 0);
        assertCalls(page, singleValue("uni_error"), 3, 0.003, Map.of("QuotaExceededException", 3), 0);
        assertCalls(page, singleValue("completable_error"), 3, 0.003, Map.of("QuotaExceededException", 3), 0);
        assertCalls(page, singleValue("maybe_empty"), 2, 2 * delaySeconds, none(), 0);
        // Two subscriptions cancelled after 100 ms each.
        assertCalls(page, singleValue("uni_never"), 2, 2 * 0.1, none(), 2);
        assertCalls(page, singleValue("uni_never_subscribed"), 0, 0, none(), 0);
        // Under a tracing assembly hook: the hook's wrapper timed to its failure, the application's own Single
        // returned as it is (its cast held in the application) and timed to the return.
        assertCalls(page, singleValue("traced_error"), 3, 3 * delaySeconds, Map.of("QuotaExceededException", 3), 0);
        assertCalls(page, singleValue("own_single"), 3, 0, none(), 0);
    }

    private static Map<String, String> singleValue(String endpoint) {
        return Labels.endpoint("it", "single_value", endpoint);
    }

    @Test
    void eagerFuturesOfGuavaScalaKotlinSpringAndNettyAreTimedToTheirCompletion() {
        int callsPerThread = 200;
        Exposition page = runToEnd("eager-futures", "EagerFutureApp", callsPerThread);
        double delaySeconds = 0.005;

        // Each answered 5 ms after the method returned it, on another thread.
        assertCalls(page, eagerFuture("guava"), 2 * callsPerThread, 2 * callsPerThread * delaySeconds, none(), 0);
        assertCalls(page, eagerFuture("scala"), 2 * callsPerThread, 2 * callsPerThread * delaySeconds, none(), 0);
        assertCalls(page, eagerFuture("deferred"), 2 * callsPerThread, 2 * callsPerThread * delaySeconds, none(), 0);
        assertCalls(page, eagerFuture("spring"), 2 * callsPerThread, 2 * callsPerThread * delaySeconds, none(), 0);
        assertCalls(page, eagerFuture("netty"), 2 * callsPerThread, 2 * callsPerThread * delaySeconds, none(), 0);
        // Failed: an error of the cause's type (not Guava's ExecutionException).
        assertCalls(page, eagerFuture("guava_error"), 3, 0.003, Map.of("QuotaExceededException", 3), 0);
        assertCalls(page, eagerFuture("scala_error"), 3, 0.003, Map.of("QuotaExceededException", 3), 0);
        assertCalls(page, eagerFuture("deferred_error"), 3, 0.003, Map.of("QuotaExceededException", 3), 0);
        // Given up by their caller after 100 ms each.
        assertCalls(page, eagerFuture("guava_cancelled"), 2, 2 * 0.1, none(), 2);
        assertCalls(page, eagerFuture("job_cancelled"), 2, 2 * 0.1, none(), 2);
    }

    private static Map<String, String> eagerFuture(String endpoint) {
        return Labels.endpoint("it", "eager_future", endpoint);
    }

    @Test
    void grpcHandlersAreTimedUntilTheirResponseObserverEnds() {
        int callsPerThread = 200;
        Exposition page = runToEnd("grpc", "GrpcApp", callsPerThread);
        double delaySeconds = 0.005;

        // Answered 5 ms after the handler returned.
        assertCalls(page, grpc("unary"), 2 * callsPerThread, 2 * callsPerThread * delaySeconds, none(), 0);
        // onError(Status.UNAVAILABLE...) counts under the status code name.
        assertCalls(page, grpc("unavailable"), 3, 0.003, Map.of("UNAVAILABLE", 3), 0);
        // A handler that throws instead of calling onError.
        assertCalls(page, grpc("throwing"), 2, 0, Map.of("IllegalStateException", 2), 0);
        // Never answered: the client's 200 ms deadline cancels it.
        assertCalls(page, grpc("silent"), 1, 0.15, none(), 1);
        assertCalls(page, grpc("server_stream"), 1, delaySeconds, none(), 0);
        // Bidi, the first call of the app: ends when the response observer completes, after the client's
        // last message.
        assertCalls(page, grpc("chat"), 1, delaySeconds, none(), 0);
        assertFalse(page.has(ERRORS, Labels.with(grpc("unavailable"), "error_type", "StatusRuntimeException")));
    }

    private static Map<String, String> grpc(String endpoint) {
        return Labels.endpoint("it", "grpc", endpoint);
    }

    @Test
    void jaxRsMethodsAnsweringThroughAnAsyncResponseAreTimedUntilTheResponseIsDone() {
        int callsPerThread = 200;
        Exposition page = runToEnd("jaxrs", "JaxRsApp", callsPerThread);
        double delaySeconds = 0.005;

        // Answered 5 ms after the method returned.
        assertCalls(page, jaxrs("later"), 2 * callsPerThread, 2 * callsPerThread * delaySeconds, none(), 0);
        // resume(NotFoundException): JAX-RS answers 404, and the call is an error of that type, as when thrown.
        assertCalls(page, jaxrs("missing"), 3, 0, Map.of("NotFoundException", 3), 0);
        assertCalls(page, jaxrs("failing"), 2, 0, Map.of("IllegalStateException", 2), 0);
        assertCalls(page, jaxrs("cancelled"), 2, 0, none(), 2);
        assertCalls(page, jaxrs("throwing"), 2, 0, Map.of("IllegalArgumentException", 2), 0);
        // Nothing answered: Jersey's 503 after the 100 ms suspend timeout.
        assertCalls(page, jaxrs("unanswered"), 1, 0.1, Map.of("closed_without_answer", 1), 0);
    }

    private static Map<String, String> jaxrs(String endpoint) {
        return Labels.endpoint("it", "jaxrs", endpoint);
    }
}
