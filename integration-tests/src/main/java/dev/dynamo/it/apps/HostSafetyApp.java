package dev.dynamo.it.apps;

import dev.dynamo.runtime.DynamoEndpoint;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Does to its JVM what an application at the edge of its resources does, on command (one stdin line
 * each, one stdout line answering each, starting with the command's name):
 *
 * <ul>
 *   <li>{@code overflow} — recurses through {@link #overflow} into a {@code StackOverflowError} and catches it</li>
 *   <li>{@code jdk-after-overflow} — then uses what a failed class initialisation at the top of that
 *       stack would break for good: serialization, a user {@code ClassValue}, a record's
 *       {@code toString}/{@code equals} (JDK 16+, compiled here), and an error counted by the agent</li>
 *   <li>{@code depth <n>} — recurses {@code n} deep through {@link #tiny}, once it is compiled; answers
 *       {@code ok} or {@code overflow}</li>
 *   <li>{@code max-depth tiny|realistic} — how deep {@link #tinyDepth} or {@link #realisticDepth} gets
 *       before the stack ends</li>
 *   <li>{@code oversized} — calls both methods of {@link OversizedHandler}</li>
 *   <li>{@code loaders <n>} — {@code n} class loaders each load and call {@link LoadedHandler}, then are dropped;
 *       answers how many of them are still reachable after GC and the heap used after GC</li>
 * </ul>
 */
public final class HostSafetyApp {
    static final String NS = "safety";

    private static int deepest;

    private HostSafetyApp() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        reply("ready");
        for (String line; (line = in.readLine()) != null; ) {
            String[] words = line.trim().split("\\s+");
            if (words[0].equals("exit")) {
                break;
            }
            String answer;
            try {
                answer = execute(words);
            } catch (Throwable unexpected) {
                answer = "failed " + unexpected;
            }
            reply(words[0] + " " + answer);
        }
    }

    private static String execute(String[] command) throws Exception {
        switch (command[0]) {
            case "overflow":
                try {
                    overflow(0);
                    return "no overflow";
                } catch (StackOverflowError expected) {
                    return "caught at depth " + deepest;
                }
            case "jdk-after-overflow":
                return jdkAfterOverflow();
            case "depth":
                try {
                    int depth = Integer.parseInt(command[1]);
                    // Real code that recurses this deep is hot: compiled, as after this warm-up.
                    for (int i = 0; i < 300; i++) {
                        tiny(1_000);
                    }
                    return tiny(depth) == depth ? "ok" : "wrong result";
                } catch (StackOverflowError tooDeep) {
                    return "overflow";
                }
            case "max-depth":
                return String.valueOf(maxDepth(command[1]));
            case "oversized":
                return OversizedHandler.small(20) + " " + OversizedHandler.oversized().length;
            case "loaders":
                return loaders(Integer.parseInt(command[1]));
            default:
                return "unknown command";
        }
    }

    @DynamoEndpoint(namespace = NS, component = "recursion", endpoint = "overflow")
    static int overflow(int level) {
        deepest = level;
        return overflow(level + 1) + 1;
    }

    @DynamoEndpoint(namespace = NS, component = "recursion", endpoint = "tiny")
    static int tiny(int n) {
        return n == 0 ? 0 : tiny(n - 1) + 1;
    }

    @DynamoEndpoint(namespace = NS, component = "errors", endpoint = "failing")
    static void failing() {
        throw new IllegalStateException("after the overflow");
    }

    private static int maxDepth(String method) {
        // Warm up first, so that the JIT has compiled what the measured run calls.
        for (int i = 0; i < 200; i++) {
            descend(method, 2_000);
        }
        deepest = 0;
        try {
            descend(method, Integer.MAX_VALUE);
        } catch (StackOverflowError end) {
            return deepest;
        }
        return -1;
    }

    private static void descend(String method, int limit) {
        if (method.equals("tiny")) {
            tinyDepth(0, limit);
        } else {
            realisticDepth("/a/b/c", 0, 1_000_000L, Collections.<String>emptyList(), limit);
        }
    }

    @DynamoEndpoint(namespace = NS, component = "recursion", endpoint = "tiny_depth")
    static int tinyDepth(int level, int limit) {
        deepest = level;
        return level == limit ? 0 : tinyDepth(level + 1, limit) + 1;
    }

    @DynamoEndpoint(namespace = NS, component = "recursion", endpoint = "realistic_depth")
    static long realisticDepth(String path, int level, long budget, List<String> trail, int limit) {
        deepest = level;
        if (level == limit) {
            return 0;
        }
        String step = path.length() > 3 ? path.substring(1) : path + level;
        long cost = budget - step.length() * 3L;
        int hash = step.hashCode() ^ level;
        long below = realisticDepth(step, level + 1, cost, trail, limit);
        return below + hash + cost + trail.size();
    }

    private static String jdkAfterOverflow() throws Exception {
        List<String> results = new ArrayList<String>();

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new ArrayList<String>(Collections.singletonList("payload")));
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            results.add("serialization=" + in.readObject());
        }

        ClassValue<String> names = new ClassValue<String>() {
            @Override
            protected String computeValue(Class<?> type) {
                return type.getSimpleName();
            }
        };
        results.add("classvalue=" + names.get(HostSafetyApp.class));

        results.add("record=" + record());

        try {
            failing();
            results.add("error=not thrown");
        } catch (IllegalStateException expected) {
            results.add("error=" + expected.getMessage().replace(' ', '_'));
        }
        return String.join(" ", results);
    }

    /** A record's toString and equals, on JDKs that have records: compiled here, after the overflow. */
    private static String record() throws Exception {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        String version = System.getProperty("java.specification.version");
        if (compiler == null || version.startsWith("1.") || Integer.parseInt(version) < 16) {
            return "unsupported";
        }
        File dir = Files.createTempDirectory("record").toFile();
        File source = new File(dir, "Point.java");
        Files.write(source.toPath(), "public record Point(int x, int y) {}".getBytes(StandardCharsets.UTF_8));
        int status = compiler.run(null, null, null, "-d", dir.getPath(), source.getPath());
        if (status != 0) {
            return "not_compiled";
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toURI().toURL()})) {
            Class<?> point = loader.loadClass("Point");
            Object a = point.getConstructor(int.class, int.class).newInstance(1, 2);
            Object b = point.getConstructor(int.class, int.class).newInstance(1, 2);
            return a.toString().replace(' ', '_') + ",equals=" + a.equals(b);
        }
    }

    private static String loaders(int count) throws Exception {
        byte[] classFile = readResource(LoadedHandler.class.getName().replace('.', '/') + ".class");
        List<WeakReference<ClassLoader>> dropped = new ArrayList<WeakReference<ClassLoader>>(count);
        long started = System.nanoTime();
        long sum = 0;
        for (int i = 0; i < count; i++) {
            ClassLoader loader = new SingleClassLoader(LoadedHandler.class.getName(), classFile);
            sum += (Integer) loader.loadClass(LoadedHandler.class.getName()).getMethod("handle", int.class)
                    .invoke(null, i);
            dropped.add(new WeakReference<ClassLoader>(loader));
        }
        long elapsedMicros = (System.nanoTime() - started) / 1000;
        int reachable = 0;
        for (int attempt = 0; attempt < 5; attempt++) {
            System.gc();
            reachable = 0;
            for (WeakReference<ClassLoader> reference : dropped) {
                if (reference.get() != null) {
                    reachable++;
                }
            }
            if (reachable == 0) {
                break;
            }
            Thread.sleep(100);
        }
        dropped = null;
        // The least of a few readings: other threads (the agent's server, the JIT's deoptimizations)
        // allocate now and then, and one reading took up to 100 KB of theirs on a busy machine.
        long heap = Long.MAX_VALUE;
        for (int reading = 0; reading < 3; reading++) {
            System.gc();
            heap = Math.min(heap, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            Thread.sleep(20);
        }
        return "reachable=" + reachable + " heap=" + heap + " micros-per-load=" + (elapsedMicros / Math.max(1, count))
                + " sum=" + sum;
    }

    private static byte[] readResource(String name) throws Exception {
        try (InputStream in = HostSafetyApp.class.getClassLoader().getResourceAsStream(name)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                out.write(buffer, 0, read);
            }
            return out.toByteArray();
        }
    }

    private static void reply(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** Defines one class from bytes itself; everything else comes from the application's loader. */
    static final class SingleClassLoader extends ClassLoader {
        private final String name;
        private final byte[] classFile;

        SingleClassLoader(String name, byte[] classFile) {
            super(HostSafetyApp.class.getClassLoader());
            this.name = name;
            this.classFile = classFile;
        }

        @Override
        protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(className)) {
                if (className.equals(name)) {
                    Class<?> loaded = findLoadedClass(className);
                    return loaded != null ? loaded : defineClass(className, classFile, 0, classFile.length);
                }
                return super.loadClass(className, resolve);
            }
        }
    }
}
