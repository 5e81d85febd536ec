package dev.dynamo.runtime.internal.instrumentation;

import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.metrics.IntCounterVec;
import dev.dynamo.runtime.metrics.MetricsRegistry;
import dev.dynamo.runtime.metrics.PrometheusNames.WorkHandler;
import org.junit.jupiter.api.Test;

import java.util.Collections;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the handler styles record that needs no framework on the class path. */
class HandlerStyleRecordingTest {
    private static IntCounterVec errors(String endpoint) {
        MetricsRegistry metrics = DistributedRuntime.get().namespace("style_recording_test").component("c")
                .endpoint(endpoint).metrics();
        return metrics.createIntCounterVec(WorkHandler.ERRORS_TOTAL, WorkHandler.ERRORS_TOTAL_HELP,
                Collections.singletonList(WorkHandler.ERROR_TYPE_LABEL), Collections.emptyMap());
    }

    @Test
    void namedErrorsShareTheLimitOfErrorTypesAndFoldIntoOtherBeyondIt() {
        WorkHandlerMetrics recorder = WorkHandlerMetrics.forEndpoint(DistributedRuntime.get()
                .namespace("style_recording_test").component("c").endpoint("named"));
        for (int i = 0; i < WorkHandlerMetrics.MAX_ERROR_TYPES + 5; i++) {
            recorder.exitWithError(recorder.enter(), "CODE_" + i);
        }
        recorder.exitWithError(recorder.enter(), "CODE_0");

        IntCounterVec errors = errors("named");
        assertEquals(2, errors.withLabelValues("CODE_0").get());
        assertEquals(1, errors.withLabelValues("CODE_" + (WorkHandlerMetrics.MAX_ERROR_TYPES - 1)).get());
        assertEquals(5, errors.withLabelValues(WorkHandlerMetrics.OTHER_ERROR_TYPE).get());
    }
}
