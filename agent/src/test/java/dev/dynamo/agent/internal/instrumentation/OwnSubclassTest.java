package dev.dynamo.agent.internal.instrumentation;

import com.example.endpoints.ConstantMono;
import com.example.endpoints.KotlinMonoHandlers;
import com.example.endpoints.OwnSubclassHandlers;
import com.example.endpoints.OwnSubclassHandlers.TracingInterceptor;
import com.example.endpoints.OwnSubclassHandlers.TracingMono;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.example.Tagged;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.samples.petclinic.OwnerMono;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;

import reactor.core.publisher.GroupedFlux;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which values of classes other than the library's are returned as they are (the application's own
 * subclasses, which a caller casts back to) and which are measured to their end (the wrappers of hooks,
 * interceptors and third-party operators, which no caller casts to). Each case failed before, as a
 * re-tester found: a {@code ClassCastException} in the application, or calls timed to their return
 * with their failures uncounted.
 */
class OwnSubclassTest {
    private static final long SLOW_MILLIS = 150;

    private static EndpointTransformer transformer;
    private static OwnSubclassHandlers handlers;

    @BeforeAll
    static void installAgent() {
        transformer = EndpointMetrics.install();
        handlers = new OwnSubclassHandlers();
    }

    @AfterAll
    static void removeAgent() {
        EndpointMetrics.uninstall(transformer);
    }

    private static EndpointMetrics metrics(String component, String endpoint) {
        return new EndpointMetrics(OwnSubclassHandlers.NS, component, endpoint);
    }

    /**
     * Applications live in {@code org.springframework.samples.petclinic} and {@code io.vertx.example}:
     * their classes are not Spring's or Vert.x's. One that adds only an interface of the application's
     * is castable to that interface. Before, both were taken for library classes and rebuilt.
     */
    @Test
    void theApplicationsOwnClassesInPackagesUnderSpringAndVertxKeepTheirClass() {
        EndpointMetrics owner = metrics("spring_sample", "owner");
        EndpointMetrics tagged = metrics("vertx_example", "tagged");

        assertEquals("george", ((OwnerMono) handlers.owner()).owner());
        assertEquals("example", ((Tagged) handlers.tagged()).tag());
        assertEquals("tagged", handlers.tagged().blockingGet());

        assertEquals(1, owner.requests(), "timed to the return");
        assertEquals(2, tagged.requests());
        assertEquals(0, owner.inflight() + tagged.inflight());
    }

    /**
     * An RxJava assembly hook does not make the application's own Single a library's: it keeps its
     * class, whether the hook leaves values alone or wraps them. Before, any hook set had it rebuilt.
     */
    @Test
    void theApplicationsOwnSingleKeepsItsClassWhileAnAssemblyHookIsSet() {
        EndpointMetrics report = metrics("rxjava", "report");
        try {
            RxJavaPlugins.setOnSingleAssembly(single -> single);
            assertEquals("report", ((OwnSubclassHandlers.ReportSingle) handlers.report()).report());
            RxJavaPlugins.setOnSingleAssembly(single -> new OwnSubclassHandlers.ReportSingle());
            assertEquals("report", ((OwnSubclassHandlers.ReportSingle) handlers.report()).report());
        } finally {
            RxJavaPlugins.setOnSingleAssembly(null);
        }
        assertEquals(2, report.requests());
        assertEquals(0, report.inflight());
    }

    /**
     * A Reactor {@code Hooks.onEachOperator} wrapper, a class of the application's that only overrides
     * {@code subscribe}, is measured to its end: counted at its subscription, its failure an error.
     * Before, it was taken for the application's own: timed to the return, counted unsubscribed, no error.
     */
    @Test
    void aMonoWrappedByAReactorOperatorHookIsMeasuredToItsEnd() throws InterruptedException {
        EndpointMetrics metrics = metrics("reactor", "slow_failure");
        Hooks.onEachOperator("tracing", TracingMono::around);
        try {
            Mono<String> unsubscribed = handlers.slowFailingMono(SLOW_MILLIS);
            assertInstanceOf(TracingMono.class, unsubscribed, "the hook's wrapper, as the caller gets it");
            assertEquals(0, metrics.requests(), "a value never subscribed is no request");

            assertThrows(RuntimeException.class, () -> handlers.slowFailingMono(SLOW_MILLIS).block());
        } finally {
            Hooks.resetOnEachOperator("tracing");
        }
        assertMeasuredToItsFailure(metrics);
    }

    /** Mutiny interceptors' wrappers of every Uni and Multi likewise. */
    @Test
    void aUniAndAMultiWrappedByAMutinyInterceptorAreMeasuredToTheirEnd() throws InterruptedException {
        EndpointMetrics uniMetrics = metrics("mutiny", "slow_failure");
        EndpointMetrics multiMetrics = metrics("mutiny", "slow_failure_stream");
        TracingInterceptor.on = true;
        try {
            Uni<String> uni = handlers.slowFailingUni(SLOW_MILLIS);
            assertInstanceOf(OwnSubclassHandlers.TracingUni.class, uni, "the interceptor's wrapper");
            Multi<String> multi = handlers.slowFailingMulti(SLOW_MILLIS);
            assertInstanceOf(OwnSubclassHandlers.TracingMulti.class, multi, "the interceptor's wrapper");
            assertEquals(0, uniMetrics.requests() + multiMetrics.requests(), "values never subscribed are no requests");

            assertThrows(RuntimeException.class, () -> uni.await().atMost(Duration.ofSeconds(10)));
            assertThrows(RuntimeException.class, () -> multi.collect().asList().await().atMost(Duration.ofSeconds(10)));
        } finally {
            TracingInterceptor.on = false;
        }
        assertMeasuredToItsFailure(uniMetrics);
        assertMeasuredToItsFailure(multiMetrics);
    }

    /** resilience4j's circuit breaker operators, subclasses of Mono and Single, are measured to their end. */
    @Test
    void valuesOfResilience4jsOperatorsAreMeasuredToTheirEnd() throws InterruptedException {
        EndpointMetrics mono = metrics("resilience4j", "mono");
        EndpointMetrics single = metrics("resilience4j", "single");
        CircuitBreaker breaker = CircuitBreaker.ofDefaults("backend");

        Class<?> operator = Mono.never().transform(
                io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator.of(breaker)).getClass();
        assertEquals("io.github.resilience4j.reactor.circuitbreaker.operator.MonoCircuitBreaker", operator.getName(),
                "what the handler builds");

        Mono<String> guardedMono = handlers.guardedMono(breaker, SLOW_MILLIS);
        Single<String> guardedSingle = handlers.guardedSingle(breaker, SLOW_MILLIS);
        assertEquals(0, mono.requests() + single.requests(), "values never subscribed are no requests");

        assertThrows(RuntimeException.class, guardedMono::block);
        assertThrows(RuntimeException.class, guardedSingle::blockingGet);
        assertMeasuredToItsFailure(mono);
        assertMeasuredToItsFailure(single);
    }

    /**
     * A wrapper written in Groovy has Groovy's own interface ({@code GroovyObject}) and its methods, which
     * are not the application's: it is measured to its end too.
     */
    @Test
    void aWrapperWrittenInGroovyIsMeasuredToItsEnd() throws Exception {
        EndpointMetrics metrics = metrics("groovy", "wrapped");
        // Groovy's classes are compiled by its own plugin; they are reached as a Groovy caller would, by name.
        Object values = Class.forName("com.example.endpoints.GroovyWrappedValues").getConstructor().newInstance();

        Single<?> single = (Single<?>) values.getClass().getMethod("wrapped", long.class).invoke(values, SLOW_MILLIS);
        assertEquals(0, metrics.requests(), "counted at its subscription");
        assertThrows(RuntimeException.class, single::blockingGet);
        assertMeasuredToItsFailure(metrics);
    }

    /**
     * A class that adds only a public field, only a JDK interface, or only a narrower return type, or
     * that overrides a method of the library type other than its subscribe, is used as what it is by its
     * caller: returned as it is. Before, each was rebuilt: three casts threw ClassCastException, and
     * {@code block()} ran Reactor's instead of the application's (a re-tester).
     */
    @Test
    void aClassWithAnyMemberOfItsOwnIsReturnedAsItIs() {
        assertEquals("field", ((OwnSubclassHandlers.FieldMono) handlers.withPublicField()).tag);
        assertEquals("supplied", ((Supplier<?>) handlers.withJdkInterface()).get());
        OwnSubclassHandlers.LoggedUni logged = (OwnSubclassHandlers.LoggedUni) handlers.withNarrowerReturn();
        assertEquals(logged, logged.log());
        assertEquals("cached", handlers.withOverriddenBlock().block(), "the application's block(), not Reactor's");
        List<String> calledBack = new ArrayList<>();
        ((OwnSubclassHandlers.CallbackMono) handlers.withSubscribeOverload()).subscribe(calledBack::add, "> ");
        assertEquals(List.of("> called back"), calledBack, "a subscribe of its own is a member of its own");

        for (String endpoint : List.of("public_field", "jdk_interface", "narrower_return", "overridden_block",
                "subscribe_overload")) {
            assertEquals(1, metrics("members", endpoint).requests(), endpoint + ": timed to the return");
        }
    }

    /**
     * A named class that adds nothing and wraps no other value is still one its caller may test for or
     * compare with: a Kotlin {@code object}, the cases of a sealed class. Before, each was rebuilt: the
     * {@code ==} and the {@code when} over the cases failed (a re-tester's Kotlin application).
     */
    @Test
    void kotlinObjectsAndSealedCasesKeepTheirIdentity() {
        KotlinMonoHandlers kotlin = new KotlinMonoHandlers();

        assertSame(ConstantMono.INSTANCE, kotlin.constant());
        assertEquals("found", kotlin.describe(kotlin.reply(true)));
        assertEquals("not found", kotlin.describe(kotlin.reply(false)));
        assertEquals("found", kotlin.reply(true).block());

        assertEquals(1, metrics("kotlin", "constant").requests(), "timed to the return");
        assertEquals(3, metrics("kotlin", "reply").requests());
    }

    /** A group of a groupBy is returned as it is, so that its caller can cast it to reach its key. */
    @Test
    void aGroupOfAGroupByKeepsItsKey() {
        @SuppressWarnings("unchecked")
        GroupedFlux<Integer, Integer> group = (GroupedFlux<Integer, Integer>) handlers.group();

        assertEquals(1, group.key());
        assertEquals(List.of(1, 3), group.collectList().block());
        assertEquals(1, metrics("reactor", "group").requests());
    }

    /**
     * A wrapper whose private helper names a class missing at run time is still measured to its end:
     * only its public members are read then. Before, the failure to read its methods had it taken for
     * the application's own, timed to the return with its failure uncounted (a re-tester).
     */
    @Test
    void aWrapperWithAPrivateMemberOfAMissingTypeIsMeasuredToItsEnd() throws Exception {
        assertWrapperOfAMissingTypeIsMeasuredToItsEnd(OwnSubclassHandlers.MissingTypeWrapper.class,
                metrics("rxjava", "missing_type_wrapper"), handlers::missingTypeWrapper);
    }

    /** Likewise where the missing type is a private field's, so that no field of the class can be read. */
    @Test
    void aWrapperWithAPrivateFieldOfAMissingTypeIsMeasuredToItsEnd() throws Exception {
        assertWrapperOfAMissingTypeIsMeasuredToItsEnd(OwnSubclassHandlers.MissingFieldWrapper.class,
                metrics("rxjava", "missing_field_wrapper"), handlers::missingFieldWrapper);
    }

    private static void assertWrapperOfAMissingTypeIsMeasuredToItsEnd(Class<?> wrapperClass, EndpointMetrics metrics,
            Function<Supplier<Single<String>>, Single<String>> handler) throws Exception {
        Class<?> wrapperType = new MissingClassLoader(OwnSubclassTest.class.getClassLoader(),
                wrapperClass.getName(), OwnSubclassHandlers.Missing.class.getName()).loadClass(wrapperClass.getName());
        assertThrows(NoClassDefFoundError.class, () -> {
            wrapperType.getDeclaredMethods();
            wrapperType.getDeclaredFields();
        }, "the missing type is missing");
        Single<String> failing = Single.timer(SLOW_MILLIS, TimeUnit.MILLISECONDS)
                .flatMap(tick -> Single.error(new IOException("backend down")));

        Single<String> wrapped = handler.apply(() -> newWrapper(wrapperType, failing));
        assertEquals(0, metrics.requests(), "counted at its subscription");
        assertThrows(RuntimeException.class, wrapped::blockingGet);
        assertMeasuredToItsFailure(metrics);
    }

    @SuppressWarnings("unchecked")
    private static Single<String> newWrapper(Class<?> wrapperType, Single<String> source) {
        try {
            return (Single<String>) wrapperType.getConstructor(Single.class).newInstance(source);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Defines one class itself, from its parent's class file, and finds no class of another name. */
    private static final class MissingClassLoader extends ClassLoader {
        private final String defined;
        private final String missing;

        MissingClassLoader(ClassLoader parent, String defined, String missing) {
            super(parent);
            this.defined = defined;
            this.missing = missing;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.equals(missing)) {
                throw new ClassNotFoundException(name);
            }
            if (!name.equals(defined)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded != null) {
                    return loaded;
                }
                try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                    byte[] bytes = in.readAllBytes();
                    return defineClass(name, bytes, 0, bytes.length);
                } catch (IOException unreadable) {
                    throw new ClassNotFoundException(name, unreadable);
                }
            }
        }
    }

    private static void assertMeasuredToItsFailure(EndpointMetrics metrics) throws InterruptedException {
        for (int i = 0; i < 1000 && metrics.inflight() != 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(0, metrics.inflight());
        assertEquals(1, metrics.requests());
        assertEquals(1, metrics.errors("IOException"), "its failure is an error");
        assertTrue(metrics.durationSum() >= SLOW_MILLIS / 1000.0, "timed to its failure: " + metrics.durationSum());
    }
}
