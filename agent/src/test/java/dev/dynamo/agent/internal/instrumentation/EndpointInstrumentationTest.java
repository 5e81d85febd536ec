package dev.dynamo.agent.internal.instrumentation;

import com.example.endpoints.AbstractHandler;
import com.example.endpoints.DefaultNames;
import com.example.endpoints.Handlers;
import com.example.endpoints.OptionalBase;
import com.example.endpoints.OptionalHandlers;
import com.example.endpoints.PreloadedHandler;
import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.agent.internal.log.LogSettings;
import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.internal.instrumentation.WovenCalls;
import dev.dynamo.runtime.internal.instrumentation.WovenCallsSeams;
import dev.dynamo.runtime.metrics.Histogram;
import dev.dynamo.runtime.metrics.IntCounter;
import dev.dynamo.runtime.metrics.IntCounterVec;
import dev.dynamo.runtime.metrics.IntGauge;
import dev.dynamo.runtime.metrics.MetricsRegistry;
import dev.dynamo.runtime.metrics.PrometheusNames.WorkHandler;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Installs the endpoint instrumentation in this JVM and checks what each method shape records.
 * The targets live in {@code com.example.endpoints}, outside the agent's ignored packages.
 */
class EndpointInstrumentationTest {
    private static final String NS = Handlers.NS;
    private static final String DEFAULT_NAMESPACE = "defaults_test";
    private static final ByteArrayOutputStream AGENT_LOG = new ByteArrayOutputStream();

    private static Instrumentation instrumentation;
    private static EndpointTransformer transformer;

    @BeforeAll
    static void installAgent() throws Exception {
        // Loaded before the agent: only retransformation can instrument it.
        Class.forName(PreloadedHandler.class.getName());
        AgentLog.redirect(new PrintStream(AGENT_LOG, true, "UTF-8"));
        AgentLog.configure(LogSettings.DEFAULT);
        instrumentation = ByteBuddyAgent.install();
        transformer = EndpointInstrumentation.install(instrumentation, DEFAULT_NAMESPACE, true);
    }

    @AfterAll
    static void removeAgent() {
        instrumentation.removeTransformer(transformer);
        AgentLog.redirect(null);
    }

    /**
     * The JVM may refuse a class after the agent wove it (a superclass missing from the class path),
     * and does not say so to the agent: its endpoints are not served, and one warning says why.
     * Before, such a class's endpoints were listed as served, and /health said ready for them.
     */
    @Test
    void aClassTheJvmRefusesAfterItsWeavingServesNoEndpoint() throws Exception {
        ClassLoader withoutOptionalBase = new DefiningItself(
                name -> name.startsWith(OptionalHandlers.class.getName() + "$"), OptionalBase.class.getName());
        String refused = OptionalHandlers.NS + "/optional/refused";
        String defined = OptionalHandlers.NS + "/optional/defined";

        // Named, not as class literals, which would load them here, where OptionalBase is on the class path.
        assertThrows(NoClassDefFoundError.class,
                () -> Class.forName(OptionalHandlers.class.getName() + "$Refused", false, withoutOptionalBase));
        Class.forName(OptionalHandlers.class.getName() + "$Defined", false, withoutOptionalBase);

        List<String> served = InstrumentedEndpoints.endpoints();
        assertTrue(served.contains(defined), served.toString());
        assertFalse(served.contains(refused), served.toString());
        assertFalse(AGENT_LOG.toString("UTF-8").contains("OptionalHandlers$Refused was instrumented"),
                "not refused yet: its definition might still be on its way");

        served = InstrumentedEndpoints.endpointsAt(System.nanoTime() + InstrumentedEndpoints.REFUSAL_NANOS + 1);
        assertFalse(served.contains(refused), served.toString());
        assertTrue(AGENT_LOG.toString("UTF-8").contains("com.example.endpoints.OptionalHandlers$Refused was"
                + " instrumented, but the JVM did not define it"), AGENT_LOG.toString("UTF-8"));
    }

    /**
     * A class whose class loader is gone before the endpoints are next asked for (a loader per
     * request or per script, collected by a GC in between) serves its endpoint once a call of it was
     * counted: its woven code ran, so it was defined. Before, the endpoint was dropped with the loader,
     * and /health said not ready for it for good (a re-tester: 200 loaders, 200 calls counted).
     */
    @Test
    void aCalledClassWhoseLoaderIsGoneBeforeTheEndpointsAreAskedForServesItsEndpoint() throws Exception {
        String endpoint = OptionalHandlers.NS + "/optional/short_lived";
        java.lang.ref.WeakReference<ClassLoader> loader = callOnceInALoaderOfItsOwn(
                OptionalHandlers.class.getName() + "$ShortLived");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (loader.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(loader.get(), "the class loader was collected");

        List<String> served = InstrumentedEndpoints.endpoints();
        assertTrue(served.contains(endpoint), served.toString());
    }

    /** Defines {@code className} in a class loader of its own, calls its {@code handle(int)} once, and forgets both. */
    private static java.lang.ref.WeakReference<ClassLoader> callOnceInALoaderOfItsOwn(String className)
            throws Exception {
        ClassLoader own = new DefiningItself(className::equals, null);
        Class<?> type = Class.forName(className, true, own);
        assertSame(own, type.getClassLoader());
        assertEquals(7, type.getMethod("handle", int.class).invoke(type.getConstructor().newInstance(), 7));
        return new java.lang.ref.WeakReference<ClassLoader>(own);
    }

    /**
     * Defines the classes {@code ownNames} accepts itself, from the test's class files, and refuses
     * {@code missing} as if it were not on its class path; asks the test's loader for the rest.
     */
    private static final class DefiningItself extends ClassLoader {
        private final java.util.function.Predicate<String> ownNames;
        private final String missing;

        DefiningItself(java.util.function.Predicate<String> ownNames, String missing) {
            super(EndpointInstrumentationTest.class.getClassLoader());
            this.ownNames = ownNames;
            this.missing = missing;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.equals(missing)) {
                throw new ClassNotFoundException(name + " is not on this class path");
            }
            if (!ownNames.test(name)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded != null) {
                    return loaded;
                }
                byte[] classFile = classFileOf(name);
                return defineClass(name, classFile, 0, classFile.length);
            }
        }
    }

    private static byte[] classFileOf(String name) {
        try (java.io.InputStream in = EndpointInstrumentationTest.class.getResourceAsStream(
                "/" + name.replace('.', '/') + ".class")) {
            return in.readAllBytes();
        } catch (java.io.IOException unreadable) {
            throw new java.io.UncheckedIOException(unreadable);
        }
    }

    @Test
    void staticMethodCountsEachCallAndObservesItsDuration() {
        long requestsBefore = requests("shapes", "static_method").get();
        long observedBefore = duration("shapes", "static_method").getCount();

        assertEquals(6, Handlers.twice(3));
        assertEquals(8, Handlers.twice(4));

        assertEquals(requestsBefore + 2, requests("shapes", "static_method").get());
        assertEquals(0, inflight("shapes", "static_method").get());
        Histogram duration = duration("shapes", "static_method");
        assertEquals(observedBefore + 2, duration.getCount());
        assertTrue(duration.getSum() > 0, "sum of durations " + duration.getSum());
    }

    @Test
    void instancePrivateAndVoidMethodsAreMeasured() {
        Handlers handlers = new Handlers();
        assertEquals("hello dynamo", handlers.greet("dynamo"));
        assertEquals(49L, handlers.callPrivate(7));
        Handlers.doNothing();

        assertEquals(1, requests("shapes", "instance_method").get());
        assertEquals(1, requests("shapes", "private_method").get());
        assertEquals(1, requests("shapes", "void_method").get());
    }

    @Test
    void recursiveMethodCountsEveryCall() {
        assertEquals(4, Handlers.countdown(4));

        assertEquals(5, requests("shapes", "recursive").get());
        assertEquals(0, inflight("shapes", "recursive").get());
        assertEquals(5, duration("shapes", "recursive").getCount());
    }

    @Test
    void thrownExceptionIsCountedByTypeAndRethrownAsTheSameObject() {
        IllegalStateException thrown = new IllegalStateException("boom");
        StackTraceElement[] trace = thrown.getStackTrace();

        IllegalStateException caught = assertThrows(IllegalStateException.class, () -> Handlers.fail(thrown));

        assertSame(thrown, caught);
        assertArrayEquals(trace, caught.getStackTrace());
        assertEquals(1, errors("errors", "throwing", "IllegalStateException").get());
        assertEquals(1, requests("errors", "throwing").get());
        assertEquals(0, inflight("errors", "throwing").get());
        assertEquals(1, duration("errors", "throwing").getCount());
    }

    @Test
    void checkedExceptionIsCountedUnderItsSimpleName() {
        assertThrows(FileNotFoundException.class, Handlers::failChecked);

        assertEquals(1, errors("errors", "checked", "FileNotFoundException").get());
    }

    @Test
    void inflightIsOneWhileACallIsBlockedAndZeroAfter() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            caller.submit(() -> {
                Handlers.await(entered, release);
                return null;
            });
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            assertEquals(1, inflight("blocking", "await").get());

            release.countDown();
            caller.shutdown();
            assertTrue(caller.awaitTermination(10, TimeUnit.SECONDS));
            assertEquals(0, inflight("blocking", "await").get());
            assertEquals(1, duration("blocking", "await").getCount());
        } finally {
            release.countDown();
            caller.shutdownNow();
        }
    }

    @Test
    void countsAreExactUnderConcurrency() throws Exception {
        int threads = 2;
        int callsPerThread = 50_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int t = 0; t < threads; t++) {
                pool.submit(() -> {
                    for (int i = 0; i < callsPerThread; i++) {
                        Handlers.guarded(i);
                    }
                });
            }
            pool.shutdown();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
        assertEquals((long) threads * callsPerThread, requests("backend", "guarded").get());
        assertEquals((long) threads * callsPerThread, duration("backend", "guarded").getCount());
        assertEquals(0, inflight("backend", "guarded").get());
    }

    /**
     * The application fails a returned future with an exception whose {@code toString()} throws. Before, on JDK 17,
     * the agent's {@code whenComplete} wrapped it in a {@code CompletionException}, whose constructor called it, and
     * the application's own {@code completeExceptionally} threw (a re-tester: 100 of 100 calls).
     */
    @Test
    void aFutureFailedWithAnExceptionThatCannotBePrintedCompletesWithoutThrowingAndCountsItsError() {
        CompletableFuture<String> future = new CompletableFuture<>();
        Handlers.unprintable(future);

        assertTrue(future.completeExceptionally(new UnprintableFailure()));

        assertEquals(1, errors("async", "unprintable", "UnprintableFailure").get());
        assertEquals(0, inflight("async", "unprintable").get());
    }

    /** An application's exception whose {@code toString()} throws. */
    static final class UnprintableFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @Override
        public String toString() {
            throw new UnsupportedOperationException("no toString");
        }
    }

    @Test
    void asyncCallIsMeasuredUntilItsFutureCompletes() throws Exception {
        CompletableFuture<String> future = new CompletableFuture<>();
        CompletableFuture<String> returned = Handlers.pending(future);
        assertSame(future, returned);
        assertEquals(1, inflight("async", "pending").get());
        assertEquals(0, duration("async", "pending").getCount());

        Thread.sleep(120);
        future.complete("done");

        assertEquals(0, inflight("async", "pending").get());
        Histogram duration = duration("async", "pending");
        assertEquals(1, duration.getCount());
        assertTrue(duration.getSum() >= 0.1, "duration covers the completion: " + duration.getSum());
        assertEquals("done", returned.get());
    }

    @Test
    void aReturnTypeOfTheApplicationThatExtendsCompletableFutureIsMeasuredUntilItCompletes() {
        Handlers.OwnFuture future = new Handlers.OwnFuture();
        assertSame(future, Handlers.ownFuture(future));
        assertEquals(1, inflight("async", "own_future").get());
        assertEquals(0, duration("async", "own_future").getCount());

        future.complete("done");

        assertEquals(0, inflight("async", "own_future").get());
        assertEquals(1, duration("async", "own_future").getCount());
    }

    @Test
    void asyncFailureCountsTheUnwrappedCauseAsAnError() {
        CompletableFuture<String> future = new CompletableFuture<>();
        CompletableFuture<String> result = Handlers.stage(future).toCompletableFuture();

        future.completeExceptionally(new UnsupportedOperationException("no"));

        CompletionException failure = assertThrows(CompletionException.class, result::join);
        assertTrue(failure.getCause() instanceof UnsupportedOperationException);
        assertEquals(1, errors("async", "stage", "UnsupportedOperationException").get());
        assertEquals(0, errors("async", "stage", "CompletionException").get());
        assertEquals(0, inflight("async", "stage").get());
    }

    @Test
    void cancelledFutureCountsACancellationAndNoError() {
        CompletableFuture<String> future = Handlers.cancellable(new CompletableFuture<>());
        assertEquals(1, inflight("async", "cancellable").get());

        future.cancel(true);

        assertEquals(1, cancellations("async", "cancellable").get());
        assertEquals(0, errors("async", "cancellable", "CancellationException").get());
        assertThrows(CancellationException.class, future::join);
        assertEquals(0, inflight("async", "cancellable").get());
        assertEquals(1, duration("async", "cancellable").getCount());
    }

    @Test
    void alreadyCompletedFuturesAreRecordedAtReturn() {
        assertEquals("x", Handlers.alreadyDone("x").join());
        assertEquals(1, requests("async", "done").get());
        assertEquals(1, duration("async", "done").getCount());
        assertEquals(0, inflight("async", "done").get());

        Handlers.alreadyFailed(new IllegalArgumentException("bad"));
        assertEquals(1, errors("async", "done_failed", "IllegalArgumentException").get());
        assertEquals(0, inflight("async", "done_failed").get());
    }

    @Test
    void completedAndMinimalStagesEndTheCall() {
        Handlers.completedStage("x");
        Handlers.failedStage(new IllegalStateException("failed"));
        CompletableFuture<String> future = new CompletableFuture<>();
        Handlers.minimalStage(future);
        assertEquals(1, inflight("async", "minimal_stage").get());
        future.complete("late");

        for (String endpoint : new String[] {"completed_stage", "failed_stage", "minimal_stage"}) {
            assertEquals(1, requests("async", endpoint).get(), endpoint);
            assertEquals(0, inflight("async", endpoint).get(), endpoint);
            assertEquals(1, duration("async", endpoint).getCount(), endpoint);
        }
        assertEquals(1, errors("async", "failed_stage", "IllegalStateException").get());
    }

    @Test
    void aStageThatCallsItsCompletionActionTwiceEndsItsCallOnce() {
        Handlers.twiceCallingStage();

        assertEquals(1, requests("async", "twice_calling_stage").get());
        assertEquals(1, duration("async", "twice_calling_stage").getCount());
        assertEquals(0, inflight("async", "twice_calling_stage").get());
    }

    /** Before, unwrapping the CompletionExceptions followed a loop of causes for ever, on the completing thread. */
    @Test
    void aStageFailedWithALoopOfCausesEndsItsCallAndFreesTheCompletingThread() {
        Handlers.LoopingCompletion outer = new Handlers.LoopingCompletion("outer");
        Handlers.LoopingCompletion inner = new Handlers.LoopingCompletion("inner");
        outer.initCause(inner);
        inner.initCause(outer);
        CompletableFuture<String> later = new CompletableFuture<>();
        CompletableFuture<String> failedAlready = new CompletableFuture<>();
        failedAlready.completeExceptionally(outer);

        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            Handlers.failingCauses(later);
            later.completeExceptionally(outer);
            Handlers.failingCauses(failedAlready);
        });

        assertEquals(2, errors("async", "failing_causes", "LoopingCompletion").get());
        assertEquals(0, inflight("async", "failing_causes").get());
    }

    @Test
    void aCompletionExceptionWhoseGetCauseThrowsCountsAsItsOwnType() {
        CompletableFuture<String> future = new CompletableFuture<>();
        Handlers.failingCauses(future);

        future.completeExceptionally(new Handlers.BrokenCauseCompletion());

        assertEquals(1, errors("async", "failing_causes", "BrokenCauseCompletion").get());
        assertEquals(0, inflight("async", "failing_causes").get());
    }

    /**
     * A stage whose handle throws: the call ends at the return, with its duration, and a stage
     * failed already counts its error. Before, it was left to the next collection, which counted a
     * success of 0 s.
     */
    @Test
    void aStageThatRefusesACompletionCallbackIsTimedToTheReturn() throws Exception {
        Handlers.RefusingStage failed = new Handlers.RefusingStage();
        failed.completeExceptionally(new IllegalStateException("failed before the return"));

        Handlers.refusingStage(new Handlers.RefusingStage(), 30);
        Handlers.refusingStage(failed, 30);

        assertEquals(2, requests("async", "refusing_stage").get());
        assertEquals(2, duration("async", "refusing_stage").getCount());
        assertTrue(duration("async", "refusing_stage").getSum() >= 0.06, "timed to the return: "
                + duration("async", "refusing_stage").getSum());
        assertEquals(1, errors("async", "refusing_stage", "IllegalStateException").get());
        assertEquals(0, inflight("async", "refusing_stage").get());
    }

    @Test
    void errorTypesAreCappedPerEndpoint() throws Exception {
        int distinct = WovenCallsSeams.MAX_ERROR_TYPES + 5;
        for (int i = 0; i < distinct; i++) {
            Class<? extends RuntimeException> type = new net.bytebuddy.ByteBuddy().subclass(RuntimeException.class)
                    .name("com.example.generated.Failure" + i).make()
                    .load(getClass().getClassLoader(), net.bytebuddy.dynamic.loading.ClassLoadingStrategy.Default.WRAPPER)
                    .getLoaded();
            RuntimeException failure = type.getDeclaredConstructor().newInstance();
            assertThrows(type, () -> Handlers.failWith(failure));
        }

        assertEquals(1, errors("errors", "many_types", "Failure0").get());
        assertEquals(1, errors("errors", "many_types", "Failure" + (WovenCallsSeams.MAX_ERROR_TYPES - 1)).get());
        assertEquals(5, errors("errors", "many_types", WovenCallsSeams.OTHER_ERROR_TYPE).get());
        assertEquals(0, errors("errors", "many_types", "Failure" + WovenCallsSeams.MAX_ERROR_TYPES).get());
        assertTrue(DistributedRuntime.get().metrics().prometheusExpfmt().contains(
                "dynamo_metrics_folded_label_sets_total{family=\"dynamo_component_errors\",}"),
                "the folds are counted where the series guard counts its own");
    }

    /** A hidden class's name ends in {@code /0x...}, new for each class defined: not part of its error type. */
    @Test
    void aHiddenExceptionClassCountsUnderItsNameWithoutItsAddress() throws Throwable {
        byte[] bytes = new net.bytebuddy.ByteBuddy().subclass(RuntimeException.class)
                .name(getClass().getPackage().getName() + ".HiddenFailure").make().getBytes();
        for (int i = 0; i < 3; i++) {
            Class<?> hidden = java.lang.invoke.MethodHandles.lookup().defineHiddenClass(bytes, true).lookupClass();
            RuntimeException failure = (RuntimeException) hidden.getDeclaredConstructor().newInstance();
            assertThrows(RuntimeException.class, () -> Handlers.failHidden(failure));
        }

        assertEquals(3, errors("errors", "hidden_type", "HiddenFailure").get());
    }

    /**
     * One exception class loaded by many class loaders (a redeployed application's) is one error
     * type: it takes one of the endpoint's places, not one per loader.
     */
    @Test
    void anExceptionClassOfManyClassLoadersIsOneErrorType() throws Exception {
        int loaders = WovenCallsSeams.MAX_ERROR_TYPES + 20;
        for (int i = 0; i < loaders; i++) {
            Class<? extends RuntimeException> type = new net.bytebuddy.ByteBuddy().subclass(RuntimeException.class)
                    .name("com.example.generated.Redeployed").make()
                    .load(new ClassLoader(getClass().getClassLoader()) { },
                            net.bytebuddy.dynamic.loading.ClassLoadingStrategy.Default.INJECTION)
                    .getLoaded();
            RuntimeException failure = type.getDeclaredConstructor().newInstance();
            assertThrows(type, () -> Handlers.failOften(failure));
        }

        assertEquals(loaders, errors("errors", "one_type", "Redeployed").get());
        assertEquals(0, errors("errors", "one_type", WovenCallsSeams.OTHER_ERROR_TYPE).get());
    }

    @Test
    void nullFutureEndsTheCallAtReturn() {
        assertNull(Handlers.nullFuture());
        assertEquals(1, requests("async", "null_future").get());
        assertEquals(0, inflight("async", "null_future").get());
    }

    @Test
    void annotationDefaultsAreTheConfiguredNamespaceTheClassAndTheMethod() {
        assertEquals(6, new DefaultNames().generate(5));

        MetricsRegistry metrics = DistributedRuntime.get().namespace(DEFAULT_NAMESPACE).component("DefaultNames")
                .endpoint("generate").metrics();
        assertEquals(1, metrics.createIntCounter(WorkHandler.REQUESTS_TOTAL, WorkHandler.REQUESTS_TOTAL_HELP,
                Collections.emptyMap()).get());
    }

    @Test
    void annotationValuesAreSanitizedAsLabelValues() {
        Handlers.sanitized();

        List<String> endpoints = InstrumentedEndpoints.endpoints();
        assertTrue(endpoints.contains(NS + "/my_component/with_dots"), "endpoints: " + endpoints);
    }

    @Test
    void abstractMethodIsSkippedWithAWarningAndDefaultMethodIsMeasured() {
        AbstractHandler handler = x -> x + 1;
        assertEquals(3, handler.handleTwice(1));

        assertEquals(1, requests("abstract", "default_method").get());
        assertFalse(InstrumentedEndpoints.endpoints().stream().anyMatch(e -> e.endsWith("/abstract_method")));
        String log = new String(AGENT_LOG.toByteArray(), StandardCharsets.UTF_8);
        assertTrue(log.contains("@DynamoEndpoint on com.example.endpoints.AbstractHandler.handle(I)I counts no call: an"
                + " abstract method has no code to measure, and annotations on methods are not inherited. The"
                + " calls are counted where the implementing method carries @DynamoEndpoint too"), "agent log: " + log);
    }

    @Test
    void classLoadedBeforeTheAgentIsInstrumentedByRetransformation() {
        assertEquals(41, PreloadedHandler.handle(42));
        assertEquals(1, requests("preloaded", "handle").get());
    }

    @Test
    void retransformingAgainDoesNotDoubleTheRecording() throws Exception {
        instrumentation.retransformClasses(Handlers.class);
        long before = requests("shapes", "static_method").get();

        Handlers.twice(1);

        assertEquals(before + 1, requests("shapes", "static_method").get());
    }

    @Test
    void failingMetricsBackendNeverReachesTheMethod() {
        int id = WovenCalls.reserve(NS, "backend", "guarded");
        long failuresBefore = WovenCallsSeams.failures();
        ThrowingMetrics.install(id);
        try {
            assertEquals(11, Handlers.guarded(10));
            IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> Handlers.guarded(-1));
            assertEquals("negative", thrown.getMessage());
            assertTrue(WovenCallsSeams.failures() > failuresBefore, "failures are counted");
        } finally {
            WovenCallsSeams.restore(id, (
                    DistributedRuntime.get().namespace(NS).component("backend").endpoint("guarded")));
        }
    }

    private static MetricsRegistry metrics(String component, String endpoint) {
        return DistributedRuntime.get().namespace(NS).component(component).endpoint(endpoint).metrics();
    }

    private static IntCounter requests(String component, String endpoint) {
        return metrics(component, endpoint).createIntCounter(WorkHandler.REQUESTS_TOTAL,
                WorkHandler.REQUESTS_TOTAL_HELP, Collections.emptyMap());
    }

    private static IntGauge inflight(String component, String endpoint) {
        return metrics(component, endpoint).createIntGauge(WorkHandler.INFLIGHT_REQUESTS,
                WorkHandler.INFLIGHT_REQUESTS_HELP, Collections.emptyMap());
    }

    private static Histogram duration(String component, String endpoint) {
        return metrics(component, endpoint).createHistogram(WorkHandler.REQUEST_DURATION_SECONDS,
                WorkHandler.REQUEST_DURATION_SECONDS_HELP, Collections.emptyMap(), WovenCallsSeams.DURATION_BUCKETS);
    }

    private static IntCounter errors(String component, String endpoint, String errorType) {
        IntCounterVec errors = metrics(component, endpoint).createIntCounterVec(WorkHandler.ERRORS_TOTAL,
                WorkHandler.ERRORS_TOTAL_HELP, Collections.singletonList(WorkHandler.ERROR_TYPE_LABEL),
                Collections.emptyMap());
        return errors.withLabelValues(errorType);
    }

    private static IntCounter cancellations(String component, String endpoint) {
        return metrics(component, endpoint).createIntCounter(WorkHandler.CANCELLATION_TOTAL,
                WorkHandler.CANCELLATION_TOTAL_HELP, Collections.emptyMap());
    }
}
