package dev.dynamo.it.apps;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Arrays;

/**
 * {@code ChildFirstLauncher <jar>[:<jar>...] <main class> [args]}: runs the main class loaded by a
 * child-first class loader over the jars, as application servers and some fat-jar launchers do.
 * Only JDK classes come from the parent; everything in the jars, the dynamo API included, is the
 * child loader's own copy.
 */
public final class ChildFirstLauncher {

    private ChildFirstLauncher() {
    }

    public static void main(String[] args) throws Exception {
        String[] jars = args[0].split(File.pathSeparator);
        URL[] urls = new URL[jars.length];
        for (int i = 0; i < jars.length; i++) {
            urls[i] = new File(jars[i]).toURI().toURL();
        }
        ClassLoader loader = new ChildFirstClassLoader(urls, ChildFirstLauncher.class.getClassLoader());
        Thread.currentThread().setContextClassLoader(loader);
        Method main = Class.forName(args[1], true, loader).getMethod("main", String[].class);
        main.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
    }

    static final class ChildFirstClassLoader extends URLClassLoader {
        static {
            registerAsParallelCapable();
        }

        ChildFirstClassLoader(URL[] urls, ClassLoader parent) {
            super(urls, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null && !name.startsWith("java.") && !name.startsWith("javax.")
                        && !name.startsWith("sun.") && !name.startsWith("jdk.")) {
                    try {
                        loaded = findClass(name);
                    } catch (ClassNotFoundException notInTheJars) {
                        loaded = null;
                    }
                }
                if (loaded == null) {
                    return super.loadClass(name, resolve);
                }
                if (resolve) {
                    resolveClass(loaded);
                }
                return loaded;
            }
        }

        @Override
        public String toString() {
            return "ChildFirstClassLoader" + Arrays.toString(getURLs());
        }
    }
}
