package dev.dynamo.runtime.internal.instrumentation;

import dev.dynamo.runtime.Endpoint;
import dev.dynamo.runtime.internal.ApiLog;
import dev.dynamo.runtime.internal.MetricStore;
import dev.dynamo.runtime.internal.MetricType;
import dev.dynamo.runtime.internal.ScopedMetricsRegistry;
import dev.dynamo.runtime.internal.ScopedMetricsRegistry.Prevalidated;
import dev.dynamo.runtime.internal.WorkHandlerFamilies;
import dev.dynamo.runtime.metrics.Histogram;
import dev.dynamo.runtime.metrics.IntCounter;
import dev.dynamo.runtime.metrics.IntCounterVec;
import dev.dynamo.runtime.metrics.IntGauge;
import dev.dynamo.runtime.metrics.PrometheusNames.WorkHandler;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The work-handler metrics of one endpoint, bound once so that recording a call is two clock reads
 * and a few adder updates: no lookup, no allocation.
 *
 * <p>Recording runs on the application's threads, also at the top of an exhausted stack, where any
 * call may throw {@code StackOverflowError}. Each metric update either happens whole or throws
 * before it changes anything (an adder's compare-and-set is the last thing it does), so the
 * methods below track how far they got, and their {@code catch} blocks make no call at all: they
 * only count what was left undone in the {@code missed*} fields, with plain field writes, the one
 * thing certain not to fail there. {@link #settle} applies those counts later on a thread with
 * stack to spare (a scrape), so that {@code requests_total} always ends up equal to the
 * duration's {@code _count} plus the calls in flight. The counts are not atomic: two threads
 * failing in the same instant may lose one, which the ordinary paths never risk.
 */
final class WorkHandlerMetrics {
    static final List<Double> DURATION_BUCKETS = WorkHandlerFamilies.DURATION_BUCKETS;

    /**
     * Beyond this many exception classes an endpoint's errors count as {@link #OTHER_ERROR_TYPE}, so
     * that generated exception classes cannot grow the series without bound.
     */
    static final int MAX_ERROR_TYPES = WorkHandlerFamilies.MAX_ERROR_TYPES;
    static final String OTHER_ERROR_TYPE = "other";
    /** The family of the error counters, as {@code dynamo_metrics_folded_label_sets_total} names it. */
    private static final String ERRORS_FAMILY = WorkHandlerFamilies.ERRORS_FAMILY;

    private static final double NANOS_TO_SECONDS = 1e-9;
    private static final ErrorType[] NO_ERROR_TYPES = new ErrorType[0];
    /** The work-handler families, checked at the first endpoint. */
    private static volatile Families families;

    private final IntCounter requests;
    private final IntGauge inflight;
    private final Histogram duration;
    private final IntCounterVec errors;
    private final IntCounter cancellations;

    /**
     * The error counter of each exception class seen, in the order seen, copied on every change so
     * that a lookup is a plain scan without lock or allocation. Not a {@code ClassValue}: its first
     * use initialises JDK structures, and at the top of an exhausted stack that initialisation fails
     * for the life of the JVM. The classes are weakly held, so that no class loader is kept alive.
     */
    private volatile ErrorType[] errorTypes = NO_ERROR_TYPES;
    /** Resolved at the first error beyond {@link #MAX_ERROR_TYPES}; guarded by this. */
    private IntCounter otherErrors;

    // Written only in catch blocks, with plain writes (see the class comment); applied by settle().
    volatile int missedInflightIncrements;
    volatile int missedExits;
    volatile int missedObservations;
    volatile int missedErrors;
    volatile Throwable lastMissedError;

    // How much of each missed count settle() has applied; guarded by WovenCalls's settle lock.
    private int settledInflightIncrements;
    private int settledExits;
    private int settledObservations;
    private int settledErrors;

    /**
     * Every error counter of this endpoint, by its {@code error_type}; at most {@link #MAX_ERROR_TYPES}.
     * Exception classes of one name share one (the same class in several class loaders, a redeployed
     * application's). Guarded by this.
     */
    private final Map<String, IntCounter> namedErrors = new HashMap<String, IntCounter>();
    private final String endpoint;
    /** Where the metrics were created, to hide them ({@link #hideUncounted}); null in tests. */
    private final ScopedMetricsRegistry place;
    /** Whether {@link #hideUncounted} hid the metrics; written under WovenCalls's lock. */
    volatile boolean hidden;
    /** Whether the cap on error types was reported; guarded by this. */
    private boolean capReported;

    WorkHandlerMetrics(IntCounter requests, IntGauge inflight, Histogram duration, IntCounterVec errors,
            IntCounter cancellations) {
        this(requests, inflight, duration, errors, cancellations, "an endpoint", null);
    }

    /**
     * @param endpoint the endpoint, for the one warning when its error types are capped
     * @param place    where the metrics were created
     */
    private WorkHandlerMetrics(IntCounter requests, IntGauge inflight, Histogram duration, IntCounterVec errors,
            IntCounter cancellations, String endpoint, ScopedMetricsRegistry place) {
        this.endpoint = endpoint;
        this.place = place;
        this.requests = requests;
        this.inflight = inflight;
        this.duration = duration;
        this.errors = errors;
        this.cancellations = cancellations;
    }

    /** Creates (or finds) the work-handler metrics of {@code endpoint}. */
    static WorkHandlerMetrics forEndpoint(Endpoint endpoint) {
        // Endpoint.metrics() is always the scoped registry, which also makes the striped in-flight gauge.
        ScopedMetricsRegistry metrics = (ScopedMetricsRegistry) endpoint.metrics();
        Families checked = families;
        if (checked == null) {
            // Two threads that race here check the families twice, to the same result.
            checked = new Families(metrics);
            families = checked;
        }
        return new WorkHandlerMetrics(
                (IntCounter) metrics.create(checked.requests),
                (IntGauge) metrics.create(checked.inflight),
                (Histogram) metrics.create(checked.duration),
                (IntCounterVec) metrics.create(checked.errors),
                (IntCounter) metrics.create(checked.cancellations),
                endpoint.toString(), metrics);
    }

    /**
     * Takes this endpoint's series off the page when no call was ever counted: the JVM refused the only class
     * woven for it, which runs as it was, and a series would claim calls that are not measured (SPEC §7). The
     * counters stay zero, so nothing counted is lost. Under WovenCalls's lock.
     *
     * @return whether they were taken away
     */
    boolean hideUncounted() {
        if (place == null || counted() || hidden) {
            return false;
        }
        setSeriesHidden(true);
        return true;
    }

    /**
     * Shows again what {@link #hideUncounted} hid: another class was woven for the endpoint, or one
     * woven before the refusal was defined after all and counted calls. Under WovenCalls's lock.
     */
    void showHidden() {
        if (!hidden) {
            return;
        }
        setSeriesHidden(false);
    }

    private void setSeriesHidden(boolean hide) {
        Families checked = families;
        place.setHidden(checked.requests, requests, hide);
        place.setHidden(checked.inflight, inflight, hide);
        place.setHidden(checked.duration, duration, hide);
        place.setHidden(checked.errors, errors, hide);
        place.setHidden(checked.cancellations, cancellations, hide);
        hidden = hide;
    }

    /**
     * The five families, checked once: every endpoint is as deep in the hierarchy as the first, and
     * creating them is most of the cost of instrumenting a class.
     */
    private static final class Families {
        final Prevalidated requests;
        final Prevalidated inflight;
        final Prevalidated duration;
        final Prevalidated errors;
        final Prevalidated cancellations;

        Families(ScopedMetricsRegistry metrics) {
            requests = metrics.prevalidate(WorkHandler.REQUESTS_TOTAL, WorkHandler.REQUESTS_TOTAL_HELP,
                    MetricType.INT_COUNTER, null, null, false);
            // Incremented and decremented by every call, from any number of threads: striped.
            inflight = metrics.prevalidate(WorkHandler.INFLIGHT_REQUESTS, WorkHandler.INFLIGHT_REQUESTS_HELP,
                    MetricType.INT_GAUGE, null, null, true);
            duration = metrics.prevalidate(WorkHandler.REQUEST_DURATION_SECONDS,
                    WorkHandler.REQUEST_DURATION_SECONDS_HELP, MetricType.HISTOGRAM, null, DURATION_BUCKETS, false);
            errors = metrics.prevalidate(WorkHandler.ERRORS_TOTAL, WorkHandler.ERRORS_TOTAL_HELP,
                    MetricType.INT_COUNTER_VEC, Collections.singletonList(WorkHandler.ERROR_TYPE_LABEL), null, false);
            cancellations = metrics.prevalidate(WorkHandler.CANCELLATION_TOTAL, WorkHandler.CANCELLATION_TOTAL_HELP,
                    MetricType.INT_COUNTER, null, null, false);
        }
    }

    /**
     * A call starts: counts it and returns its start time, never {@link WovenCalls#NOT_STARTED}.
     * Returns {@code NOT_STARTED} when the request could not be counted, so that its exit records
     * nothing either. Never throws.
     */
    long enter() {
        long start = WovenCalls.NOT_STARTED;
        try {
            long now = System.nanoTime();
            requests.inc();
            start = now == WovenCalls.NOT_STARTED ? now + 1 : now;
            inflight.inc();
            return start;
        } catch (Throwable failure) {
            WovenCalls.lastFailure = failure;
            WovenCalls.failureCount++;
            if (start != WovenCalls.NOT_STARTED) {
                // Counted but not in flight: settle() adds it, and the exit takes it away as usual.
                missedInflightIncrements++;
            }
            return start;
        }
    }

    /** Whether a call has been counted. */
    boolean counted() {
        return requests.get() > 0;
    }

    /** A call started at {@code startNanos} returns. Never throws. */
    void exit(long startNanos) {
        boolean ended = false;
        try {
            long elapsed = System.nanoTime() - startNanos;
            inflight.dec();
            ended = true;
            duration.observe(elapsed * NANOS_TO_SECONDS);
        } catch (Throwable failure) {
            WovenCalls.lastFailure = failure;
            WovenCalls.failureCount++;
            if (ended) {
                missedObservations++;
            } else {
                missedExits++;
            }
        }
    }

    /**
     * A call started at {@code startNanos} ends with {@code thrown}. Resolving a new exception class
     * needs stack and memory: callers make sure of the stack first ({@link WovenCalls}). Never
     * throws.
     */
    void exit(long startNanos, Throwable thrown) {
        end(startNanos, thrown, null);
    }

    /**
     * A call started at {@code startNanos} fails with an error named {@code errorType} rather than by
     * its exception class (a gRPC status code). Never throws.
     */
    void exitWithError(long startNanos, String errorType) {
        end(startNanos, null, errorType);
    }

    /** A call started at {@code startNanos} ends because its result was cancelled. Never throws. */
    void cancelled(long startNanos) {
        end(startNanos, null, null);
    }

    /**
     * The end of a call that counts one more thing after its duration: an error by the class of
     * {@code thrown}, else an error named {@code errorType}, else (both null) a cancellation. Not
     * shared with {@link #exit(long)}, whose frame on the synchronous path stays one deep.
     */
    private void end(long startNanos, Throwable thrown, String errorType) {
        int done = 0;
        try {
            long elapsed = System.nanoTime() - startNanos;
            inflight.dec();
            done = 1;
            duration.observe(elapsed * NANOS_TO_SECONDS);
            done = 2;
            (thrown != null ? errorCounter(thrown.getClass())
                    : errorType != null ? namedErrorCounter(errorType) : cancellations).inc();
        } catch (Throwable failure) {
            WovenCalls.lastFailure = failure;
            WovenCalls.failureCount++;
            if (done == 0) {
                missedExits++;
            } else if (done == 1) {
                missedObservations++;
            }
            if (thrown != null) {
                lastMissedError = thrown;
                missedErrors++;
            }
        }
    }

    /**
     * Applies what the application's threads could not record, plus exits that the instrumented
     * code counted itself: {@code unrecordedReturns} of calls that returned, {@code unrecordedThrows}
     * of calls that threw, each also an error of the type of {@code lastUnrecordedThrown} (the last
     * one kept; null: {@value #OTHER_ERROR_TYPE}). A missed duration is observed as zero: it is
     * unknown, and these calls ended at once when their stack ran out. Missed errors count under the
     * type of the last one. Called under WovenCalls's settle lock, on a shallow stack.
     */
    void settle(int unrecordedReturns, int unrecordedThrows, Throwable lastUnrecordedThrown) {
        int unrecordedExits = unrecordedReturns + unrecordedThrows;
        int inflightIncrements = missedInflightIncrements - settledInflightIncrements;
        int exits = missedExits - settledExits;
        int observations = missedObservations - settledObservations;
        int errorCount = missedErrors - settledErrors;
        Throwable error = lastMissedError;
        settledInflightIncrements += inflightIncrements;
        settledExits += exits;
        settledObservations += observations;
        settledErrors += errorCount;

        if (inflightIncrements + exits + observations + errorCount + unrecordedExits > 0) {
            ApiLog.debug("settling calls whose recording was cut short: " + inflightIncrements
                    + " in flight, " + exits + " exits, " + unrecordedExits + " exits the woven code counted, "
                    + observations + " durations, " + errorCount + " errors");
        }
        exits += unrecordedExits;
        inflight.add(inflightIncrements - exits);
        for (int i = 0; i < exits + observations; i++) {
            duration.observe(0);
        }
        if (errorCount > 0) {
            settledErrorCounter(error).inc(errorCount);
        }
        if (unrecordedThrows > 0) {
            settledErrorCounter(lastUnrecordedThrown).inc(unrecordedThrows);
        }
    }

    /**
     * The counter for errors of the type of {@code error} that an application's thread could not count, or the
     * {@value #OTHER_ERROR_TYPE} one when that is unknown or its counter cannot be had: these errors happened.
     */
    private IntCounter settledErrorCounter(Throwable error) {
        if (error != null) {
            try {
                return errorCounter(error.getClass());
            } catch (RuntimeException | LinkageError unnamed) {
                WovenCalls.failed(unnamed);
            }
        }
        return otherErrors();
    }

    /** The error counter of exception class {@code type}, created at its first error. */
    private IntCounter errorCounter(Class<?> type) {
        for (ErrorType known : errorTypes) {
            if (known.type.get() == type) {
                return known.counter;
            }
        }
        return addErrorType(type);
    }

    /** The error counter named {@code errorType}: its own among the first {@link #MAX_ERROR_TYPES} names, else "other". */
    private synchronized IntCounter namedErrorCounter(String errorType) {
        IntCounter counter = namedErrors.get(errorType);
        if (counter == null) {
            if (namedErrors.size() >= MAX_ERROR_TYPES) {
                return folded(errorType);
            }
            counter = errors.withLabelValues(errorType);
            namedErrors.put(errorType, counter);
        }
        return counter;
    }

    /**
     * The counter of exception class {@code type}, by its name, remembered by class for lock-free
     * lookups while there is room: classes of collected class loaders make room, and a class beyond
     * it is looked up by name here each time.
     */
    private synchronized IntCounter addErrorType(Class<?> type) {
        ErrorType[] known = errorTypes;
        for (ErrorType errorType : known) {
            if (errorType.type.get() == type) {
                return errorType.counter;
            }
        }
        String name = errorType(type);
        IntCounter counter = namedErrors.get(name);
        if (counter == null && namedErrors.size() >= MAX_ERROR_TYPES) {
            // Not remembered: each such error is counted as folded.
            return folded(name);
        }
        if (counter == null) {
            counter = errors.withLabelValues(name);
            namedErrors.put(name, counter);
        }
        List<ErrorType> live = new ArrayList<ErrorType>(known.length + 1);
        for (ErrorType errorType : known) {
            if (errorType.type.get() != null) {
                live.add(errorType);
            }
        }
        if (live.size() < MAX_ERROR_TYPES) {
            live.add(new ErrorType(type, counter));
        }
        errorTypes = live.toArray(NO_ERROR_TYPES);
        return counter;
    }

    /** The "other" counter, for an error of type {@code errorType} beyond the cap: counted as folded, said once. */
    private IntCounter folded(String errorType) {
        MetricStore.global().countFolded(ERRORS_FAMILY);
        if (!capReported) {
            capReported = true;
            ApiLog.warn(endpoint + " has counted errors of " + MAX_ERROR_TYPES + " types; errors of further types,"
                    + " such as " + errorType + ", count as " + WorkHandler.ERROR_TYPE_LABEL + "=\"" + OTHER_ERROR_TYPE
                    + "\" and in " + "dynamo_metrics_folded_label_sets_total{family=\"" + ERRORS_FAMILY + "\"}");
        }
        return otherErrors();
    }

    private synchronized IntCounter otherErrors() {
        if (otherErrors == null) {
            otherErrors = errors.withLabelValues(OTHER_ERROR_TYPE);
        }
        return otherErrors;
    }

    /**
     * The {@code error_type} of {@code type}: its simple name, or for anonymous classes
     * {@code Outer$1}; without the {@code /0x...} suffix a hidden class's name carries, which differs
     * for every class defined.
     */
    static String errorType(Class<?> type) {
        String name = type.getName();
        String simpleName;
        try {
            simpleName = type.getSimpleName();
        } catch (LinkageError | InternalError contradicted) {
            // getSimpleName() reads the InnerClasses attribute of the class and of the one enclosing it; a nested
            // class from one version of a jar beside its outer class from another (or stripped by a shrinker) makes
            // it throw IncompatibleClassChangeError, and every error of that class went uncounted (a re-tester).
            simpleName = simpleNameInBinaryName(name);
        }
        if (simpleName.isEmpty()) {
            simpleName = name.substring(name.lastIndexOf('.') + 1);
        }
        int hidden = simpleName.indexOf('/');
        return hidden > 0 ? simpleName.substring(0, hidden) : simpleName;
    }

    /**
     * The simple name that binary name {@code name} gives: what follows the last {@code .} or {@code $}, without
     * the digits a local class's name starts with; empty for an anonymous class, as {@code getSimpleName()} is.
     */
    static String simpleNameInBinaryName(String name) {
        int start = Math.max(name.lastIndexOf('.'), name.lastIndexOf('$')) + 1;
        if (start > 0 && name.charAt(start - 1) == '$') {
            while (start < name.length() && Character.isDigit(name.charAt(start))) {
                start++;
            }
        }
        return name.substring(start);
    }

    /** An exception class and its error counter. */
    private static final class ErrorType {
        final WeakReference<Class<?>> type;
        final IntCounter counter;

        ErrorType(Class<?> type, IntCounter counter) {
            this.type = new WeakReference<Class<?>>(type);
            this.counter = counter;
        }
    }
}
