package dev.dynamo.agent.internal.instrumentation;

import dev.dynamo.runtime.internal.instrumentation.EndpointRecording;

import java.lang.reflect.InvocationTargetException;

/**
 * Registers an instrumented method with the copy of {@code EndpointRecording} that the
 * instrumented class will link to. That is normally the agent's copy on the bootstrap class path;
 * a child-first class loader that carries its own API jar links to its own copy, and the method's
 * id must be valid there. Found by name through the instrumented class's loader; only JDK types cross.
 */
final class RecordingRegistry {
    private RecordingRegistry() {
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
