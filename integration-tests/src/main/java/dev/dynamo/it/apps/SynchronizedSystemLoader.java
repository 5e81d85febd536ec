package dev.dynamo.it.apps;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;

/**
 * A system class loader ({@code -Djava.system.class.loader}) that is not parallel-capable, as older
 * launchers and plugin hosts install: it defines the class path's classes itself and locks itself
 * while it loads ({@code synchronized loadClass}). The JVM appends an agent's jar to it
 * ({@code appendToClassPathForInstrumentation}), so it also serves the agent's classes.
 */
public final class SynchronizedSystemLoader extends URLClassLoader {
    public SynchronizedSystemLoader(ClassLoader parent) {
        super(classPath(), parent.getParent());
    }

    @Override
    protected synchronized Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        return super.loadClass(name, resolve);
    }

    /** Called by the JVM for each {@code -javaagent} jar. */
    void appendToClassPathForInstrumentation(String path) throws MalformedURLException {
        addURL(new File(path).toURI().toURL());
    }

    private static URL[] classPath() {
        String[] entries = System.getProperty("java.class.path").split(File.pathSeparator);
        URL[] urls = new URL[entries.length];
        for (int i = 0; i < entries.length; i++) {
            try {
                urls[i] = new File(entries[i]).toURI().toURL();
            } catch (MalformedURLException invalid) {
                throw new IllegalArgumentException(entries[i], invalid);
            }
        }
        return urls;
    }
}
