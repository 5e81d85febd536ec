package dev.dynamo.runtime.internal.bridge;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * Every static member of the API that the code woven into an {@code @DynamoEndpoint} method refers
 * to. Unlike a {@link ReflectiveCall}, these are linked: the woven code names them in its own
 * bytecode, and they resolve in whatever copy of the API the method's class loader sees. The weaver
 * emits references only through this list, and before it weaves a class that sees another copy
 * than the agent's, it checks that the copy has every member (a missing one would fail with
 * {@code NoSuchMethodError} inside the application's method, or leave calls that never end).
 *
 * <p>Frozen like the reflective calls: a member is added, never changed or removed, because woven
 * classes of released agents refer to it.
 */
public enum WovenMember {
    /** Starts a synchronous or stage-returning call: {@code long start = enter(id)}. */
    ENTER(ClassNames.WOVEN_CALLS, "enter", "(I)J"),
    /** Ends a synchronous call that returns. */
    EXIT(ClassNames.WOVEN_CALLS, "exit", "(IJ)V"),
    /** Ends a call declared to return a {@code CompletionStage} when the returned stage completes. */
    EXIT_STAGE(ClassNames.WOVEN_CALLS, "exitStage", "(Ljava/lang/Object;IJ)V"),
    /** Ends a synchronous or stage-returning call that throws. */
    EXIT_THROWN(ClassNames.WOVEN_CALLS, "exitThrown", "(Ljava/lang/Throwable;IJ)V"),
    /** Where the woven code counts, with plain array writes, the exits it could not call. */
    UNRECORDED_EXITS(ClassNames.WOVEN_CALLS, "UNRECORDED_EXITS", "[I"),
    /** The same for calls that threw, each an error too. */
    UNRECORDED_THROWN_EXITS(ClassNames.WOVEN_CALLS, "UNRECORDED_THROWN_EXITS", "[I"),
    /** Where the woven code keeps, by id, the exception of the last call counted there. */
    UNRECORDED_THROWN(ClassNames.WOVEN_CALLS, "UNRECORDED_THROWN", "[Ljava/lang/Throwable;"),

    /** Starts a Kotlin suspend call (NOT_STARTED for a resumption of its own state machine). */
    SUSPEND_ENTER(ClassNames.SUSPEND_CALLS, "enter", "(ILjava/lang/Object;Ljava/lang/String;)J"),
    /** Wraps the caller's continuation, which ends the call when the coroutine completes. */
    SUSPEND_CONTINUATION(ClassNames.SUSPEND_CALLS, "continuation", "(Ljava/lang/Object;IJ)Ljava/lang/Object;"),
    /** A suspend function returns: a value ends the call, the suspension marker does not. */
    SUSPEND_EXIT(ClassNames.SUSPEND_CALLS, "exit", "(Ljava/lang/Object;Ljava/lang/Object;IJ)V"),
    /** A suspend function throws. */
    SUSPEND_EXIT_THROWN(ClassNames.SUSPEND_CALLS, "exitThrown", "(Ljava/lang/Throwable;IJ)V"),
    /** The suspension marker, read where no call can be made. */
    SUSPENDED(ClassNames.SUSPEND_CALLS, "suspended", "Ljava/lang/Object;"),

    /** Starts a publisher-returning call. */
    PUBLISHER_ENTER(ClassNames.PUBLISHER_CALLS, "enter", "(I)J"),
    /** Returns the publisher watched, of the same type; the call is counted at its first subscription. */
    PUBLISHER_EXIT(ClassNames.PUBLISHER_CALLS, "exit", "(Ljava/lang/Object;IJI)Ljava/lang/Object;"),
    /** A publisher-returning method throws. */
    PUBLISHER_EXIT_THROWN(ClassNames.PUBLISHER_CALLS, "exitThrown", "(Ljava/lang/Throwable;IJ)V"),

    /** Starts a gRPC service method call, given its response observer. */
    OBSERVER_ENTER(ClassNames.OBSERVER_CALLS, "enter", "(ILjava/lang/Object;)J"),
    /** A gRPC service method returns; its observer may end the call later. */
    OBSERVER_EXIT(ClassNames.OBSERVER_CALLS, "exit", "(IJLjava/lang/Object;)V"),
    /** A gRPC service method throws. */
    OBSERVER_EXIT_THROWN(ClassNames.OBSERVER_CALLS, "exitThrown", "(Ljava/lang/Throwable;Ljava/lang/Object;IJ)V"),

    /** Starts a JAX-RS call that answers through an {@code AsyncResponse}, given that response. */
    ASYNC_RESPONSE_ENTER(ClassNames.ASYNC_RESPONSE_CALLS, "enter", "(ILjava/lang/Object;)J"),
    /** The {@code AsyncResponse} the method runs with: a proxy that notes the application's answer. */
    ASYNC_RESPONSE_WATCH(ClassNames.ASYNC_RESPONSE_CALLS, "watch", "(Ljava/lang/Object;IJ)Ljava/lang/Object;"),
    /** A JAX-RS method that answers through an {@code AsyncResponse} returns; the response's end ends the call. */
    ASYNC_RESPONSE_EXIT(ClassNames.ASYNC_RESPONSE_CALLS, "exit", "(IJLjava/lang/Object;)V"),
    /** A JAX-RS method that answers through an {@code AsyncResponse} throws. */
    ASYNC_RESPONSE_EXIT_THROWN(ClassNames.ASYNC_RESPONSE_CALLS, "exitThrown",
            "(Ljava/lang/Throwable;Ljava/lang/Object;IJ)V");

    private final String owner;
    private final String memberName;
    private final String descriptor;

    WovenMember(String owner, String memberName, String descriptor) {
        this.owner = owner;
        this.memberName = memberName;
        this.descriptor = descriptor;
    }

    /** The internal name ({@code a/b/C}) of the class that declares the member. */
    public String owner() {
        return owner;
    }

    public String memberName() {
        return memberName;
    }

    /** The JVM descriptor: a method's {@code (...)R}, or a field's type. */
    public String descriptor() {
        return descriptor;
    }

    public boolean isField() {
        return descriptor.charAt(0) != '(';
    }

    /**
     * Checks that the copy of the declaring class that {@code loader} sees has this member, public
     * and static, with this descriptor.
     *
     * @throws ReflectiveOperationException naming the member, when that copy lacks it or the class
     */
    public void requireIn(ClassLoader loader) throws ReflectiveOperationException {
        Class<?> type = Class.forName(owner.replace('/', '.'), false, loader);
        if (isField()) {
            for (Field field : type.getFields()) {
                if (field.getName().equals(memberName) && Modifier.isStatic(field.getModifiers())
                        && descriptorOf(field.getType()).equals(descriptor)) {
                    return;
                }
            }
        } else {
            for (Method method : type.getMethods()) {
                if (method.getName().equals(memberName) && Modifier.isStatic(method.getModifiers())
                        && descriptorOf(method).equals(descriptor)) {
                    return;
                }
            }
        }
        throw new NoSuchMethodException(signature());
    }

    /** The member as a message names it. */
    public String signature() {
        return "static " + owner.replace('/', '.') + "." + memberName + (isField() ? " " : "") + descriptor;
    }

    static String descriptorOf(Method method) {
        StringBuilder descriptor = new StringBuilder("(");
        for (Class<?> parameter : method.getParameterTypes()) {
            descriptor.append(descriptorOf(parameter));
        }
        return descriptor.append(')').append(descriptorOf(method.getReturnType())).toString();
    }

    static String descriptorOf(Class<?> type) {
        if (type.isArray()) {
            return type.getName().replace('.', '/');
        }
        if (!type.isPrimitive()) {
            return "L" + type.getName().replace('.', '/') + ";";
        }
        if (type == void.class) {
            return "V";
        }
        if (type == boolean.class) {
            return "Z";
        }
        if (type == long.class) {
            return "J";
        }
        // int I, byte B, char C, short S, float F, double D: the first letter, upper case.
        return String.valueOf(Character.toUpperCase(type.getName().charAt(0)));
    }

    /** The classes the woven code refers to. Their names are frozen: woven classes of released agents name them. */
    public static final class ClassNames {
        public static final String WOVEN_CALLS = "dev/dynamo/runtime/internal/instrumentation/WovenCalls";
        public static final String SUSPEND_CALLS = "dev/dynamo/runtime/internal/instrumentation/SuspendCalls";
        public static final String PUBLISHER_CALLS = "dev/dynamo/runtime/internal/instrumentation/PublisherCalls";
        public static final String OBSERVER_CALLS = "dev/dynamo/runtime/internal/instrumentation/StreamObserverCalls";
        public static final String ASYNC_RESPONSE_CALLS =
                "dev/dynamo/runtime/internal/instrumentation/AsyncResponseCalls";

        private ClassNames() {
        }
    }
}
