package dev.dynamo.agent.internal.instrumentation;

import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.pool.TypePool;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Rewrites the gRPC classes that see the end of a server call, so that a gRPC handler measured as
 * {@link CallShape#STREAM_OBSERVER} is timed to its real end: the response observer's
 * {@code onCompleted}/{@code onError}, and the listeners' {@code onCancel}. Matched by name; the
 * agent does not depend on gRPC. These classes report only calls that a measured handler started,
 * and cost one emptiness check otherwise.
 */
final class GrpcServerCalls {
    static final String OBSERVER = "io/grpc/stub/ServerCalls$ServerCallStreamObserverImpl";
    static final String UNARY_LISTENER = "io/grpc/stub/ServerCalls$UnaryServerCallHandler$UnaryServerCallListener";
    static final String STREAMING_LISTENER =
            "io/grpc/stub/ServerCalls$StreamingServerCallHandler$StreamingServerCallListener";

    private GrpcServerCalls() {
    }

    static boolean isTarget(String internalName) {
        return internalName.startsWith("io/grpc/stub/ServerCalls$") && (internalName.equals(OBSERVER)
                || internalName.equals(UNARY_LISTENER) || internalName.equals(STREAMING_LISTENER));
    }

    /** Whether target {@code internalName} is a call listener (it reports cancellations). */
    static boolean isListener(String internalName) {
        return !internalName.equals(OBSERVER);
    }

    /**
     * Whether both call listeners exist in {@code loader}'s gRPC, looked up as resources without
     * loading them: the streaming listener is loaded only after the first bidi handler has run, yet
     * that handler's call must already be known to end at a cancellation.
     */
    static boolean listenersPresent(ClassLoader loader) {
        return loader.getResource(UNARY_LISTENER + ".class") != null
                && loader.getResource(STREAMING_LISTENER + ".class") != null;
    }

    /** The rewritten class file of {@code internalName}, one of the {@link #isTarget targets}. */
    static byte[] weave(ByteBuddy byteBuddy, ClassLoader loader, String internalName, byte[] classFile) {
        String typeName = internalName.replace('/', '.');
        ClassFileLocator locator = new ClassFileLocator.Compound(ClassFileLocator.Simple.of(typeName, classFile),
                ClassFileLocator.ForClassLoader.of(loader));
        TypePool pool = TypePool.Default.WithLazyResolution.of(locator);
        TypeDescription type = pool.describe(typeName).resolve();
        DynamicType.Builder<?> builder = byteBuddy.redefine(type, locator);
        if (internalName.equals(OBSERVER)) {
            builder = builder
                    .visit(Advice.to(GrpcObserverAdvice.Completed.class).on(named("onCompleted").and(takesArguments(0))))
                    .visit(Advice.to(GrpcObserverAdvice.Failed.class).on(named("onError").and(takesArguments(1))));
        } else {
            builder = builder.visit(Advice.to(GrpcObserverAdvice.Cancelled.class)
                    .on(named("onCancel").and(takesArguments(0))));
        }
        return builder.make(pool).getBytes();
    }
}
