package dev.dynamo.runtime.internal.instrumentation;

import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.metrics.IntCounter;
import dev.dynamo.runtime.metrics.IntCounterVec;
import dev.dynamo.runtime.metrics.MetricsRegistry;
import dev.dynamo.runtime.metrics.PrometheusNames.WorkHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The {@code error_type} an exception's class is counted under. */
class ErrorTypeTest {
    @TempDir
    Path work;

    @Test
    void isTheSimpleNameOfNestedLocalAndTopLevelClassesAndOuterDollarNForAnonymousOnes() {
        class LocalFailure extends RuntimeException {
            private static final long serialVersionUID = 1L;
        }
        assertEquals("IllegalStateException", WorkHandlerMetrics.errorType(IllegalStateException.class));
        assertEquals("Entry", WorkHandlerMetrics.errorType(java.util.Map.Entry.class));
        assertEquals("LocalFailure", WorkHandlerMetrics.errorType(LocalFailure.class));
        assertEquals("ErrorTypeTest$1", WorkHandlerMetrics.errorType(new RuntimeException() {
            private static final long serialVersionUID = 1L;
        }.getClass()));
    }

    @Test
    void theBinaryNameGivesTheSameSimpleNames() {
        assertEquals("Boom", WorkHandlerMetrics.simpleNameInBinaryName("a.b.Outer$Boom"));
        assertEquals("Local", WorkHandlerMetrics.simpleNameInBinaryName("a.b.Outer$1Local"));
        assertEquals("", WorkHandlerMetrics.simpleNameInBinaryName("a.b.Outer$1"));
        assertEquals("Top1", WorkHandlerMetrics.simpleNameInBinaryName("a.b.Top1"));
        assertEquals("Top", WorkHandlerMetrics.simpleNameInBinaryName("Top"));
    }

    /**
     * A nested exception class from one version of a jar beside its outer class from another (or stripped of its
     * {@code InnerClasses} by a shrinker): {@code getSimpleName()} throws {@code IncompatibleClassChangeError}.
     * Before, every error of that class went uncounted and nothing was logged (a re-tester).
     */
    @Test
    void anExceptionWhoseClassContradictsItsOuterClassIsCountedByTheNameInItsBinaryName() throws Exception {
        Path withNested = compile("v1", "public class Outer { public static class Boom extends RuntimeException {} }");
        Path without = compile("v2", "public class Outer { }");
        Path mixed = Files.createDirectories(work.resolve("mixed"));
        Files.copy(withNested.resolve("Outer$Boom.class"), mixed.resolve("Outer$Boom.class"));
        Files.copy(without.resolve("Outer.class"), mixed.resolve("Outer.class"));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {mixed.toUri().toURL()}, null)) {
            Class<?> boom = loader.loadClass("Outer$Boom");
            assertThrows(IncompatibleClassChangeError.class, boom::getSimpleName, "the case the JVM refuses");

            WorkHandlerMetrics recorder = WorkHandlerMetrics.forEndpoint(DistributedRuntime.get()
                    .namespace("error_type_test").component("c").endpoint("contradicted"));
            for (int i = 0; i < 3; i++) {
                recorder.exit(recorder.enter(), (Throwable) boom.getConstructor().newInstance());
            }

            IntCounterVec errors = DistributedRuntime.get().namespace("error_type_test").component("c")
                    .endpoint("contradicted").metrics().createIntCounterVec(WorkHandler.ERRORS_TOTAL,
                            WorkHandler.ERRORS_TOTAL_HELP, Collections.singletonList(WorkHandler.ERROR_TYPE_LABEL),
                            Collections.emptyMap());
            assertEquals(3, errors.withLabelValues("Boom").get());
        }
    }

    /**
     * An error whose counter cannot be had on the application's thread, nor when the scrape settles it, is counted
     * under {@code other}: before, the settle's second failure dropped it, and stopped settling the endpoints after.
     */
    @Test
    void anErrorWhoseCounterCannotBeHadIsSettledUnderOther() {
        MetricsRegistry metrics = DistributedRuntime.get().namespace("error_type_test").component("c")
                .endpoint("unnamed").metrics();
        IntCounterVec errors = metrics.createIntCounterVec(WorkHandler.ERRORS_TOTAL, WorkHandler.ERRORS_TOTAL_HELP,
                Collections.singletonList(WorkHandler.ERROR_TYPE_LABEL), Collections.emptyMap());
        IntCounterVec refusingOneName = new IntCounterVec() {
            @Override
            public IntCounter withLabelValues(String... labelValues) {
                if (labelValues[0].equals("IllegalStateException")) {
                    throw new IllegalArgumentException("a counter that cannot be had");
                }
                return errors.withLabelValues(labelValues);
            }

            @Override
            public boolean remove(String... labelValues) {
                return errors.remove(labelValues);
            }

            @Override
            public List<String> getLabelNames() {
                return errors.getLabelNames();
            }
        };
        Map<String, String> none = Collections.emptyMap();
        WorkHandlerMetrics recorder = new WorkHandlerMetrics(metrics.createIntCounter("unnamed_requests", "r", none),
                metrics.createIntGauge("unnamed_inflight", "i", none),
                metrics.createHistogram("unnamed_seconds", "d", none, WorkHandlerMetrics.DURATION_BUCKETS),
                refusingOneName, metrics.createIntCounter("unnamed_cancellations", "c", none));

        recorder.exit(recorder.enter(), new IllegalStateException());
        recorder.settle(0, 0, null);

        assertEquals(1, errors.withLabelValues(WorkHandlerMetrics.OTHER_ERROR_TYPE).get());
    }

    private Path compile(String version, String source) throws IOException {
        Path dir = Files.createDirectories(work.resolve(version));
        Path file = Files.write(dir.resolve("Outer.java"), source.getBytes(StandardCharsets.UTF_8));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, "-d", dir.toString(), file.toString()), "javac " + source);
        return dir;
    }
}
