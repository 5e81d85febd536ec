package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.runtime.internal.bridge.ReflectiveCall;
import dev.dynamo.runtime.internal.bridge.WovenMember;
import dev.dynamo.runtime.internal.instrumentation.WovenCalls;
import dev.dynamo.runtime.metrics.PrometheusNames;

import java.lang.ref.WeakReference;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Registers instrumented methods with the copy of {@code WovenCalls} that their class will
 * link to. That is normally the agent's copy on the bootstrap class path, called directly; a
 * child-first class loader that carries its own API jar links to its own copy, found by name and
 * called by reflection (only JDK types cross), and the ids must be valid there. Nothing is kept
 * per class loader but weak references to the last one asked about and its answer.
 */
public final class InstrumentedEndpoints {
    /** "namespace/component/endpoint" label values of every measured endpoint, in order. */
    private static final Set<String> ENDPOINTS = Collections.synchronizedSet(new LinkedHashSet<String>());
    private static final Linked PRIMARY = new Linked(null, null);
    /**
     * The class loader of the last {@link #linkedFrom} lookup and its answer: classes come in runs
     * from one loader, and the lookup (a class loading through every parent) is then made once per
     * run instead of once per class. Weak, loader and answer both: the answer of a loader with its own
     * API copy holds methods of that copy, which would keep the loader, and a redeployed application
     * with it, alive.
     */
    private static volatile LastLookup lastLookup;

    private InstrumentedEndpoints() {
    }

    /** The endpoints of the instrumented methods, as "namespace/component/endpoint" label values. */
    public static List<String> endpoints() {
        synchronized (ENDPOINTS) {
            return new ArrayList<String>(ENDPOINTS);
        }
    }

    /** The copy of the recording that classes of {@code loader} link to. */
    static Linked linkedFrom(ClassLoader loader) throws ReflectiveOperationException {
        LastLookup last = lastLookup;
        Linked linked = last != null && last.loader.get() == loader ? last.linked.get() : null;
        if (linked != null) {
            return linked;
        }
        linked = lookUp(loader);
        lastLookup = new LastLookup(loader, linked);
        return linked;
    }

    private static Linked lookUp(ClassLoader loader) throws ReflectiveOperationException {
        Class<?> recording;
        try {
            recording = Class.forName(WovenCalls.class.getName(), false, loader);
        } catch (ClassNotFoundException invisible) {
            throw new ClassNotFoundException("its class loader " + loader + " cannot see the dynamo API", invisible);
        }
        if (recording == WovenCalls.class) {
            return PRIMARY;
        }
        try {
            // Every member the woven code may refer to, whatever the shapes of this class: a member
            // missing at run time would fail inside the application's method, or leave calls unended.
            for (WovenMember member : WovenMember.values()) {
                member.requireIn(loader);
            }
            return new Linked(ReflectiveCall.RESERVE_ENDPOINT_METHOD.in(recording),
                    ReflectiveCall.ACTIVATE_ENDPOINT_METHOD.in(recording));
        } catch (ReflectiveOperationException old) {
            throw new NoSuchMethodException(olderCopy(loader, old.getMessage()));
        }
    }

    /** How the message about an API copy older than the agent begins. */
    static final String OLDER_COPY = "the copy of the dynamo API that ";

    /** Says that the API copy of {@code loader} lacks {@code member}, and what to do. */
    static String olderCopy(ClassLoader loader, String member) {
        return OLDER_COPY + loader + " loads lacks " + member + ", which the agent calls: the application carries an"
                + " API jar older than the agent. Use an API jar of the agent's version or newer, or leave it out of"
                + " the application (scope provided: the agent brings its own)";
    }

    private static final class LastLookup {
        final WeakReference<ClassLoader> loader;
        final WeakReference<Linked> linked;

        LastLookup(ClassLoader loader, Linked linked) {
            this.loader = new WeakReference<ClassLoader>(loader);
            this.linked = new WeakReference<Linked>(linked);
        }
    }

    /** One copy of {@code WovenCalls}. */
    static final class Linked {
        private final Method reserve;
        private final Method activate;

        private Linked(Method reserve, Method activate) {
            this.reserve = reserve;
            this.activate = activate;
        }

        int reserve(EndpointNames names) throws ReflectiveOperationException {
            if (reserve == null) {
                return WovenCalls.reserve(names.namespace(), names.component(), names.endpoint());
            }
            return (Integer) invoke(reserve, names.namespace(), names.component(), names.endpoint());
        }

        /**
         * Creates the endpoint's metrics: from now on it is measured, and /health lists it.
         *
         * @param handlerShape {@link MethodShape#isHandlerShape()} of the method woven for it; a copy
         *                     of the API found by reflection readies every shape, as older copies do
         */
        void activate(int id, EndpointNames names, boolean handlerShape) throws ReflectiveOperationException {
            if (activate == null) {
                WovenCalls.activate(id, handlerShape);
            } else {
                invoke(activate, id);
            }
            ENDPOINTS.add(PrometheusNames.sanitizeLabelName(names.namespace()) + "/"
                    + PrometheusNames.sanitizeLabelName(names.component()) + "/"
                    + PrometheusNames.sanitizeLabelName(names.endpoint()));
        }

        private static Object invoke(Method method, Object... arguments) throws ReflectiveOperationException {
            try {
                return method.invoke(null, arguments);
            } catch (InvocationTargetException failed) {
                Throwable cause = failed.getCause();
                if (cause instanceof RuntimeException) {
                    throw (RuntimeException) cause;
                }
                throw failed;
            }
        }
    }
}
