package dev.dynamo.agent.internal.server;

import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.runtime.internal.bridge.HealthFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HealthStatusTest {
    private final List<String> instrumented = new ArrayList<String>();
    private Boolean runtimeReady;
    private final Map<String, Boolean> endpoints = new LinkedHashMap<String, Boolean>();
    private final Map<String, Object[]> checks = new LinkedHashMap<String, Object[]>();
    private final CountDownLatch hung = new CountDownLatch(1);

    @AfterEach
    void releaseHungChecks() {
        hung.countDown();
    }

    private HealthStatus health(boolean startingReady, String... gating) {
        return new HealthStatus(startingReady, Arrays.asList(gating),
                () -> Collections.singletonList(new Object[] {runtimeReady, endpoints, checks}), () -> instrumented);
    }

    private void check(String name, long timeoutMillis, Callable<Boolean> check) {
        checks.put(name, new Object[] {check, timeoutMillis});
    }

    @Test
    void leavesOutAHealthStateOfANewerFormatInsteadOfMisreadingIt() {
        Object[] newer = {Boolean.FALSE, "another layout", null, HealthFormat.VERSION + 1};
        HealthStatus health = new HealthStatus(true, Collections.<String>emptyList(),
                () -> Arrays.asList(newer, HealthFormat.state(null, Collections.singletonMap("generate", true),
                        Collections.<String, Object[]>emptyMap())), () -> instrumented);

        HealthStatus.Report report = health.report();

        assertEquals(200, report.httpStatus(), "the newer state's runtime=false must not be read");
        assertTrue(report.json().contains("\"endpoints\":{\"generate\":\"ready\"}"), report.json());
    }

    @Test
    void writesDynamosFieldNamesAndTypes() {
        instrumented.add("ns/comp/generate");

        String json = health(false).toJson();

        assertTrue(Pattern.matches("\\{\"status\":\"ready\",\"uptime\":\\{\"secs\":\\d+,\"nanos\":\\d+},"
                + "\"endpoints\":\\{\"generate\":\"ready\"}}", json), json);
    }

    @Test
    void aListedEndpointGatesReadinessUntilItIsServed() {
        HealthStatus health = health(false, "generate");
        instrumented.add("ns/comp/other");

        HealthStatus.Report before = health.report();
        assertEquals(503, before.httpStatus());
        assertTrue(before.json().contains("\"endpoints\":{\"generate\":\"notready\",\"other\":\"ready\"}"),
                before.json());

        instrumented.add("ns/comp/generate");
        assertEquals(200, health.report().httpStatus());
    }

    @Test
    void theApplicationMarksAListedEndpointServedOrUnhealthy() {
        HealthStatus health = health(false, "generate");

        endpoints.put("generate", true);
        assertTrue(health.isReady());
        endpoints.put("generate", false);
        instrumented.add("ns/comp/generate");
        assertFalse(health.isReady(), "the application's word wins over instrumentation");
    }

    @Test
    void listedEndpointsStartAsTheStartingStatusSays() {
        HealthStatus health = health(true, "generate");

        assertTrue(health.isReady());
        assertTrue(health.toJson().contains("\"generate\":\"ready\""), health.toJson());
    }

    @Test
    void withoutAListAnyReadyEndpointOrTheApplicationsWordMakesItReady() {
        HealthStatus health = health(false);
        assertFalse(health.isReady());

        runtimeReady = true;
        assertTrue(health.isReady(), "the application says ready");
        runtimeReady = null;
        endpoints.put("generate", true);
        assertTrue(health.isReady(), "an endpoint marked served");
        endpoints.put("generate", false);
        assertFalse(health.isReady(), "an unhealthy endpoint is not an endpoint up");
    }

    @Test
    void anApplicationThatSaysNotReadyIsNotReadyWhateverElseHolds() {
        HealthStatus health = health(true, "generate");
        instrumented.add("ns/comp/generate");
        runtimeReady = false;

        HealthStatus.Report report = health.report();

        assertEquals(503, report.httpStatus());
        assertTrue(report.json().startsWith("{\"status\":\"notready\""), report.json());
    }

    @Test
    void failingThrowingAndPassingChecksAreReportedByName() {
        HealthStatus health = health(true);
        check("db", 1000, () -> true);
        check("cache", 1000, () -> false);
        check("queue", 1000, () -> {
            throw new IllegalStateException("queue gone");
        });

        HealthStatus.Report report = health.report();

        assertEquals(503, report.httpStatus());
        assertTrue(report.json().endsWith(",\"checks\":{\"cache\":\"notready\",\"db\":\"ready\",\"queue\":\"error\"}}"),
                report.json());
        checks.remove("cache");
        checks.remove("queue");
        assertTrue(health.isReady());
    }

    /**
     * More quick checks than check threads: each waits for a thread, and all read ready. Before, a check that
     * found every thread busy with a quick one read "not_started", and /health answered 503 at random (a
     * re-tester: 3 of 30 polls with 20 checks of {@code () -> true}).
     */
    @Test
    void moreQuickChecksThanCheckThreadsAllReadReady() {
        HealthStatus health = health(true);
        for (int i = 0; i < 20; i++) {
            check("quick_" + i, 1000, () -> true);
        }

        for (int poll = 0; poll < 30; poll++) {
            HealthStatus.Report report = health.report();
            assertEquals(200, report.httpStatus(), report.json());
        }
    }

    /**
     * Hung checks that the application unregisters no longer keep the registered ones from threads, and a run that
     * waited for a thread is dropped with its check: it does not run after unregisterCheck. Before, the quick checks
     * read not_started for good, with nothing on the page to say why (a re-tester).
     */
    @Test
    void unregisteredChecksThatHungLeaveTheRegisteredOnesThreadsAndWaitingRunsAreDropped() throws Exception {
        HealthStatus health = health(true);
        for (int i = 0; i < 8; i++) {
            check("hung_" + i, 100, () -> {
                hung.await(30, TimeUnit.SECONDS);
                return true;
            });
        }
        AtomicInteger waitingRuns = new AtomicInteger();
        check("waiting", 100, () -> {
            waitingRuns.incrementAndGet();
            return true;
        });
        assertTrue(health.report().json().contains("\"waiting\":\"" + HealthStatus.NOT_STARTED + "\""));

        checks.clear();
        check("quick", 500, () -> true);
        HealthStatus.Report report = health.report();

        assertEquals(200, report.httpStatus(), report.json());
        hung.countDown();
        Thread.sleep(300);
        assertEquals(0, waitingRuns.get(), "the run that waited for a thread was dropped with its check");
    }

    @Test
    void aCheckWhoseExceptionCannotBePrintedReadsAsAnErrorAndIsNamedByItsClass() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        AgentLog.redirect(new PrintStream(log, true, "UTF-8"));
        try {
            HealthStatus health = health(true);
            check("db", 1000, () -> {
                throw new UnprintableException();
            });

            HealthStatus.Report report = health.report();

            assertEquals(503, report.httpStatus());
            assertTrue(report.json().endsWith(",\"checks\":{\"db\":\"error\"}}"), report.json());
            String logged = CapturedLog.text(log);
            assertTrue(logged.contains("health check 'db' threw " + UnprintableException.class.getName()
                    + " (its toString() threw java.lang.UnsupportedOperationException)"), logged);
        } finally {
            AgentLog.redirect(null);
        }
    }

    /**
     * A re-tester's 10,000 failing checks, each named at run time, registered, asked once and unregistered: each
     * kept about 150 B for good and got a warning of its own. Reports of an unregistered check are forgotten, at
     * most 100 are kept, and past them one line says the rest go to debug.
     */
    @Test
    void failingChecksNamedAtRunTimeKeepNothingOnceUnregisteredAndWarnAFewTimes() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        AgentLog.redirect(new PrintStream(log, true, "UTF-8"));
        try {
            HealthStatus health = health(true);
            for (int i = 0; i < 250; i++) {
                check("tenant-" + i, 1000, () -> {
                    throw new IllegalStateException("down");
                });
                assertTrue(health.report().json().contains("\"tenant-" + i + "\":\"error\""));
                checks.clear();
            }
            health.report();

            assertEquals(0, health.reportedCount(), "nothing kept of unregistered checks");
            String logged = CapturedLog.text(log);
            assertEquals(HealthStatus.MAX_REPORTED, logged.split("\\(reported once\\)", -1).length - 1, logged);
            assertEquals(1, logged.split("went wrong in 100 ways or more", -1).length - 1, logged);
        } finally {
            AgentLog.redirect(null);
        }
    }

    /** An application's exception whose {@code toString()} throws (a re-tester's). */
    static final class UnprintableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @Override
        public String toString() {
            throw new UnsupportedOperationException("no toString");
        }
    }

    @Test
    void aHangingCheckTimesOutAndIsNotStartedAgainWhileItHangs() {
        HealthStatus health = health(true);
        AtomicInteger calls = new AtomicInteger();
        check("hangs", 200, () -> {
            calls.incrementAndGet();
            hung.await(30, TimeUnit.SECONDS);
            return true;
        });
        check("quick", 200, () -> true);

        long start = System.nanoTime();
        HealthStatus.Report first = health.report();
        HealthStatus.Report second = health.report();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertEquals(503, first.httpStatus());
        assertTrue(first.json().contains("\"hangs\":\"timeout\",\"quick\":\"ready\""), first.json());
        assertEquals(503, second.httpStatus());
        assertEquals(1, calls.get());
        assertTrue(millis < 5000, "two probes took " + millis + " ms");
    }

    /**
     * With every check thread held by checks that hang, a check that could not start reads
     * "not_started": before, it read "timeout", and an operator would blame a dependency that was
     * never asked (an operations tester's 10 hanging checks and a healthy one).
     */
    @Test
    void aCheckThatCouldNotStartReadsNotStartedNotTimeout() {
        HealthStatus health = health(true);
        for (int i = 0; i < 10; i++) {
            check("hangs" + i, 100, () -> {
                hung.await(30, TimeUnit.SECONDS);
                return true;
            });
        }
        AtomicInteger healthyCalls = new AtomicInteger();
        check("ok", 100, () -> healthyCalls.incrementAndGet() > 0);

        String json = health.report().json();

        long timedOut = Pattern.compile("\"hangs\\d\":\"timeout\"").matcher(json).results().count();
        long notStarted = Pattern.compile("\"[a-z]+\\d?\":\"" + HealthStatus.NOT_STARTED + "\"").matcher(json)
                .results().count();
        assertEquals(8, timedOut, json);
        assertEquals(3, notStarted, json);
        // The checks start in the order given: "ok" is one of the three left without a thread.
        assertEquals(0, healthyCalls.get());
        assertTrue(json.contains("\"ok\":\"" + HealthStatus.NOT_STARTED + "\""), json);
    }

    @Test
    void aFailingHealthSourceLeavesTheRestOfTheAnswer() {
        HealthStatus health = new HealthStatus(false, Collections.<String>emptyList(), () -> {
            throw new IllegalStateException("api gone");
        }, () -> Collections.singletonList("ns/comp/generate"));

        assertTrue(health.isReady());
    }

    @Test
    void escapesCheckNamesInTheDocument() {
        HealthStatus health = health(true);
        check("a \"quoted\" \\ name", 1000, () -> true);

        assertTrue(health.toJson().contains("\"checks\":{\"a \\\"quoted\\\" \\\\ name\":\"ready\"}"),
                health.toJson());
    }

    @Test
    void liveIsAlwaysLiveWithDynamosUptime() {
        runtimeReady = false;

        String live = health(false).liveJson();

        assertTrue(Pattern.matches("\\{\"status\":\"live\",\"uptime\":\\{\"secs\":\\d+,\"nanos\":\\d+}}", live), live);
    }
}
