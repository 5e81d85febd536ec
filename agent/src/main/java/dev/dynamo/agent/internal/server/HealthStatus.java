package dev.dynamo.agent.internal.server;

import dev.dynamo.agent.internal.config.AgentConfig;
import dev.dynamo.agent.internal.bootstrap.PrimaryApi;
import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.runtime.internal.ApplicationText;
import dev.dynamo.runtime.internal.ThreadPools;
import dev.dynamo.runtime.internal.bridge.HealthFormat;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What {@code /health} reports, as Dynamo's system server does:
 * {@code {"status":"ready","uptime":{"secs":3,"nanos":5000},"endpoints":{"generate":"ready"}}}, plus
 * {@code "checks"} when the application registered health checks.
 *
 * <p>Ready when the application has not said the runtime is not ready, every health check returns
 * true within its timeout, and: with {@code DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS}, every endpoint
 * it names is ready (they start as {@code DYN_SYSTEM_STARTING_HEALTH_STATUS} says, and become ready
 * when served: an annotated method's class is instrumented, or the application marks the endpoint
 * served); without it, once any endpoint is ready, the application says the runtime is ready, or
 * from the start with {@code DYN_SYSTEM_STARTING_HEALTH_STATUS=ready}. Endpoints are keyed by
 * their name alone, as in Dynamo.
 */
public final class HealthStatus {
    private static final AgentLog LOG = AgentLog.get(HealthStatus.class);
    private static final String READY = "ready";
    private static final String NOT_READY = "notready";
    /** Checks running at once; a check still running from an earlier probe is waited for, not started again. */
    private static final int MAX_CHECK_THREADS = 8;
    /** The most check threads, with those held by runs of checks no longer registered. */
    private static final int MAX_CHECK_THREADS_WITH_ABANDONED = 64;
    /** How long an idle check thread waits for the next check before it ends. */
    private static final long CHECK_THREAD_IDLE_MILLIS = 100;

    private final boolean startingReady;
    private final List<String> gatingEndpoints;
    private final Supplier<List<Object[]>> apiStates;
    private final Supplier<List<String>> instrumentedEndpoints;
    private final long startNanos = System.nanoTime();
    /** Runs of checks no longer registered that had not returned when that was found (see forgetUnregistered). */
    private final Set<Future<Boolean>> abandoned = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<Object, Future<Boolean>> runningChecks =
            new ConcurrentHashMap<Object, Future<Boolean>>();
    /**
     * What was reported at warn, a check's by kind and name ({@code error:db}): forgotten when the check is no longer
     * registered. At most {@link #MAX_REPORTED} warnings in all, then one line and debug: checks named at run time
     * (per tenant, per connection) kept about 150 B and one warning each for good (a re-tester's 10,000 names).
     */
    private final Set<String> reported = Collections.newSetFromMap(new ConcurrentHashMap<String, Boolean>());
    private final AtomicBoolean reportedFull = new AtomicBoolean();
    /** The reports made at warn so far; past {@link #MAX_REPORTED}, all are at debug. */
    private final AtomicInteger warnings = new AtomicInteger();
    static final int MAX_REPORTED = 100;
    /** The kinds of report that name a check, each followed by the check's name. */
    private static final String[] CHECK_REPORTS = {"busy:", "timeout:", "error:"};
    private volatile ThreadPoolExecutor checkThreads;

    /** Ready from the start or never: no endpoints, no health API. */
    public HealthStatus(boolean startingReady) {
        this(startingReady, Collections.<String>emptyList(), Collections::<Object[]>emptyList,
                Collections::<String>emptyList);
    }

    /**
     * @param gatingEndpoints       the label values of the endpoints that gate readiness; empty for none
     * @param apiStates             the health states of the API copies, in {@code HealthFormat}
     * @param instrumentedEndpoints the instrumented endpoints as "namespace/component/endpoint"
     */
    public HealthStatus(boolean startingReady, List<String> gatingEndpoints, Supplier<List<Object[]>> apiStates,
            Supplier<List<String>> instrumentedEndpoints) {
        this.startingReady = startingReady;
        this.gatingEndpoints = gatingEndpoints;
        this.apiStates = apiStates;
        this.instrumentedEndpoints = instrumentedEndpoints;
    }

    /**
     * The health of this agent's process, from its settings, what the application says through
     * {@code api}, and the endpoints the agent instrumented ("namespace/component/endpoint").
     */
    public static HealthStatus of(AgentConfig config, PrimaryApi api, Supplier<List<String>> instrumentedEndpoints) {
        return new HealthStatus(config.startingReady(), config.endpointsGatingHealth(), () -> {
            try {
                return api.healthEncoded();
            } catch (ReflectiveOperationException | RuntimeException | LinkageError failed) {
                throw new IllegalStateException("cannot read the application's health state: " + failed, failed);
            }
        }, instrumentedEndpoints);
    }

    /** One evaluation: the checks run once, and status and document agree. */
    public Report report() {
        Map<String, HealthFormat.Check> checks = new LinkedHashMap<String, HealthFormat.Check>();
        Boolean runtimeReady = null;
        Map<String, String> endpoints = new TreeMap<String, String>();
        for (String gating : gatingEndpoints) {
            endpoints.put(gating, startingReady ? READY : NOT_READY);
        }
        for (String path : instrumentedEndpoints.get()) {
            endpoints.put(path.substring(path.lastIndexOf('/') + 1), READY);
        }
        Map<String, Boolean> said = new TreeMap<String, Boolean>();
        for (Object[] encoded : readApiStates()) {
            HealthFormat.State state = HealthFormat.decode(encoded);
            if (state == null) {
                int version = HealthFormat.versionOf(encoded);
                reportOnce("format:" + version, "/health leaves out a health state in format version " + version
                        + ", newer than this agent reads (" + HealthFormat.VERSION + "); use a dynamo agent at"
                        + " least as new as the application's dynamo API");
                continue;
            }
            Boolean runtime = state.runtimeReady();
            if (runtime != null) {
                runtimeReady = runtimeReady == null ? runtime : runtimeReady && runtime;
            }
            for (Map.Entry<String, Boolean> endpoint : state.endpoints().entrySet()) {
                Boolean before = said.get(endpoint.getKey());
                said.put(endpoint.getKey(), before == null ? endpoint.getValue() : before && endpoint.getValue());
            }
            for (Map.Entry<String, HealthFormat.Check> check : state.checks().entrySet()) {
                String name = check.getKey();
                for (int copy = 2; checks.containsKey(name); copy++) {
                    name = check.getKey() + " (" + copy + ")";
                }
                checks.put(name, check.getValue());
            }
        }
        for (Map.Entry<String, Boolean> endpoint : said.entrySet()) {
            endpoints.put(endpoint.getKey(), endpoint.getValue() ? READY : NOT_READY);
        }

        boolean ready;
        if (Boolean.FALSE.equals(runtimeReady)) {
            ready = false;
        } else if (!gatingEndpoints.isEmpty()) {
            ready = true;
            for (String gating : gatingEndpoints) {
                ready &= READY.equals(endpoints.get(gating));
            }
        } else {
            ready = Boolean.TRUE.equals(runtimeReady) || startingReady || endpoints.containsValue(READY);
        }
        Map<String, String> checkResults = runChecks(checks);
        for (String result : checkResults.values()) {
            ready &= READY.equals(result);
        }
        return new Report(ready, json(ready, endpoints, checkResults));
    }

    public boolean isReady() {
        return report().ready();
    }

    /** The health document of a fresh {@link #report()}. */
    public String toJson() {
        return report().json();
    }

    /** The liveness document: the process answers, so it is live; readiness is {@code /health}'s. */
    public String liveJson() {
        return "{\"status\":\"live\",\"uptime\":" + uptime() + "}";
    }

    private List<Object[]> readApiStates() {
        try {
            return apiStates.get();
        } catch (RuntimeException failed) {
            reportOnce("api", "/health leaves out what the application says about its health: " + failed);
            return Collections.emptyList();
        }
    }

    /** Runs every check at once and waits for each until its own timeout: the probe never waits longer than the longest. */
    private Map<String, String> runChecks(Map<String, HealthFormat.Check> checks) {
        forgetReportsOfUnregistered(checks);
        if (checks.isEmpty()) {
            return Collections.emptyMap();
        }
        long start = System.nanoTime();
        forgetUnregistered(checks);
        Map<String, Future<Boolean>> started = new LinkedHashMap<String, Future<Boolean>>();
        for (Map.Entry<String, HealthFormat.Check> check : checks.entrySet()) {
            started.put(check.getKey(), start(check.getValue().callable()));
        }
        Map<String, String> results = new TreeMap<String, String>();
        for (Map.Entry<String, Future<Boolean>> check : started.entrySet()) {
            String name = check.getKey();
            long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(checks.get(name).timeoutMillis());
            results.put(name, await(name, check.getValue(), timeoutNanos - (System.nanoTime() - start)));
        }
        return results;
    }

    /**
     * Drops the runs of checks no longer registered (unregistered, or replaced under their name): a run still
     * waiting for a thread is cancelled, so that the application's code does not run after its
     * {@code unregisterCheck}; one still running is not waited for again, and the pool gets a thread for each
     * such run besides its 8, up to {@link #MAX_CHECK_THREADS_WITH_ABANDONED}. Before, unregistered checks that
     * hung held all 8 threads for good, and every check read {@code not_started} with nothing on the page to say
     * why (a re-tester).
     */
    private void forgetUnregistered(Map<String, HealthFormat.Check> checks) {
        if (runningChecks.isEmpty()) {
            return;
        }
        Set<Object> registered = Collections.newSetFromMap(new IdentityHashMap<Object, Boolean>());
        for (HealthFormat.Check check : checks.values()) {
            registered.add(check.callable());
        }
        for (Map.Entry<Object, Future<Boolean>> running : runningChecks.entrySet()) {
            if (registered.contains(running.getKey())) {
                continue;
            }
            Future<Boolean> run = running.getValue();
            if (run instanceof CheckTask && !((CheckTask) run).checking.started) {
                run.cancel(false);
            } else if (abandoned.add(run)) {
                reportOnce("abandoned", "a health check that is no longer registered has not returned; it keeps one"
                        + " check thread, and the registered checks get another (at most "
                        + MAX_CHECK_THREADS_WITH_ABANDONED + " check threads in all)");
            }
            runningChecks.remove(running.getKey(), run);
        }
        abandoned.removeIf(Future::isDone);
        ThreadPools.resize(checkThreads(),
                Math.min(MAX_CHECK_THREADS_WITH_ABANDONED, MAX_CHECK_THREADS + abandoned.size()));
    }

    private Future<Boolean> start(Callable<Boolean> check) {
        Future<Boolean> running = runningChecks.get(check);
        if (running != null) {
            return running;
        }
        FutureTask<Boolean> task = new CheckTask(check);
        running = runningChecks.putIfAbsent(check, task);
        if (running != null) {
            return running;
        }
        try {
            checkThreads().execute(task);
        } catch (RejectedExecutionException busy) {
            runningChecks.remove(check, task);
            return null;
        }
        return task;
    }

    /**
     * What a check that could not start reads as: every check thread is held by checks that have not
     * returned. Not "timeout", which would send the operator to a dependency that was never asked.
     */
    static final String NOT_STARTED = "not_started";

    private String await(String name, Future<Boolean> check, long remainingNanos) {
        if (check == null) {
            reportOnce("busy:" + name, "health check '" + name + "' could not start: " + MAX_CHECK_THREADS
                    + " checks are still running; it reads as not ready (\"" + NOT_STARTED + "\")");
            return NOT_STARTED;
        }
        try {
            Boolean healthy = check.get(Math.max(0, remainingNanos), TimeUnit.NANOSECONDS);
            return Boolean.TRUE.equals(healthy) ? READY : NOT_READY;
        } catch (TimeoutException late) {
            if (check instanceof CheckTask && !((CheckTask) check).checking.started) {
                reportOnce("busy:" + name, "health check '" + name + "' waited for a check thread until its timeout, "
                        + MAX_CHECK_THREADS + " checks still running; it reads as not ready (\"" + NOT_STARTED + "\")");
                return NOT_STARTED;
            }
            reportOnce("timeout:" + name, "health check '" + name + "' did not return within its timeout; it reads"
                    + " as not ready, and is not started again until it returns");
            return "timeout";
        } catch (ExecutionException failed) {
            reportOnce("error:" + name, "health check '" + name + "' threw " + failed.getCause()
                    + "; it reads as not ready");
            return "error";
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return "timeout";
        }
    }

    private ThreadPoolExecutor checkThreads() {
        ThreadPoolExecutor pool = checkThreads;
        if (pool == null) {
            synchronized (this) {
                pool = checkThreads;
                if (pool == null) {
                    AtomicInteger count = new AtomicInteger();
                    // Up to 8 checks run at once, the others wait for a thread (before, a ninth check found none
                    // while 8 quick ones ran, and /health answered 503 at random for a healthy application: a
                    // re-tester). Idle threads end at once, so that a ThreadLocal the application's check left on
                    // one does not keep an undeployed application's classes (a re-tester's Tomcat).
                    pool = new ThreadPoolExecutor(MAX_CHECK_THREADS, MAX_CHECK_THREADS, CHECK_THREAD_IDLE_MILLIS,
                            TimeUnit.MILLISECONDS, new LinkedBlockingQueue<Runnable>(), task -> {
                                Thread thread = new Thread(task, "dynamo-health-check-" + count.incrementAndGet());
                                thread.setDaemon(true);
                                return thread;
                            });
                    pool.allowCoreThreadTimeOut(true);
                    checkThreads = pool;
                }
            }
        }
        return pool;
    }

    private void reportOnce(String key, String message) {
        if (reported.contains(key)) {
            LOG.debug(message);
        } else if (warnings.get() < MAX_REPORTED && reported.add(key)) {
            warnings.incrementAndGet();
            LOG.warn(message + " (reported once)");
        } else {
            if (reportedFull.compareAndSet(false, true)) {
                LOG.warn("health checks went wrong in " + MAX_REPORTED + " ways or more, under different names;"
                        + " further ones are logged at debug (DYN_LOG=debug), as each check's later ones are");
            }
            LOG.debug(message);
        }
    }

    /** Forgets what was reported of checks no longer registered: a check registered again is reported again. */
    private void forgetReportsOfUnregistered(Map<String, HealthFormat.Check> checks) {
        if (reported.isEmpty()) {
            return;
        }
        for (String key : reported) {
            for (String kind : CHECK_REPORTS) {
                if (key.startsWith(kind) && !checks.containsKey(key.substring(kind.length()))) {
                    reported.remove(key);
                }
            }
        }
    }

    /** How many reports are remembered (tests). */
    int reportedCount() {
        return reported.size();
    }

    private String json(boolean ready, Map<String, String> endpoints, Map<String, String> checks) {
        StringBuilder json = new StringBuilder(128);
        json.append("{\"status\":\"").append(ready ? READY : NOT_READY).append('"');
        json.append(",\"uptime\":").append(uptime());
        json.append(",\"endpoints\":");
        object(endpoints, json);
        if (!checks.isEmpty()) {
            json.append(",\"checks\":");
            object(checks, json);
        }
        return json.append('}').toString();
    }

    private static void object(Map<String, String> entries, StringBuilder json) {
        json.append('{');
        boolean first = true;
        for (Map.Entry<String, String> entry : entries.entrySet()) {
            json.append(first ? "" : ",");
            string(entry.getKey(), json);
            json.append(':');
            string(entry.getValue(), json);
            first = false;
        }
        json.append('}');
    }

    private static void string(String text, StringBuilder json) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20) {
                json.append(String.format("\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        json.append('"');
    }

    /** Dynamo serializes a Rust {@code Duration}: whole seconds and the nanoseconds past them. */
    private String uptime() {
        long nanos = System.nanoTime() - startNanos;
        return "{\"secs\":" + nanos / 1_000_000_000L + ",\"nanos\":" + nanos % 1_000_000_000L + "}";
    }

    /** One answer to {@code /health}. */
    public static final class Report {
        private final boolean ready;
        private final String json;

        Report(boolean ready, String json) {
            this.ready = ready;
            this.json = json;
        }

        public boolean ready() {
            return ready;
        }

        /** 200 when ready, 503 otherwise. */
        public int httpStatus() {
            return ready ? 200 : 503;
        }

        public String json() {
            return json;
        }
    }

    /**
     * Runs a check, and gives what it throws as a {@link CheckFailure}, whose text is known to print: the
     * {@code ExecutionException} that {@code Future.get} throws calls {@code toString()} on the check's
     * exception, and an application's may throw there (a re-tester's: {@code /health} answered 500).
     */
    private static final class PrintableFailures implements Callable<Boolean> {
        private final Callable<Boolean> check;
        /** Whether a check thread took it: one that did not, by its timeout, waited behind running checks. */
        volatile boolean started;

        PrintableFailures(Callable<Boolean> check) {
            this.check = check;
        }

        @Override
        public Boolean call() throws CheckFailure {
            started = true;
            try {
                return check.call();
            } catch (Throwable failed) {
                throw new CheckFailure(ApplicationText.of(failed));
            }
        }
    }

    /** One run of a check, forgotten by {@link #runningChecks} when it ends. */
    private final class CheckTask extends FutureTask<Boolean> {
        private final Callable<Boolean> check;
        final PrintableFailures checking;

        CheckTask(Callable<Boolean> check) {
            this(check, new PrintableFailures(check));
        }

        private CheckTask(Callable<Boolean> check, PrintableFailures checking) {
            super(checking);
            this.check = check;
            this.checking = checking;
        }

        @Override
        protected void done() {
            runningChecks.remove(check, this);
        }
    }

    /** What a health check threw, as {@link ApplicationText} gives it. */
    static final class CheckFailure extends Exception {
        private static final long serialVersionUID = 1L;
        private final String text;

        /** Without the thrown exception as its cause, whose {@code toString()} the cause's constructor would call. */
        CheckFailure(String text) {
            super(null, null, false, false);
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
