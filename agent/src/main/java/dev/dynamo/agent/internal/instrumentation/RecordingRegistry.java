package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.runtime.internal.instrumentation.EndpointRecording;

import dev.dynamo.runtime.metrics.PrometheusNames;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Registers an instrumented method with the copy of {@code EndpointRecording} that the
 * instrumented class will link to. That is normally the agent's copy on the bootstrap class path;
 * a child-first class loader that carries its own API jar links to its own copy, and the method's
 * id must be valid there. Found by name through the instrumented class's loader; only JDK types cross.
 */
public final class RecordingRegistry {
    /** "namespace/component/endpoint" label values of every registered method's endpoint, in order. */
    private static final Set<String> ENDPOINTS = Collections.synchronizedSet(new LinkedHashSet<String>());

    private RecordingRegistry() {
    }

    /** The endpoints of the instrumented methods, as "namespace/component/endpoint" label values. */
    public static List<String> endpoints() {
        synchronized (ENDPOINTS) {
            return new ArrayList<String>(ENDPOINTS);
        }
    }

    static int register(ClassLoader loader, String key, EndpointNames names) throws ReflectiveOperationException {
        Class<?> recording;
        try {
            recording = Class.forName(EndpointRecording.class.getName(), true, loader);
        } catch (ClassNotFoundException invisible) {
            throw new ClassNotFoundException("its class loader " + loader + " cannot see the dynamo API", invisible);
        }
        try {
            Object id = recording.getMethod("register", String.class, String.class, String.class, String.class)
                    .invoke(null, key, names.namespace(), names.component(), names.endpoint());
            ENDPOINTS.add(PrometheusNames.sanitizeLabelName(names.namespace()) + "/"
                    + PrometheusNames.sanitizeLabelName(names.component()) + "/"
                    + PrometheusNames.sanitizeLabelName(names.endpoint()));
            return (Integer) id;
        } catch (InvocationTargetException failed) {
            Throwable cause = failed.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw failed;
        }
    }
}
