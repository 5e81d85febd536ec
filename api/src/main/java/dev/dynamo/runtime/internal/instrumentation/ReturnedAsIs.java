package dev.dynamo.runtime.internal.instrumentation;

import dev.dynamo.runtime.internal.ApiLog;

import java.io.Serializable;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * Which publishers and single values a handler shape ({@link PublisherCalls}, {@link SingleValueCalls})
 * returns as they are, their calls timed to the method's return, instead of rebuilding them as the
 * library's type to watch their first subscription: a rebuilt value is an object of another class, so
 * a caller that uses the value as what it is would fail or be passed by. Those are shared publishers
 * ({@link #isShared}), the groups of a {@code groupBy} ({@link #isGroup}) and the application's own
 * subclasses with a member of their own ({@link #isApplicationsOwn}). Decided once per class.
 */
final class ReturnedAsIs {
    private static final String REACTIVE_STREAMS_PROCESSOR = "org.reactivestreams.Processor";
    private static final String FLOW_PROCESSOR = "java.util.concurrent.Flow$Processor";
    /** Reactor's {@code ConnectableFlux}, RxJava's {@code ConnectableFlowable}, Mutiny's {@code ConnectableMulti}. */
    private static final String CONNECTABLE = "Connectable";
    /** Reactor's {@code GroupedFlux}, RxJava's {@code GroupedFlowable}: a group of a {@code groupBy}. */
    private static final String GROUPED = "Grouped";
    private static final String MUTINY_GROUPED_MULTI = "io.smallrye.mutiny.GroupedMulti";
    private static final String MUTINY_MULTI = "io.smallrye.mutiny.Multi";
    /**
     * The packages of the libraries whose types a returned value is rebuilt as, of the JDK and of the
     * languages' runtimes (whose interfaces a class of theirs implements: Groovy's {@code GroovyObject}),
     * and of the libraries known to extend those types for values they return: kotlinx.coroutines'
     * adapters ({@code Flow.asFlux()}, {@code rxSingle}), Vert.x's core and RxJava bindings
     * ({@code AsyncResultSingle}), RSocket's requesters ({@code RequestResponseRequesterMono}), the reactive
     * parts of Spring, R2DBC drivers, Micronaut, Quarkus, OpenTelemetry's RxJava instrumentation
     * ({@code TracingSingle}), resilience4j's operators ({@code MonoCircuitBreaker}) and RxJava's
     * extensions. A class in one of them is never the application's own ({@link #isApplicationsOwn}).
     * They are narrow on purpose: an application class taken for a library's is rebuilt, and its
     * caller's cast fails, while a library class taken for the application's only loses the timing of
     * its calls to their end. So Spring's and Vert.x's projects are named one by one, leaving out
     * {@code org.springframework.samples.} and {@code io.vertx.example.}, where applications live.
     */
    private static final String[] LIBRARY_PACKAGES = {
        "java.", "javax.", "jdk.", "sun.", "com.sun.", // the JDK's: the first JDK_PACKAGES
        "kotlin.", "kotlinx.", "scala.", "groovy.", "org.codehaus.groovy.",
        "org.reactivestreams.",
        "reactor.", "io.reactivex.", "io.smallrye.", "io.rsocket.", "io.r2dbc.", "io.micronaut.", "io.quarkus.",
        "io.opentelemetry.", "io.github.resilience4j.", "hu.akarnokd.", "io.netty.", "io.grpc.", "io.micrometer.",
        "io.vertx.core.", "io.vertx.rxjava3.", "io.vertx.reactivex.", "io.vertx.rxjava.", "io.vertx.mutiny.",
        "io.vertx.kotlin.", "io.vertx.ext.", "io.vertx.sqlclient.", "io.vertx.pgclient.", "io.vertx.mysqlclient.",
        "io.vertx.redis.", "io.vertx.grpc.", "io.vertx.kafka.",
        "org.springframework.core.", "org.springframework.http.", "org.springframework.web.",
        "org.springframework.data.", "org.springframework.security.", "org.springframework.cloud.",
        "org.springframework.r2dbc.", "org.springframework.transaction.", "org.springframework.messaging.",
        "org.springframework.graphql.", "org.springframework.kafka.", "org.springframework.integration.",
        "org.springframework.amqp.", "org.springframework.boot.", "org.springframework.session.",
        "org.springframework.ai.", "org.springframework.retry.", "org.springframework.cache.",
        "org.springframework.aop.", "org.springframework.context.", "org.springframework.util.",
    };
    /** How many of {@link #LIBRARY_PACKAGES}, from the first, are the JDK's. */
    private static final int JDK_PACKAGES = 5;
    private static final String MUTINY_UNI_INTERFACE = "io.smallrye.mutiny.Uni";
    /**
     * The types of the values a wrapper holds: publishers (Reactor's, RxJava's {@code Flowable},
     * Mutiny's {@code Multi}), RxJava's sources of single values and Mutiny's {@code Uni}.
     */
    private static final String[] VALUE_TYPES = {
        "org.reactivestreams.Publisher", "java.util.concurrent.Flow$Publisher", MUTINY_UNI_INTERFACE,
        "io.reactivex.rxjava3.core.SingleSource", "io.reactivex.rxjava3.core.MaybeSource",
        "io.reactivex.rxjava3.core.CompletableSource", "io.reactivex.rxjava3.core.ObservableSource",
    };
    /** Whether a publisher or single value of each class is returned as it is. */
    private static final ClassCache<Boolean> RETURNED_AS_IS = new ClassCache<Boolean>() {
        @Override
        protected Boolean compute(Class<?> type) {
            if (isShared(type) || isGroup(type)) {
                return true;
            }
            if (isApplicationsOwn(type)) {
                ApiLog.debug("a value of " + type.getName() + " is taken for the application's own subclass of a"
                        + " library type, which its caller may use as what it is: returned as it is, its call timed"
                        + " to the method's return");
                return true;
            }
            return false;
        }
    };

    private ReturnedAsIs() {
    }

    /** Whether a publisher or single value of class {@code type} is returned as it is. */
    static boolean isReturnedAsIs(Class<?> type) {
        return RETURNED_AS_IS.get(type);
    }

    /**
     * Whether a publisher of class {@code type} is shared by its subscribers rather than made for one
     * call: a processor (also a subscriber, fed by the application: RxJava's {@code PublishProcessor},
     * Reactor's and Mutiny's processors) or a connectable publisher ({@code ConnectableFlux},
     * {@code ConnectableFlowable}, {@code ConnectableMulti}), which its caller connects. Such a
     * publisher is returned as it is, its call timed to the method's return: wrapped, it would be an
     * object of another class, and the caller's cast to the processor or connectable type it knows it
     * returned would fail; nor does a subscription to it say when the call ended.
     */
    static boolean isShared(Class<?> type) {
        if (ClassCache.interfaceNamed(type, REACTIVE_STREAMS_PROCESSOR) != null
                || ClassCache.interfaceNamed(type, FLOW_PROCESSOR) != null) {
            return true;
        }
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (unqualifiedName(c).startsWith(CONNECTABLE)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a value of class {@code type} is one group of a {@code groupBy} (Reactor's {@code GroupedFlux},
     * RxJava's {@code GroupedFlowable}, Mutiny's {@code GroupedMulti}): a library type with a method of its
     * own, {@code key()}, which a caller casts to reach. Returned as it is, its call timed to the return.
     */
    static boolean isGroup(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (unqualifiedName(c).startsWith(GROUPED) && inLibraryPackage(c)) {
                return true;
            }
        }
        return ClassCache.interfaceNamed(type, MUTINY_GROUPED_MULTI) != null;
    }

    /**
     * The name of {@code type} without its package and enclosing classes, read from its binary name:
     * {@code getSimpleName()} reads the enclosing class, which a class defined apart from it (by another
     * class loader) contradicts with an {@code IncompatibleClassChangeError}.
     */
    private static String unqualifiedName(Class<?> type) {
        String name = type.getName();
        return name.substring(Math.max(name.lastIndexOf('.'), name.lastIndexOf('$')) + 1);
    }

    /**
     * Whether {@code type} is the application's own subclass of a library type the agent would rebuild
     * the value as ({@code Flux}, {@code Mono}, {@code Flowable}, {@code Single}, {@code Maybe},
     * {@code Completable}, a {@code Uni} or {@code Multi}), one that its caller may use as what it is.
     * That is a class outside {@link #LIBRARY_PACKAGES}, or one between it and the library type, that has
     * members of its own ({@link #hasMembersOfItsOwn}); or a named class that adds nothing but wraps no
     * other value, which a caller may still test for or compare with (a Kotlin {@code object}, the cases
     * of a sealed class, a singleton). Its value is returned as it is, its call timed to the return:
     * rebuilt, it would be an object of the library's class, so a caller's cast to reach those members
     * ({@code ((MyUni) uni()).tag()}) would fail, a call of a method it overrides would run the library's,
     * and an {@code instanceof} or {@code ==} would no longer hold.
     *
     * <p>A class that only overrides the methods that subscribe ({@code subscribeActual},
     * {@code subscribe}) and holds the value it wraps (a field of a publisher or single-value type) is a
     * wrapper: the shape of what an assembly hook or an interceptor puts around every value (RxJava's
     * {@code setOnSingleAssembly}, Reactor's {@code Hooks.onEachOperator}, Mutiny's {@code UniInterceptor})
     * and of a third-party operator. Its values are rebuilt and measured to their end, as are those of an
     * anonymous subclass of the library's type.
     */
    static boolean isApplicationsOwn(Class<?> type) {
        Class<?> library = null;
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (inLibraryPackage(c)) {
                library = c;
                break;
            }
        }
        if (library == null || library == Object.class) {
            // No library superclass: a Uni or Multi the application implements itself.
            if (ClassCache.interfaceNamed(type, MUTINY_UNI_INTERFACE) == null
                    && ClassCache.interfaceNamed(type, MUTINY_MULTI) == null) {
                return false;
            }
        }
        try {
            boolean named = false;
            boolean wrapper = false;
            for (Class<?> c = type; c != library && c != null; c = c.getSuperclass()) {
                if (hasMembersOfItsOwn(c, library)) {
                    return true;
                }
                named |= !c.isAnonymousClass() && !c.isSynthetic();
                wrapper |= holdsAValue(c);
            }
            return named && !wrapper;
        } catch (RuntimeException | LinkageError unreadable) {
            // A member's signature names a class that cannot be loaded: returned as it is, rather than risk a
            // caller's cast.
            return true;
        }
    }

    /**
     * Whether class {@code c} declares an instance field of a publisher or single-value type: the value it
     * wraps. Where a field's type is missing at run time, so that no field can be read, a constructor
     * that takes such a value tells instead.
     */
    private static boolean holdsAValue(Class<?> c) {
        Field[] fields;
        try {
            fields = c.getDeclaredFields();
        } catch (LinkageError missingType) {
            for (Constructor<?> constructor : c.getDeclaredConstructors()) {
                for (Class<?> parameter : constructor.getParameterTypes()) {
                    if (isValueType(parameter)) {
                        return true;
                    }
                }
            }
            return false;
        }
        for (Field field : fields) {
            if (!Modifier.isStatic(field.getModifiers()) && isValueType(field.getType())) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code type} is, or has, one of {@link #VALUE_TYPES}. */
    private static boolean isValueType(Class<?> type) {
        if (type.isPrimitive() || type.isArray()) {
            return false;
        }
        for (String name : VALUE_TYPES) {
            if (type.getName().equals(name) || ClassCache.interfaceNamed(type, name) != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether application class {@code c} has something of its own that a caller may use: a public
     * instance field; an interface that {@code library} does not have, other than a library's (Reactor's
     * {@code Scannable}, Groovy's {@code GroovyObject}) and {@code Serializable}; or a non-private instance
     * method other than one that subscribes, one of a library's interface, and {@code Object}'s
     * {@code equals}, {@code hashCode} and {@code toString}. So a new method, a narrower return type, and
     * an override of any other method of the library type ({@code block()}) all count.
     */
    private static boolean hasMembersOfItsOwn(Class<?> c, Class<?> library) {
        for (Class<?> implemented : c.getInterfaces()) {
            if (implemented != Serializable.class && (library == null || !implemented.isAssignableFrom(library))
                    && (!inLibraryPackage(implemented) || isJdks(implemented))) {
                return true;
            }
        }
        // getFields() and getMethods() see only public members: a private one's signature, which may name a
        // class missing at run time, is not resolved.
        for (Field field : c.getFields()) {
            if (field.getDeclaringClass() == c && !Modifier.isStatic(field.getModifiers()) && !field.isSynthetic()) {
                return true;
            }
        }
        Method[] methods;
        try {
            methods = c.getDeclaredMethods();
        } catch (LinkageError missingType) {
            methods = c.getMethods();
        }
        for (Method method : methods) {
            int modifiers = method.getModifiers();
            if (method.getDeclaringClass() == c && !Modifier.isPrivate(modifiers) && !Modifier.isStatic(modifiers)
                    && !method.isSynthetic() && !method.isBridge() && !isOneEveryWrapperHas(c, library, method)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code method} of {@code c} overrides one that subscribes ({@code subscribe},
     * {@code subscribeActual}) of {@code library} or its superclasses, overrides {@code Object}'s
     * {@code equals}, {@code hashCode} or {@code toString}, or is a method (with its return type) of a
     * library's interface that {@code c} has. A new overload of {@code subscribe} is none of these.
     */
    private static boolean isOneEveryWrapperHas(Class<?> c, Class<?> library, Method method) {
        String name = method.getName();
        if (name.equals("subscribe") || name.equals("subscribeActual")) {
            for (Class<?> s = library; s != null; s = s.getSuperclass()) {
                if (declaredLike(s, method) != null) {
                    return true;
                }
            }
        }
        if (hasSameMethod(Object.class, method)) {
            return name.equals("equals") || name.equals("hashCode") || name.equals("toString");
        }
        for (Class<?> s = c; s != null; s = s.getSuperclass()) {
            for (Class<?> implemented : s.getInterfaces()) {
                if (declaresInHierarchy(implemented, method)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether library interface {@code type} or one it extends declares {@code method}, with its return type. */
    private static boolean declaresInHierarchy(Class<?> type, Method method) {
        if (inLibraryPackage(type) && !isJdks(type) && hasSameMethod(type, method)) {
            return true;
        }
        for (Class<?> extended : type.getInterfaces()) {
            if (declaresInHierarchy(extended, method)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code type} declares {@code method}'s name and parameters with its return type. */
    private static boolean hasSameMethod(Class<?> type, Method method) {
        Method declared = declaredLike(type, method);
        return declared != null && declared.getReturnType() == method.getReturnType();
    }

    /** The method {@code type} declares with {@code method}'s name and parameters, or null. */
    private static Method declaredLike(Class<?> type, Method method) {
        try {
            return type.getDeclaredMethod(method.getName(), method.getParameterTypes());
        } catch (NoSuchMethodException no) {
            return null;
        }
    }

    private static boolean isJdks(Class<?> type) {
        return inPackages(type, JDK_PACKAGES);
    }

    private static boolean inLibraryPackage(Class<?> type) {
        return inPackages(type, LIBRARY_PACKAGES.length);
    }

    /** Whether {@code type} is in one of the first {@code count} of {@link #LIBRARY_PACKAGES}. */
    private static boolean inPackages(Class<?> type, int count) {
        String name = type.getName();
        for (int i = 0; i < count; i++) {
            if (name.startsWith(LIBRARY_PACKAGES[i])) {
                return true;
            }
        }
        return false;
    }
}
