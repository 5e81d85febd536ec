package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.agent.internal.log.AgentLog;
import dev.dynamo.runtime.internal.ApiLog;
import dev.dynamo.runtime.internal.bridge.ReflectiveCall;
import dev.dynamo.runtime.internal.bridge.WovenMember;
import dev.dynamo.runtime.internal.instrumentation.WovenCalls;
import dev.dynamo.runtime.metrics.PrometheusNames;

import java.lang.instrument.Instrumentation;
import java.lang.ref.WeakReference;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Registers instrumented methods with the copy of {@code WovenCalls} that their class will
 * link to. That is normally the agent's copy on the bootstrap class path, called directly; a
 * child-first class loader that carries its own API jar links to its own copy, found by name and
 * called by reflection (only JDK types cross), and the ids must be valid there. Nothing is kept
 * per class loader but weak references to the last one asked about and its answer, and to the
 * loaders of woven classes not yet seen defined.
 *
 * <p>An endpoint counts as served ({@link #endpoints()}, which {@code /health} reads) once a class
 * woven for it is defined: the JVM may still refuse a class after the transformer returned (a
 * superclass missing from the class path), and it does not tell the agent. So the classes woven for
 * an endpoint not yet served are looked for among their loaders' classes when the endpoints are
 * next asked for; one not there after {@link #REFUSAL_NANOS} was refused, and is dropped with a
 * warning. An endpoint of which a call was counted is served at once: its woven code ran (so it is
 * served also when the loaders of its classes are gone before the endpoints are asked for: a class
 * loader per request or script, collected by a GC in between). At most {@link #MAX_CANDIDATES} classes wait per endpoint (the latest), and none once it
 * is served, so that a JVM whose endpoints nobody asks for (no server) and whose class loaders come
 * and go keeps nothing per loader.
 */
public final class InstrumentedEndpoints {
    private static final AgentLog LOG = AgentLog.get(InstrumentedEndpoints.class);
    /** Far longer than a class's definition takes once its transformers returned. */
    static final long REFUSAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** "namespace/component/endpoint" label values of every served endpoint, in order; the lock of the state here. */
    private static final Set<String> ENDPOINTS = Collections.synchronizedSet(new LinkedHashSet<String>());
    /** Classes that would serve each endpoint not yet served, latest last; guarded by {@link #ENDPOINTS}. */
    private static final Map<String, List<WovenClass>> UNCONFIRMED = new LinkedHashMap<String, List<WovenClass>>();
    /**
     * For each endpoint not yet served that classes linked to the agent's copy of the API were woven
     * for, its id there, whose counted calls serve it; guarded by {@link #ENDPOINTS}.
     */
    private static final Map<String, Integer> PRIMARY_IDS = new HashMap<String, Integer>();
    /** The most classes that wait per endpoint: the same class woven in this many class loaders. */
    static final int MAX_CANDIDATES = 8;
    /** Classes said to be refused, so that each is said once. */
    private static final Set<String> REFUSED = new HashSet<String>();
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

    /**
     * The endpoints of the instrumented methods whose class is defined, as
     * "namespace/component/endpoint" label values.
     */
    public static List<String> endpoints() {
        return endpointsAt(System.nanoTime());
    }

    /** {@link #endpoints()} at {@code now} ({@link System#nanoTime()}): a seam for tests of refused classes. */
    static List<String> endpointsAt(long now) {
        synchronized (ENDPOINTS) {
            if (!UNCONFIRMED.isEmpty()) {
                confirmDefined(now);
            }
            return new ArrayList<String>(ENDPOINTS);
        }
    }

    /**
     * Class {@code internalName} of {@code loader} was woven for {@code endpoints}: they are served
     * once it is defined, which {@code definedClasses} tells (with null, at once), or once a call of
     * one is counted.
     *
     * @param primaryIds the ids of {@code endpoints} in the agent's copy of the API, in the same order,
     *                   or null when the class links to another copy
     */
    static void woven(ClassLoader loader, String internalName, List<String> endpoints, int[] primaryIds,
            Instrumentation definedClasses) {
        synchronized (ENDPOINTS) {
            if (definedClasses == null) {
                ENDPOINTS.addAll(endpoints);
                return;
            }
            WovenClass woven = new WovenClass(loader, internalName.replace('/', '.'), definedClasses, System.nanoTime());
            for (int i = 0; i < endpoints.size(); i++) {
                String endpoint = endpoints.get(i);
                if (ENDPOINTS.contains(endpoint)) {
                    continue;
                }
                if (primaryIds != null) {
                    PRIMARY_IDS.put(endpoint, primaryIds[i]);
                }
                List<WovenClass> candidates = UNCONFIRMED.get(endpoint);
                if (candidates == null) {
                    candidates = new ArrayList<WovenClass>(2);
                    UNCONFIRMED.put(endpoint, candidates);
                }
                for (Iterator<WovenClass> each = candidates.iterator(); each.hasNext(); ) {
                    if (each.next().loader.get() == null) {
                        each.remove();
                    }
                }
                if (candidates.size() == MAX_CANDIDATES) {
                    candidates.remove(0);
                }
                candidates.add(woven);
            }
        }
    }

    /**
     * Class {@code type}, loaded before the agent, was woven when the agent asked to retransform it, but
     * the JVM refused the result and runs it as it was: it serves none of the endpoints it was woven for.
     * Unlike a class refused at its first definition, it is found defined, so it is said here; an
     * endpoint already served by a counted call or by another class stays served.
     */
    static void leftAsItWas(Class<?> type) {
        synchronized (ENDPOINTS) {
            for (Iterator<Map.Entry<String, List<WovenClass>>> endpoints = UNCONFIRMED.entrySet().iterator();
                    endpoints.hasNext(); ) {
                Map.Entry<String, List<WovenClass>> endpoint = endpoints.next();
                for (Iterator<WovenClass> each = endpoint.getValue().iterator(); each.hasNext(); ) {
                    WovenClass woven = each.next();
                    if (woven.loader.get() == type.getClassLoader() && woven.className.equals(type.getName())) {
                        each.remove();
                    }
                }
                if (endpoint.getValue().isEmpty()) {
                    endpoints.remove();
                    noLongerWaitedFor(endpoint.getKey());
                }
            }
        }
    }

    /**
     * Endpoint {@code endpoint} has no woven class left to wait for; under {@link #ENDPOINTS}. When none served it,
     * its series leave the page while none of its calls was counted: they would claim calls that are not measured.
     * A primary copy of the API older than the agent has no such call.
     */
    private static void noLongerWaitedFor(String endpoint) {
        Integer primaryId = PRIMARY_IDS.remove(endpoint);
        if (primaryId == null || ENDPOINTS.contains(endpoint)) {
            return;
        }
        try {
            WovenCalls.hideUncounted(primaryId);
        } catch (LinkageError olderApi) {
            // Its series stay, at zero, as before.
        }
    }

    /** Serves the endpoints of the woven classes that are defined now; under {@link #ENDPOINTS}. */
    private static void confirmDefined(long now) {
        Map<ClassLoader, Set<String>> definedByLoader = new IdentityHashMap<ClassLoader, Set<String>>();
        for (Iterator<Map.Entry<String, List<WovenClass>>> endpoints = UNCONFIRMED.entrySet().iterator();
                endpoints.hasNext(); ) {
            Map.Entry<String, List<WovenClass>> endpoint = endpoints.next();
            Integer primaryId = PRIMARY_IDS.get(endpoint.getKey());
            if (primaryId != null && WovenCalls.counted(primaryId)) {
                ENDPOINTS.add(endpoint.getKey());
                endpoint.getValue().clear();
            }
            for (Iterator<WovenClass> each = endpoint.getValue().iterator(); each.hasNext(); ) {
                WovenClass woven = each.next();
                ClassLoader loader = woven.loader.get();
                if (loader == null) {
                    each.remove();
                } else if (definedIn(loader, woven, definedByLoader).contains(woven.className)) {
                    ENDPOINTS.add(endpoint.getKey());
                    endpoint.getValue().clear();
                    break;
                } else if (now - woven.wovenAt > REFUSAL_NANOS) {
                    each.remove();
                    if (REFUSED.add(woven.className)) {
                        LOG.warn(woven.className + " was instrumented, but the JVM did not define it (the application"
                                + " got the error, a superclass missing from the class path, say): the endpoint "
                                + endpoint.getKey() + " is not served by it");
                    }
                }
            }
            if (endpoint.getValue().isEmpty()) {
                endpoints.remove();
                noLongerWaitedFor(endpoint.getKey());
            }
        }
    }

    /** The binary names of the classes {@code loader} defined, read once per confirmation. */
    private static Set<String> definedIn(ClassLoader loader, WovenClass woven,
            Map<ClassLoader, Set<String>> definedByLoader) {
        Set<String> defined = definedByLoader.get(loader);
        if (defined == null) {
            defined = new HashSet<String>();
            // The classes the JVM recorded for that loader: those it defined, and those it was asked for.
            for (Class<?> type : woven.definedClasses.getInitiatedClasses(loader)) {
                if (type.getClassLoader() == loader) {
                    defined.add(type.getName());
                }
            }
            definedByLoader.put(loader, defined);
        }
        return defined;
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
            throw new ClassNotFoundException("its class loader " + ApiLog.loaderName(loader) + " cannot see the dynamo API", invisible);
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
        return OLDER_COPY + ApiLog.loaderName(loader) + " loads lacks " + member + ", which the agent calls: the application carries an"
                + " API jar older than the agent. Use an API jar of the agent's version or newer, or leave it out of"
                + " the application (scope provided: the agent brings its own)";
    }

    /** A woven class, and where to look for it. */
    private static final class WovenClass {
        final WeakReference<ClassLoader> loader;
        /** Binary name. */
        final String className;
        final Instrumentation definedClasses;
        final long wovenAt;

        WovenClass(ClassLoader loader, String className, Instrumentation definedClasses, long wovenAt) {
            this.loader = new WeakReference<ClassLoader>(loader);
            this.className = className;
            this.definedClasses = definedClasses;
            this.wovenAt = wovenAt;
        }
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

        /** Whether this is the agent's copy, on the bootstrap class path, rather than a class loader's own. */
        boolean isPrimary() {
            return reserve == null;
        }

        int reserve(EndpointNames names) throws ReflectiveOperationException {
            if (reserve == null) {
                return WovenCalls.reserve(names.namespace(), names.component(), names.endpoint());
            }
            return (Integer) invoke(reserve, names.namespace(), names.component(), names.endpoint());
        }

        /**
         * Creates the endpoint's metrics: from now on it is measured. Returns the endpoint as
         * "namespace/component/endpoint" label values, for {@link #woven}.
         *
         * @param handlerShape {@link MethodShape#isHandlerShape()} of the method woven for it; a copy
         *                     of the API found by reflection readies every shape, as older copies do
         */
        String activate(int id, EndpointNames names, boolean handlerShape) throws ReflectiveOperationException {
            if (activate == null) {
                WovenCalls.activate(id, handlerShape);
            } else {
                invoke(activate, id);
            }
            return PrometheusNames.sanitizeLabelName(names.namespace()) + "/"
                    + PrometheusNames.sanitizeLabelName(names.component()) + "/"
                    + PrometheusNames.sanitizeLabelName(names.endpoint());
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
