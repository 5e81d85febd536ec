package dev.dynamo.runtime.internal.instrumentation;

import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.Endpoint;
import dev.dynamo.runtime.internal.ApiLog;
import dev.dynamo.runtime.internal.ApplicationText;
import jdk.internal.vm.annotation.DontInline;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.BiFunction;

/**
 * What the code the agent weaves into an {@code @DynamoEndpoint} method calls on entry and exit.
 * Each endpoint gets an id when a method is woven; a call costs one array read to find its
 * {@link WorkHandlerMetrics}. Nothing here ever throws into the instrumented method.
 *
 * <p>The woven code is: {@code long start = enter(id)} first; before each return
 * {@link #exit(int, long)} (or the exit of the method's shape, such as
 * {@link #exitStage(Object, int, long)}); and a handler around the whole body that calls
 * {@link #exitThrown(Throwable, int, long)} and rethrows the same object. When even that call
 * cannot be made (no stack left for one more frame), the woven code adds one to
 * {@code UNRECORDED_EXITS[id]} itself (for a call that threw, to {@code UNRECORDED_THROWN_EXITS[id]},
 * keeping the exception in {@code UNRECORDED_THROWN[id]}), with plain array writes, and
 * {@link #settle} applies it later; so every call counted on entry is ended exactly once, with its
 * error, and in-flight returns to zero.
 *
 * <p>The four methods the woven code calls are never inlined into it ({@link DontInline}, obeyed
 * because the API lives in the bootstrap class loader). Inlined, the adders' code and its spills
 * would grow the compiled frame of every instrumented method, and a recursion through one would
 * reach a third of its depth without the agent; as calls, only the start time stays in the frame.
 * A call and its return cost about a nanosecond, against the ~40 ns of the two clock reads.
 *
 * <p>Failures are counted with plain writes and logged by {@link #settle} (the first at warn, the
 * rest at debug): a log line at the top of an exhausted stack would fail itself.
 */
public final class WovenCalls {
    /**
     * Returned by {@link #enter} when the call is not counted, so that its exit records nothing;
     * also what the woven code uses when its call of {@code enter} failed.
     */
    public static final long NOT_STARTED = 0L;

    /**
     * {@link #UNRECORDED_EXITS} never has fewer slots than this: agents of earlier versions weave
     * the count only for ids below it, and count into the array without checking its length.
     */
    public static final int UNRECORDED_EXIT_SLOTS = 1024;
    /**
     * Exits the woven code could not record of calls that returned, by endpoint id, counted by the
     * woven code itself with plain array writes (the only thing certain to work where no call can be
     * made). Only {@link #settle} reads it. When the ids outgrow it, {@link #reserve} puts a larger,
     * empty array in its place before any method of the new id is woven; a count written into the
     * array it replaced is still applied, because settle reads every array the field has held.
     */
    public static volatile int[] UNRECORDED_EXITS = new int[UNRECORDED_EXIT_SLOTS];
    /** The same as {@link #UNRECORDED_EXITS} for calls that threw: each is an error too. */
    public static volatile int[] UNRECORDED_THROWN_EXITS = new int[UNRECORDED_EXIT_SLOTS];
    /**
     * By endpoint id, the exception of the last call counted in {@link #UNRECORDED_THROWN_EXITS}
     * (a plain array store): their errors count under its type.
     */
    public static volatile Throwable[] UNRECORDED_THROWN = new Throwable[UNRECORDED_EXIT_SLOTS];
    /** Every array the three fields above have held, oldest first; replaced under {@link #LOCK}. */
    private static volatile UnrecordedExits unrecordedHistory = new UnrecordedExits(UNRECORDED_EXITS,
            UNRECORDED_THROWN_EXITS, UNRECORDED_THROWN);

    /**
     * Frames of {@link #descend} that must fit on the stack before an error is recorded: more than
     * resolving a new exception class takes (its name and its series), so that recording never
     * starts what it cannot finish.
     */
    private static final int HEADROOM_FRAMES = 256;

    private static final Object LOCK = new Object();
    /** Endpoint id by "namespace NUL component NUL endpoint"; guarded by {@link #LOCK}. */
    private static final Map<String, Integer> IDS = new HashMap<String, Integer>();
    /** The endpoint of each id below {@link #endpointCount}, for {@link #activate}; guarded by {@link #LOCK}. */
    private static Endpoint[] endpoints = new Endpoint[16];
    /** Guarded by {@link #LOCK}. */
    private static int endpointCount;
    /**
     * By id; null until activated. Written in place under {@link #LOCK} and published again after
     * each write, so that readers need no lock; both arrays double when full, so that n endpoints
     * cost O(n) to add, where a copy per endpoint cost O(n²).
     */
    static volatile WorkHandlerMetrics[] recorders = new WorkHandlerMetrics[16];

    // Written with plain writes where recording failed (see WorkHandlerMetrics); read by settle().
    static volatile long failureCount;
    static volatile Throwable lastFailure;

    private static final Object SETTLE_LOCK = new Object();
    /** By id, how many of the exits counted in {@link #UNRECORDED_EXITS} are applied; guarded by {@link #SETTLE_LOCK}. */
    private static int[] settledReturns = new int[0];
    /** The same for {@link #UNRECORDED_THROWN_EXITS}; guarded by {@link #SETTLE_LOCK}. */
    private static int[] settledThrows = new int[0];
    /** Guarded by {@link #SETTLE_LOCK}. */
    private static long reportedFailures;
    /** Guarded by {@link #LOCK}. */
    private static boolean warm;
    /** Whether {@link #warmUpHandlerShapes} ran; guarded by {@link #LOCK}. */
    private static boolean handlerShapesWarm;

    private WovenCalls() {
    }

    /**
     * The id of endpoint {@code namespace/component/endpoint}; the same names always get the same
     * id, whatever method or class loader asks. Creates no metric: {@link #activate} does, once a
     * method using the id has been woven. Only JDK types cross here, because the agent's classes
     * may link to another copy of the API than this one.
     *
     * @throws IllegalArgumentException when a name has no character valid in a label
     */
    public static int reserve(String namespace, String component, String endpoint) {
        String key = namespace + '\0' + component + '\0' + endpoint;
        synchronized (LOCK) {
            Integer existing = IDS.get(key);
            if (existing != null) {
                return existing;
            }
            Endpoint resolved = DistributedRuntime.get().namespace(namespace).component(component).endpoint(endpoint);
            int id = endpointCount;
            if (id == endpoints.length) {
                endpoints = Arrays.copyOf(endpoints, id * 2);
                recorders = Arrays.copyOf(recorders, id * 2);
            }
            if (id >= UNRECORDED_EXITS.length) {
                growUnrecordedExits(id * 2);
            }
            endpoints[id] = resolved;
            endpointCount = id + 1;
            IDS.put(key, id);
            return id;
        }
    }

    /** Puts empty arrays of {@code slots} slots in place of the unrecorded-exit arrays; under {@link #LOCK}. */
    private static void growUnrecordedExits(int slots) {
        UNRECORDED_EXITS = new int[slots];
        UNRECORDED_THROWN_EXITS = new int[slots];
        UNRECORDED_THROWN = new Throwable[slots];
        unrecordedHistory = unrecordedHistory.with(UNRECORDED_EXITS, UNRECORDED_THROWN_EXITS, UNRECORDED_THROWN);
    }

    /** {@link #activate(int, boolean)} for an endpoint whose shape is not known: ready for any. */
    public static void activate(int id) {
        activate(id, true);
    }

    /**
     * Creates the work-handler metrics of endpoint {@code id} (when not done yet) and prepares
     * everything the exit paths use, so that no call ever loads or initialises a class for them.
     *
     * @param handlerShape whether the method is a suspend function, returns a publisher or answers
     *                     through a {@code StreamObserver}: the exits of those shapes make proxies and
     *                     reflective calls, whose JDK machinery is then readied as well. Readying it
     *                     costs about 5 ms on JDK 17 and 11 ms on JDK 25, which an application of
     *                     plain and {@code CompletionStage} methods does not need to pay.
     * @throws IllegalArgumentException when the endpoint already has a metric of one of those names
     *         with another type or help
     */
    public static void activate(int id, boolean handlerShape) {
        synchronized (LOCK) {
            WorkHandlerMetrics[] current = recorders;
            if (current[id] != null) {
                current[id].showHidden();
            } else {
                WorkHandlerMetrics recorder = WorkHandlerMetrics.forEndpoint(endpoints[id]);
                warmUp();
                current[id] = recorder;
                // Publishes the write above to readers, which read the field before the element.
                recorders = current;
            }
            // Also for an endpoint activated before: its name may be shared by a method of another shape.
            if (handlerShape) {
                warmUpHandlerShapes();
            }
        }
    }

    /**
     * Takes the series of endpoint {@code id} off the page when no call of it was counted: the class woven for
     * it was refused by the JVM and runs as it was, and no other class serves it. They are shown again, with
     * what they counted, when it is activated again (another class woven for it) or a call of it is counted after
     * all (a class woven for it at that moment, defined since).
     */
    public static void hideUncounted(int id) {
        synchronized (LOCK) {
            WorkHandlerMetrics recorder = id >= 0 && id < recorders.length ? recorders[id] : null;
            if (recorder != null) {
                recorder.hideUncounted();
            }
        }
    }

    private static void showHidden(WorkHandlerMetrics recorder) {
        synchronized (LOCK) {
            recorder.showHidden();
        }
    }

    /**
     * Whether a call of endpoint {@code id} has been counted: then the woven code of a method of it
     * ran, and a class woven for it was defined.
     */
    public static boolean counted(int id) {
        WorkHandlerMetrics[] current = recorders;
        WorkHandlerMetrics recorder = id >= 0 && id < current.length ? current[id] : null;
        return recorder != null && recorder.counted();
    }

    /** Puts {@code recorder} in place of the one of endpoint {@code id}: a seam for tests of failing backends. */
    static void replace(int id, WorkHandlerMetrics recorder) {
        synchronized (LOCK) {
            WorkHandlerMetrics[] current = recorders;
            current[id] = recorder;
            recorders = current;
        }
    }

    /**
     * Ends a call of the shapes that end later ({@code SuspendCalls}, ...): returned ({@code failure}
     * null), cancelled, or failed with {@code failure}. Records nothing when it throws (each way
     * records last, and the recorder never throws once called), so a caller that catches may count
     * the call in {@code missedExits}.
     */
    static void end(WorkHandlerMetrics recorder, long startNanos, Throwable failure) {
        if (failure == null) {
            recorder.exit(startNanos);
        } else if (failure instanceof CancellationException) {
            recorder.cancelled(startNanos);
        } else {
            endWithError(recorder, startNanos, failure);
        }
    }

    /**
     * {@link #end} that never throws once called: a call it could not record is left to settle(),
     * as an error of {@code failure}'s type when it failed (the call of {@code end} itself may not
     * fit on the stack; nothing is recorded then).
     */
    static void endQuietly(WorkHandlerMetrics recorder, long startNanos, Throwable failure) {
        try {
            end(recorder, startNanos, failure);
        } catch (Throwable notRecorded) {
            lastFailure = notRecorded;
            failureCount++;
            recorder.missedExits++;
            if (failure != null && !(failure instanceof CancellationException)) {
                recorder.lastMissedError = failure;
                recorder.missedErrors++;
            }
        }
    }

    /** Counts a recording failure of those shapes, reported at the next scrape like the others. */
    static void failed(Throwable failure) {
        lastFailure = failure;
        failureCount++;
    }

    /** How many times recording failed and was suppressed: a seam for tests. */
    static long failures() {
        return failureCount;
    }

    /** A call of endpoint {@code id} starts; returns what its exit needs. */
    @DontInline
    public static long enter(int id) {
        return recorders[id].enter();
    }

    /** A call of endpoint {@code id} that started at {@code startNanos} returns. */
    @DontInline
    public static void exit(int id, long startNanos) {
        if (startNanos != NOT_STARTED) {
            recorders[id].exit(startNanos);
        }
    }

    /**
     * A call of endpoint {@code id} throws {@code thrown}. Recording an error may resolve a new
     * exception class, which takes stack: when the stack is nearly exhausted (a
     * {@code StackOverflowError} unwinding), the call is left to {@link #settle}.
     */
    @DontInline
    public static void exitThrown(Throwable thrown, int id, long startNanos) {
        if (startNanos != NOT_STARTED) {
            endWithError(recorders[id], startNanos, thrown);
        }
    }

    /**
     * A call of endpoint {@code id}, declared to return a {@link CompletionStage}, returns
     * {@code result}; the call ends when the stage completes.
     */
    @DontInline
    public static void exitStage(Object result, int id, long startNanos) {
        if (startNanos == NOT_STARTED) {
            return;
        }
        WorkHandlerMetrics recorder = recorders[id];
        try {
            if (!(result instanceof CompletionStage)) {
                recorder.exit(startNanos);
            } else if (result.getClass() == CompletableFuture.class && ((CompletableFuture<?>) result).isDone()) {
                // Exactly CompletableFuture: its subclass for completedStage() and minimalCompletionStage()
                // throws from isDone(), so other stages take the callback path.
                completeDone(recorder, startNanos, (CompletableFuture<?>) result);
            } else {
                Completion completion = new Completion(recorder, startNanos);
                try {
                    // handle, not whenComplete: JDK 17's whenComplete wraps the stage's exception in a
                    // CompletionException for its own result, whose constructor calls the exception's toString(); one
                    // that throws then threw from the application's completeExceptionally (a re-tester).
                    ((CompletionStage<?>) result).handle(completion);
                } catch (Throwable refused) {
                    endRefusedStage(result, completion, refused);
                }
            }
        } catch (Throwable failure) {
            lastFailure = failure;
            failureCount++;
            // Nothing was recorded (each path records last), and no callback will: settle() ends the call.
            recorder.missedExits++;
        }
    }

    /** Ends a call with an error when there is stack to do it, or leaves it to settle(). Never throws. */
    private static void endWithError(WorkHandlerMetrics recorder, long startNanos, Throwable thrown) {
        try {
            if (descend(HEADROOM_FRAMES) == HEADROOM_FRAMES) {
                recorder.exit(startNanos, thrown);
                return;
            }
        } catch (Throwable noStack) {
            lastFailure = noStack;
            failureCount++;
        }
        recorder.missedExits++;
        recorder.lastMissedError = thrown;
        recorder.missedErrors++;
    }

    /** Recurses {@code frames} deep: throws StackOverflowError when that does not fit. */
    static int descend(int frames) {
        return frames == 0 ? 0 : descend(frames - 1) + 1;
    }

    /**
     * Applies what recording could not do on the application's threads (see
     * {@link WorkHandlerMetrics}) and logs recording failures. Called at every collection of the
     * metrics and whenever an endpoint is activated; never throws.
     */
    public static void settle() {
        synchronized (SETTLE_LOCK) {
            try {
                WorkHandlerMetrics[] current = recorders;
                UnrecordedExits history = unrecordedHistory;
                if (settledReturns.length < current.length) {
                    settledReturns = Arrays.copyOf(settledReturns, current.length);
                    settledThrows = Arrays.copyOf(settledThrows, current.length);
                }
                for (int id = 0; id < current.length; id++) {
                    if (current[id] == null) {
                        continue;
                    }
                    int returns = UnrecordedExits.sum(history.returns, id) - settledReturns[id];
                    int throwsCount = UnrecordedExits.sum(history.throwsCounts, id) - settledThrows[id];
                    settledReturns[id] += returns;
                    settledThrows[id] += throwsCount;
                    try {
                        current[id].settle(returns, throwsCount, throwsCount == 0 ? null : history.lastThrown(id));
                        if (current[id].hidden && current[id].counted()) {
                            showHidden(current[id]);
                        }
                    } catch (Throwable failure) {
                        // One endpoint's failure leaves the others settled, and is reported below.
                        lastFailure = failure;
                        failureCount++;
                    }
                }
            } catch (Throwable failure) {
                lastFailure = failure;
                failureCount++;
            }
            try {
                reportFailures();
            } catch (Throwable unreported) {
                // Tried again at the next settle: the count it reports has not moved on.
            }
        }
    }

    private static void reportFailures() {
        long count = failureCount;
        if (count == reportedFailures) {
            return;
        }
        String message = "recording endpoint metrics failed (" + count + " so far); the application is not affected: "
                + ApplicationText.of(lastFailure);
        if (reportedFailures == 0) {
            ApiLog.warn(message + "; further failures are logged at debug level");
        } else {
            ApiLog.debug(message);
        }
        reportedFailures = count;
    }

    /**
     * Loads and initialises what the exit paths of every shape may use before any call needs it: a
     * class whose initialisation fails at the top of an exhausted stack stays unusable for the life
     * of the JVM.
     */
    private static void warmUp() {
        if (warm) {
            return;
        }
        warm = true;
        descend(HEADROOM_FRAMES);
        // Adders under contention create cells and draw probes from ThreadLocalRandom.
        ThreadLocalRandom.current();
        initialize("java.util.concurrent.atomic.Striped64$Cell");
        initialize(Completion.class.getName());
        initialize(WorkHandlerMetrics.class.getName() + "$ErrorType");
        WorkHandlerMetrics.errorType(StackOverflowError.class);
        initialize(CancellationException.class.getName());
    }

    /** {@link #warmUp} for what only the handler shapes' exits use: their classes, caches, proxies and reflection. */
    private static void warmUpHandlerShapes() {
        if (handlerShapesWarm) {
            return;
        }
        handlerShapesWarm = true;
        for (Class<?> shape : new Class<?>[] {SuspendCalls.class, PublisherCalls.class, FirstSubscription.class,
                EndingOperators.class, Lambda.class, ReactorOperators.class, FlowableOperators.class,
                MultiOperators.class, WatchedPublishers.class, WatchedFlow.class, SingleValueCalls.class,
                EagerFutureCalls.class, ReturnedAsIs.class, StreamObserverCalls.class, AsyncResponseCalls.class,
                SubscribingSource.class}) {
            initialize(shape.getName());
            for (Class<?> nested : shape.getDeclaredClasses()) {
                initialize(nested.getName());
            }
        }
        initialize(PendingCall.class.getName());
        initialize(ForwardingHandler.class.getName());
        initialize(ClassCache.class.getName() + "$Entry");
        warmReflection();
    }

    /**
     * Makes one reflective call and one proxy, as the handler shapes' exits do: the first of each
     * initialises JDK classes (method accessors, the proxy builder) whose failed initialisation at
     * the top of an exhausted stack would break reflection or proxies for the whole JVM.
     */
    private static void warmReflection() {
        try {
            Runnable proxy = (Runnable) Proxy.newProxyInstance(WovenCalls.class.getClassLoader(),
                    new Class<?>[] {Runnable.class}, new InvocationHandler() {
                        @Override
                        public Object invoke(Object self, Method method, Object[] args) {
                            return null; // run() is the only method called
                        }
                    });
            PublisherCalls.invoke(Runnable.class.getMethod("run"), proxy);
        } catch (Throwable unavailable) {
            failed(unavailable);
        }
    }

    private static void initialize(String className) {
        try {
            Class.forName(className, true, WovenCalls.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError absent) {
            // A JDK without that class does not use it either.
        }
    }

    /** The fast path: the future finished before the method returned, so no callback is needed. */
    private static void completeDone(WorkHandlerMetrics recorder, long startNanos, CompletableFuture<?> future) {
        if (!future.isCompletedExceptionally()) {
            recorder.exit(startNanos);
            return;
        }
        Throwable failure;
        try {
            future.getNow(null);
            failure = null;
        } catch (CancellationException cancelled) {
            failure = cancelled;
        } catch (CompletionException completion) {
            failure = completion;
        }
        finish(recorder, startNanos, failure);
    }

    /**
     * The application's stage threw from {@code handle} (a subclass of its own): its end cannot
     * be seen, so the call ends at the return, with the stage's error or cancellation when it is a
     * {@code CompletableFuture} that failed already, as a success otherwise. Logged as a recording failure.
     */
    private static void endRefusedStage(Object stage, Completion completion, Throwable refused) {
        // Names only: the application's toString() or getMessage() may throw too.
        lastFailure = new IllegalStateException("a " + stage.getClass().getName() + " that an endpoint returned"
                + " threw " + refused.getClass().getName() + " from handle; its calls are timed to the return");
        failureCount++;
        Throwable failure = null;
        try {
            if (stage instanceof CompletableFuture && ((CompletableFuture<?>) stage).isCompletedExceptionally()) {
                ((CompletableFuture<?>) stage).getNow(null);
            }
        } catch (CancellationException | CompletionException failed) {
            failure = failed;
        } catch (Throwable unreadable) {
            // A stage that cannot even be read: the call ends as a success.
        }
        completion.apply(null, failure);
    }

    static void finish(WorkHandlerMetrics recorder, long startNanos, Throwable failure) {
        end(recorder, startNanos, unwrap(failure));
    }

    /** At most this many {@code CompletionException}s are unwrapped: the application's causes may form a loop. */
    static final int MAX_UNWRAPPED = 16;

    /**
     * The cause that {@code failure}'s {@code CompletionException}s wrap. The application's
     * exceptions decide what their causes are: a loop of causes ({@code a.initCause(b)},
     * {@code b.initCause(a)}), a {@code getCause()} that returns {@code this} or throws, which must
     * neither hang nor fail the thread that completes the stage.
     */
    static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        for (int unwrapped = 0; unwrapped < MAX_UNWRAPPED && cause instanceof CompletionException; unwrapped++) {
            Throwable inner;
            try {
                inner = cause.getCause();
            } catch (Throwable broken) {
                return cause;
            }
            if (inner == null || inner == cause || inner == failure) {
                return cause;
            }
            cause = inner;
        }
        return cause;
    }

    /** Ends the measurement of an asynchronous call when its stage completes. */
    private static final class Completion implements BiFunction<Object, Throwable, Object> {
        private static final AtomicIntegerFieldUpdater<Completion> CALLED =
                AtomicIntegerFieldUpdater.newUpdater(Completion.class, "called");

        private final WorkHandlerMetrics recorder;
        private final long startNanos;
        /** 1 once accepted: a stage of the application's own may call its callback more than once. */
        volatile int called;

        Completion(WorkHandlerMetrics recorder, long startNanos) {
            this.recorder = recorder;
            this.startNanos = startNanos;
        }

        /** Ends the call; returns null, the value of a stage nobody reads. */
        @Override
        public Object apply(Object value, Throwable failure) {
            if (!CALLED.compareAndSet(this, 0, 1)) {
                return null;
            }
            try {
                finish(recorder, startNanos, failure);
            } catch (Throwable recordingFailure) {
                lastFailure = recordingFailure;
                failureCount++;
                recorder.missedExits++;
            }
            return null;
        }
    }

    /** Every array the unrecorded-exit fields have held, oldest first. */
    private static final class UnrecordedExits {
        final int[][] returns;
        final int[][] throwsCounts;
        final Throwable[][] thrown;

        UnrecordedExits(int[] returns, int[] throwsCounts, Throwable[] thrown) {
            this(new int[][] {returns}, new int[][] {throwsCounts}, new Throwable[][] {thrown});
        }

        private UnrecordedExits(int[][] returns, int[][] throwsCounts, Throwable[][] thrown) {
            this.returns = returns;
            this.throwsCounts = throwsCounts;
            this.thrown = thrown;
        }

        UnrecordedExits with(int[] moreReturns, int[] moreThrowsCounts, Throwable[] moreThrown) {
            int n = returns.length;
            int[][] r = Arrays.copyOf(returns, n + 1);
            int[][] t = Arrays.copyOf(throwsCounts, n + 1);
            Throwable[][] e = Arrays.copyOf(thrown, n + 1);
            r[n] = moreReturns;
            t[n] = moreThrowsCounts;
            e[n] = moreThrown;
            return new UnrecordedExits(r, t, e);
        }

        /** The counts of endpoint {@code id} in all the arrays. */
        static int sum(int[][] arrays, int id) {
            int total = 0;
            for (int[] counts : arrays) {
                if (id < counts.length) {
                    total += counts[id];
                }
            }
            return total;
        }

        /** The exception last stored for endpoint {@code id}, newest array first; null if none. */
        Throwable lastThrown(int id) {
            for (int i = thrown.length - 1; i >= 0; i--) {
                if (id < thrown[i].length && thrown[i][id] != null) {
                    return thrown[i][id];
                }
            }
            return null;
        }
    }
}
