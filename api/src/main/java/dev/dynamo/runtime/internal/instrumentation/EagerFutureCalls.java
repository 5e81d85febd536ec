package dev.dynamo.runtime.internal.instrumentation;

import dev.dynamo.runtime.internal.instrumentation.PublisherCalls.Call;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.function.BiFunction;

/**
 * Measures methods that return an eager future of a library: one whose work runs whether or not
 * anyone waits for it, like a {@code CompletionStage}, but which is not one. Vert.x's {@code Future}
 * (4 and 5), Guava's {@code ListenableFuture}, Scala's {@code Future}, Kotlin's {@code Job} (and
 * {@code Deferred}), Spring's {@code ListenableFuture} and Netty's {@code Future}. The call counts
 * when the method returns the future and ends when it completes: a failure is an error of its type,
 * a cancellation (Guava's, Spring's and Netty's {@code cancel}, a cancelled {@code Job}, Vert.x's
 * cancelled {@code Timer}) a cancellation. The future itself is returned, unchanged: nothing is
 * wrapped, so its class and identity stay the application's.
 *
 * <p>Which library a future belongs to is told by the interfaces of its class, once per class
 * ({@link Watcher#of}), and each is watched through its own completion callback, found by name (no
 * library is a dependency): Vert.x's {@code toCompletionStage()}, Guava's {@code addListener} with an
 * executor that runs the listener at once, Scala's {@code onComplete} with an execution context that
 * runs the function at once, Kotlin's {@code invokeOnCompletion}, Spring's {@code completable()},
 * Netty's {@code addListener}. Each but Netty's runs the end of the call on the thread that completes
 * the future, before the callbacks registered after it; Netty runs its listeners on the future's event
 * loop. A future of a library version without that method is timed to the return.
 *
 * <p>A future done when returned runs the callback inside its registration, at the exit of the method,
 * which may be at the top of an exhausted stack: there the registration's {@code catch} and the
 * callbacks end the call before anything else, and where even that call does not fit, with plain
 * writes that {@link WovenCalls#settle} records.
 */
final class EagerFutureCalls {
    private static final String VERTX_FUTURE = "io.vertx.core.Future";
    private static final String GUAVA_FUTURE = "com.google.common.util.concurrent.ListenableFuture";
    private static final String SCALA_FUTURE = "scala.concurrent.Future";
    private static final String KOTLIN_JOB = "kotlinx.coroutines.Job";
    private static final String SPRING_FUTURE = "org.springframework.util.concurrent.ListenableFuture";
    private static final String NETTY_FUTURE = "io.netty.util.concurrent.Future";

    /** How to watch futures of each class: looked up at the first future of the class. */
    private static final ClassCache<Watcher> WATCHERS = new ClassCache<Watcher>() {
        @Override
        protected Watcher compute(Class<?> type) {
            return Watcher.of(type);
        }
    };

    private EagerFutureCalls() {
    }

    /**
     * Counts {@code call} now and ends it when {@code future} completes; returns {@code future}, or null
     * when it cannot be watched (nothing counted then: the call is timed to the return).
     */
    static Object watch(Call call, Object future) throws Throwable {
        Watcher watcher = WATCHERS.get(future.getClass());
        if (watcher == null) {
            return null;
        }
        // What may fail for want of stack or memory comes before the count: a throw then times the call to the return.
        Object callback = watcher.callback(call, future);
        if (PublisherCalls.subscribedQuietly(call)) {
            try {
                watcher.register(future, callback);
            } catch (Throwable refused) {
                // Ended at once: timed to the return. At the top of an exhausted stack, where not even the
                // call of endQuietly may fit, plain writes end it, and WovenCalls.settle records it.
                WovenCalls.lastFailure = refused;
                WovenCalls.failureCount++;
                try {
                    call.endQuietly(null, false);
                } catch (Throwable noStack) {
                    if (call.state == PendingCall.OPEN) {
                        call.state = PendingCall.ENDED;
                        call.recorder.missedExits++;
                    }
                }
            }
        }
        return future;
    }

    /** Watches the futures of one library. */
    private abstract static class Watcher {
        /**
         * What watches futures of class {@code type}, by the library interface it implements; null when
         * it implements none, or the library lacks the method its watcher needs.
         */
        static Watcher of(Class<?> type) {
            try {
                Class<?> library = ClassCache.interfaceNamed(type, VERTX_FUTURE);
                if (library != null) {
                    return new StageWatcher(library.getMethod("toCompletionStage"));
                }
                library = ClassCache.interfaceNamed(type, GUAVA_FUTURE);
                if (library != null) {
                    return new ListenerWatcher(library.getMethod("addListener", Runnable.class, Executor.class));
                }
                library = ClassCache.interfaceNamed(type, SCALA_FUTURE);
                if (library != null) {
                    return ScalaWatcher.forFuture(library);
                }
                library = ClassCache.interfaceNamed(type, KOTLIN_JOB);
                if (library != null) {
                    return JobWatcher.forJob(library);
                }
                library = ClassCache.interfaceNamed(type, SPRING_FUTURE);
                if (library != null) {
                    return new StageWatcher(library.getMethod("completable"));
                }
                library = ClassCache.interfaceNamed(type, NETTY_FUTURE);
                if (library != null) {
                    return NettyWatcher.forFuture(library);
                }
            } catch (ReflectiveOperationException | RuntimeException | LinkageError unknownVersion) {
                // A library version without the method, a proxy class that cannot be defined: not watched.
                return null;
            }
            return null;
        }

        /** What {@link #register} registers on {@code future} to end {@code call}; may throw, before the count. */
        abstract Object callback(Call call, Object future) throws Throwable;

        /** Registers {@code callback} on {@code future}; a future done already runs it at once. */
        abstract void register(Object future, Object callback) throws Throwable;
    }

    /**
     * A future that makes a {@code CompletionStage} of itself, completed by the thread that completes the
     * future: Vert.x's {@code toCompletionStage()}, Spring's {@code completable()} (Spring 5 and later).
     */
    private static final class StageWatcher extends Watcher {
        private final Method toStage;

        StageWatcher(Method toStage) {
            this.toStage = toStage;
        }

        @Override
        Object callback(Call call, Object future) throws Throwable {
            return new StageEnd(call, (CompletionStage<?>) PublisherCalls.invoke(toStage, future));
        }

        @Override
        void register(Object future, Object callback) {
            StageEnd end = (StageEnd) callback;
            // handle, not whenComplete: see WovenCalls.exitStage.
            end.stage.handle(end);
        }
    }

    /** Ends a call when the stage made from its future completes. */
    private static final class StageEnd implements BiFunction<Object, Throwable, Object> {
        private final Call call;
        final CompletionStage<?> stage;

        StageEnd(Call call, CompletionStage<?> stage) {
            this.call = call;
            this.stage = stage;
        }

        @Override
        public Object apply(Object result, Throwable failure) {
            call.endQuietly(failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure, false);
            return null;
        }
    }

    /** Guava's {@code ListenableFuture}: a listener run at once by the thread that completes it. */
    private static final class ListenerWatcher extends Watcher {
        private final Method addListener;

        ListenerWatcher(Method addListener) {
            this.addListener = addListener;
        }

        @Override
        Object callback(Call call, Object future) {
            return new ListenerEnd(call, (Future<?>) future);
        }

        @Override
        void register(Object future, Object callback) throws Throwable {
            PublisherCalls.invoke(addListener, future, callback, DirectExecutor.INSTANCE);
        }
    }

    /** Runs a listener on the thread that completes the future, as Guava's {@code directExecutor()} does. */
    private static final class DirectExecutor implements Executor {
        static final DirectExecutor INSTANCE = new DirectExecutor();

        @Override
        public void execute(Runnable command) {
            command.run();
        }
    }

    /**
     * Ends a call when its Guava future is done: a cancellation when it was cancelled, an error of the
     * cause when it failed. Never throws, and keeps the completing thread's interrupt status: Guava's
     * {@code get()} throws {@code InterruptedException} on an interrupted thread even when done.
     */
    private static final class ListenerEnd implements Runnable {
        private final Call call;
        private final Future<?> future;

        ListenerEnd(Call call, Future<?> future) {
            this.call = call;
            this.future = future;
        }

        @Override
        public void run() {
            boolean cancelled = false;
            Throwable failure = null;
            try {
                cancelled = future.isCancelled();
                // A listener run before its future is done (not Guava's own futures) cannot read the outcome
                // without waiting, and a listener must not wait: it ends the call as a success.
                if (!cancelled && future.isDone()) {
                    failure = failureOf(future);
                }
            } catch (Throwable unreadable) {
                WovenCalls.lastFailure = unreadable;
                WovenCalls.failureCount++;
            }
            call.endQuietly(failure, cancelled);
        }

        /** The failure of a done future, or null when it succeeded. */
        private static Throwable failureOf(Future<?> future) {
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        future.get();
                        return null;
                    } catch (InterruptedException again) {
                        interrupted = true;
                    } catch (ExecutionException failed) {
                        return failed.getCause() != null ? failed.getCause() : failed;
                    } catch (CancellationException cancelled) {
                        return cancelled;
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * Scala's {@code Future.onComplete(f)(executor)} (Scala 2.12, 2.13 and 3), with proxies of Scala's
     * {@code Function1} and {@code ExecutionContext}: the context runs the function at once on the thread
     * that completes the future, as Scala 2.13's {@code ExecutionContext.parasitic} does. Not through
     * {@code FutureConverters.asJava}: the stage it makes runs every callback asynchronously, on the
     * JDK's common pool, where a busy application would delay the end of its calls.
     */
    private static final class ScalaWatcher extends Watcher {
        private final Method onComplete;
        private final Constructor<?> function;
        private final Object directContext;
        /** {@code scala.util.Failure}, and its {@code exception()}. */
        private final Class<?> failure;
        private final Method exception;

        private ScalaWatcher(Method onComplete, Constructor<?> function, Object directContext, Class<?> failure,
                Method exception) {
            this.onComplete = onComplete;
            this.function = function;
            this.directContext = directContext;
            this.failure = failure;
            this.exception = exception;
        }

        static ScalaWatcher forFuture(Class<?> future) throws ReflectiveOperationException {
            try {
                ClassLoader loader = future.getClassLoader();
                Class<?> functionType = Class.forName("scala.Function1", false, loader);
                Class<?> contextType = Class.forName("scala.concurrent.ExecutionContext", false, loader);
                Class<?> failure = Class.forName("scala.util.Failure", false, loader);
                Object directContext = ClassCache.proxyConstructor(contextType).newInstance(new DirectContext());
                return new ScalaWatcher(future.getMethod("onComplete", functionType, contextType),
                        ClassCache.proxyConstructor(functionType), directContext, failure, failure.getMethod("exception"));
            } catch (ClassNotFoundException absent) {
                return null;
            }
        }

        @Override
        Object callback(Call call, Object future) throws Throwable {
            return function.newInstance(new ScalaEnd(this, call));
        }

        @Override
        void register(Object future, Object callback) throws Throwable {
            PublisherCalls.invoke(onComplete, future, callback, directContext);
        }

        /** The exception of {@code outcome}, a {@code scala.util.Try}; null for a success. */
        Throwable failureOf(Object outcome) throws Throwable {
            return failure.isInstance(outcome) ? (Throwable) PublisherCalls.invoke(exception, outcome) : null;
        }
    }

    /** What a Scala future's {@code onComplete} function does: ends the call with the outcome's exception, if any. */
    private static final class ScalaEnd extends Lambda {
        private final ScalaWatcher watcher;
        private final Call call;

        ScalaEnd(ScalaWatcher watcher, Call call) {
            this.watcher = watcher;
            this.call = call;
        }

        @Override
        Object apply(Object[] args) {
            Throwable failure = null;
            try {
                failure = watcher.failureOf(args[0]);
            } catch (Throwable unreadable) {
                WovenCalls.lastFailure = unreadable;
                WovenCalls.failureCount++;
            }
            call.endQuietly(failure, false);
            return null;
        }
    }

    /**
     * The handler of a proxy of Scala's {@code ExecutionContext} that runs what it is given at once, on
     * the calling thread. {@code prepare()} (Scala 2.12 and 2.13 call it) returns the context itself.
     */
    private static final class DirectContext implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, Method method, Object[] args) {
            switch (method.getName()) {
                case "execute":
                    ((Runnable) args[0]).run();
                    return null;
                case "reportFailure":
                    WovenCalls.failed((Throwable) args[0]);
                    return null;
                case "prepare":
                    return proxy;
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "toString":
                    return "dynamo's direct ExecutionContext";
                default:
                    return null;
            }
        }
    }

    /**
     * Netty's {@code Future.addListener(listener)}, with a proxy of Netty's {@code GenericFutureListener}: run
     * by the future's executor (its event loop) once it is done. Its {@code cause()} is null for a success
     * and a {@code CancellationException} for a cancellation.
     */
    private static final class NettyWatcher extends Watcher {
        private final Method addListener;
        private final Method cause;
        private final Constructor<?> listener;

        private NettyWatcher(Method addListener, Method cause, Constructor<?> listener) {
            this.addListener = addListener;
            this.cause = cause;
            this.listener = listener;
        }

        static NettyWatcher forFuture(Class<?> future) throws ReflectiveOperationException {
            try {
                Class<?> listenerType = Class.forName("io.netty.util.concurrent.GenericFutureListener", false,
                        future.getClassLoader());
                return new NettyWatcher(future.getMethod("addListener", listenerType), future.getMethod("cause"),
                        ClassCache.proxyConstructor(listenerType));
            } catch (ClassNotFoundException absent) {
                return null;
            }
        }

        @Override
        Object callback(Call call, Object future) throws Throwable {
            return listener.newInstance(new NettyEnd(this, call));
        }

        @Override
        void register(Object future, Object callback) throws Throwable {
            PublisherCalls.invoke(addListener, future, callback);
        }

        Throwable causeOf(Object future) throws Throwable {
            return (Throwable) PublisherCalls.invoke(cause, future);
        }
    }

    /** What a Netty future's listener does: ends the call with the future's cause, if any. */
    private static final class NettyEnd extends Lambda {
        private final NettyWatcher watcher;
        private final Call call;

        NettyEnd(NettyWatcher watcher, Call call) {
            this.watcher = watcher;
            this.call = call;
        }

        @Override
        Object apply(Object[] args) {
            Throwable cause = null;
            try {
                cause = watcher.causeOf(args[0]);
            } catch (Throwable unreadable) {
                WovenCalls.lastFailure = unreadable;
                WovenCalls.failureCount++;
            }
            // A CancellationException is a cancellation (endQuietly), any other cause an error.
            call.endQuietly(cause, false);
            return null;
        }
    }

    /**
     * Kotlin's {@code Job.invokeOnCompletion(handler)}, with a proxy of Kotlin's {@code Function1} as the
     * handler: called with null when the job completed, with its {@code CancellationException} when it
     * was cancelled, and with its exception when it failed.
     */
    private static final class JobWatcher extends Watcher {
        private final Method invokeOnCompletion;
        private final Constructor<?> handler;
        /** {@code kotlin.Unit.INSTANCE}, which the handler returns. */
        private final Object unit;

        private JobWatcher(Method invokeOnCompletion, Constructor<?> handler, Object unit) {
            this.invokeOnCompletion = invokeOnCompletion;
            this.handler = handler;
            this.unit = unit;
        }

        static JobWatcher forJob(Class<?> job) throws ReflectiveOperationException {
            try {
                ClassLoader loader = job.getClassLoader();
                Class<?> function = Class.forName("kotlin.jvm.functions.Function1", false, loader);
                Object unit = Class.forName("kotlin.Unit", false, loader).getField("INSTANCE").get(null);
                return new JobWatcher(job.getMethod("invokeOnCompletion", function),
                        ClassCache.proxyConstructor(function), unit);
            } catch (ClassNotFoundException absent) {
                return null;
            }
        }

        @Override
        Object callback(Call call, Object job) throws Throwable {
            return handler.newInstance(new JobEnd(call, unit));
        }

        @Override
        void register(Object job, Object callback) throws Throwable {
            PublisherCalls.invoke(invokeOnCompletion, job, callback);
        }
    }

    /** What a Kotlin job's completion handler does: ends the call with the job's cause, if any. */
    private static final class JobEnd extends Lambda {
        private final Call call;
        private final Object unit;

        JobEnd(Call call, Object unit) {
            this.call = call;
            this.unit = unit;
        }

        @Override
        Object apply(Object[] args) {
            // A CancellationException is a cancellation (endQuietly), any other cause an error.
            call.endQuietly((Throwable) args[0], false);
            return unit;
        }
    }
}
