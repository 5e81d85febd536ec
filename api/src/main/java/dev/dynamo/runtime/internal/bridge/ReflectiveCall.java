package dev.dynamo.runtime.internal.bridge;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Every static method that the agent or a copy of the API calls on another copy by name, with its
 * signature. Found through a class loader and called by reflection, because the caller may link to
 * another copy of these classes than the callee, or to none. Only JDK types cross.
 */
public enum ReflectiveCall {
    /** The agent, on the primary copy: marks it attached; false when an agent had claimed it already. */
    CLAIM_AGENT(ClassNames.EXPORT_BRIDGE, "claimAgent", boolean.class),
    /** The agent, on the primary copy: the families of every connected copy, in {@link SnapshotFormat}. */
    COLLECT_ENCODED(ClassNames.EXPORT_BRIDGE, "collectEncoded", List.class),
    /**
     * The agent, on the primary copy: {@link #COLLECT_ENCODED} of the families whose names the
     * {@code Predicate<String>} accepts, for a scrape that asks for a few.
     */
    COLLECT_ENCODED_FAMILIES(ClassNames.EXPORT_BRIDGE, "collectEncoded", List.class, Predicate.class),
    /**
     * The agent, on the primary copy: how large that collection will be, in {@link SizeFormat}, found
     * without collecting.
     */
    MEASURE(ClassNames.EXPORT_BRIDGE, "measure", long[].class, Predicate.class),
    /** The agent, on the primary copy: the health state of every connected copy, in {@link HealthFormat}. */
    HEALTH_ENCODED(ClassNames.EXPORT_BRIDGE, "healthEncoded", List.class),
    /** The agent, on the primary copy: its {@code DYN_METRICS_MAX_SERIES}. */
    SET_DEFAULT_MAX_SERIES(ClassNames.EXPORT_BRIDGE, "setDefaultMaxSeries", void.class, int.class),
    /** The agent, on the primary copy: its {@code DYN_METRICS_MAX_FAMILIES}. */
    SET_MAX_FAMILIES(ClassNames.EXPORT_BRIDGE, "setMaxFamilies", void.class, int.class),
    /** The agent, on the primary copy: the endpoints its {@code DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS} names. */
    SET_ENDPOINTS_GATING_HEALTH(ClassNames.EXPORT_BRIDGE, "setEndpointsGatingHealth", void.class, List.class),
    /** The agent, on the primary copy: routes the API's messages (level, text) to the agent's log. */
    SET_LOG_SINK(ClassNames.API_LOG, "setSink", void.class, BiConsumer.class),
    /** The agent, on the primary copy: creates the runtime, so that its uptime counts from the agent's start. */
    GET_RUNTIME(ClassNames.DISTRIBUTED_RUNTIME, "get", null),
    /** The agent, on each copy other class loaders loaded before it attached: connects it to the primary. */
    CONNECT(ClassNames.EXPORT_BRIDGE, "connect", boolean.class),
    /**
     * The agent, on the copy an instrumented class links to: reserves the id of an instrumented
     * method (namespace, component, endpoint), woven into its code.
     */
    RESERVE_ENDPOINT_METHOD(ClassNames.WOVEN_CALLS, "reserve", int.class,
            String.class, String.class, String.class),
    /** The agent, on the same copy, once the method's class is woven: its calls are recorded from now on. */
    ACTIVATE_ENDPOINT_METHOD(ClassNames.WOVEN_CALLS, "activate", void.class, int.class),
    /** A foreign copy, on the primary: whether an agent exports the primary's metrics. */
    IS_AGENT_ATTACHED(ClassNames.EXPORT_BRIDGE, "isAgentAttached", boolean.class),
    /** A foreign copy, on the primary: a {@code Supplier<List<Object[]>>} of its families in {@link SnapshotFormat}. */
    REGISTER_FOREIGN_STORE(ClassNames.EXPORT_BRIDGE, "registerForeignStore", void.class, Supplier.class),
    /** A foreign copy, on the primary: a {@code Supplier<Object[]>} of its health state in {@link HealthFormat}. */
    REGISTER_FOREIGN_HEALTH(ClassNames.EXPORT_BRIDGE, "registerForeignHealth", void.class, Supplier.class),
    /** A foreign copy, on the primary: the series limit of families that set none. */
    DEFAULT_MAX_SERIES(ClassNames.EXPORT_BRIDGE, "defaultMaxSeries", int.class),
    /** A foreign copy, on the primary: how many metric names each copy exports. */
    MAX_FAMILIES(ClassNames.EXPORT_BRIDGE, "maxFamilies", int.class),
    /** A foreign copy, on the primary: where the primary's messages (level, text) go, for the copy's own. */
    LOG_SINK(ClassNames.EXPORT_BRIDGE, "logSink", BiConsumer.class);

    private final String className;
    private final String methodName;
    /** null: any reference type (the API's own types cannot be named here). */
    private final Class<?> returnType;
    private final Class<?>[] parameterTypes;

    ReflectiveCall(String className, String methodName, Class<?> returnType, Class<?>... parameterTypes) {
        this.className = className;
        this.methodName = methodName;
        this.returnType = returnType;
        this.parameterTypes = parameterTypes;
    }

    /** The binary name of the class that declares the method. */
    public String className() {
        return className;
    }

    public String methodName() {
        return methodName;
    }

    /** The copy of the declaring class that {@code loader} sees; null stands for the bootstrap loader. */
    public Class<?> declaringClassIn(ClassLoader loader) throws ClassNotFoundException {
        return Class.forName(className, true, loader);
    }

    /**
     * The method in {@code type}, a copy of the declaring class.
     *
     * @throws NoSuchMethodException when that copy has no public static method of this signature
     *                               (it is older, or either side changed the contract alone)
     */
    public Method in(Class<?> type) throws NoSuchMethodException {
        Method method = type.getMethod(methodName, parameterTypes);
        Class<?> returned = method.getReturnType();
        boolean returns = returnType == null ? !returned.isPrimitive() : returned == returnType;
        if (!Modifier.isStatic(method.getModifiers()) || !returns) {
            throw new NoSuchMethodException(this + ": " + method + " is not " + signature());
        }
        return method;
    }

    /** Calls the method of {@code type}, a copy of the declaring class, with {@code args}. */
    public Object invoke(Class<?> type, Object... args) throws ReflectiveOperationException {
        return in(type).invoke(null, args);
    }

    /** The expected signature, for messages. */
    public String signature() {
        return "static " + (returnType == null ? "<reference type>" : returnType.getName()) + " " + className + "."
                + methodName + Arrays.toString(parameterTypes).replace('[', '(').replace(']', ')');
    }

    /** The classes whose methods are called by name. Their names are frozen: released copies look them up. */
    public static final class ClassNames {
        /** The entry points of a copy of the API for the agent and for other copies. */
        public static final String EXPORT_BRIDGE = "dev.dynamo.runtime.internal.ExportBridge";
        public static final String API_LOG = "dev.dynamo.runtime.internal.ApiLog";
        public static final String DISTRIBUTED_RUNTIME = "dev.dynamo.runtime.DistributedRuntime";
        /** The static entry of the code woven into endpoint methods. */
        public static final String WOVEN_CALLS = "dev.dynamo.runtime.internal.instrumentation.WovenCalls";

        private ClassNames() {
        }
    }
}
