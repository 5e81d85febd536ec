package dev.dynamo.benchmarks.startup;

import dev.dynamo.benchmarks.BenchmarkFiles;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The applications of the start-up benchmark, generated and compiled at benchmark time: {@code n}
 * classes {@code bench.app.Endpoint0000...} with two methods each, every method annotated with both
 * {@code @DynamoEndpoint} and OpenTelemetry's {@code @WithSpan} (each agent ignores the other's
 * annotation). As handlers of real applications do, they return objects of the application's own
 * types: {@code first} a {@code bench.app.Reply} that all classes share (like a framework's response
 * type), {@code second} a {@code Result} nested in its class (like a DTO per endpoint). A
 * {@code bench.app.StartupApp}'s {@code main} calls every method once and
 * prints {@code START_TO_MAIN_MS=}, {@code MAIN_MS=} and {@code CPU_MS=}, then, when the dynamo agent
 * serves on a known {@code DYN_SYSTEM_PORT}, what the agent says the start cost it ({@link AgentCostProbe})
 * (with {@code -Dbench.wait=true} it then waits for its standard input to close, so that a check can
 * scrape it). Each application is {@code app.jar} plus {@code lib.jar}, which holds the dynamo API, the
 * probe and the OpenTelemetry annotations
 * with the OpenTelemetry API they depend on, as an application would carry them (the OpenTelemetry
 * agent instruments {@code @WithSpan} only where that API is present).
 */
public final class StartupApps {
    static final String MAIN_CLASS = "bench.app.StartupApp";
    /** In {@code lib.jar}: asked at the end of {@code main} when the agent serves on a known port. */
    private static final String AGENT_COST_PROBE = AgentCostProbe.class.getName().replace('.', '/') + ".class";

    private StartupApps() {
    }

    /** The class path of the application with {@code n} annotated classes, built when missing. */
    public static String classPath(int n) throws IOException {
        Path apps = BenchmarkFiles.resultsDir().resolve("startup-apps");
        // Named after the handlers' shape: a results directory from before it changed holds other applications.
        Path dir = apps.resolve("object-returns").resolve("n" + n);
        Path app = dir.resolve("app.jar");
        Path lib = apps.resolve("lib.jar");
        if (!Files.isRegularFile(lib) || !hasEntry(lib, AGENT_COST_PROBE)) {
            Files.deleteIfExists(lib);
            writeLibJar(lib);
        }
        if (!Files.isRegularFile(app)) {
            build(n, dir, app);
        }
        return app + java.io.File.pathSeparator + lib;
    }

    private static void build(int n, Path dir, Path app) throws IOException {
        Path sources = dir.resolve("src/bench/app");
        Path classes = dir.resolve("classes");
        Files.createDirectories(sources);
        Files.createDirectories(classes);
        List<String> files = new ArrayList<>();
        StringBuilder calls = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String name = String.format("Endpoint%04d", i);
            Path source = sources.resolve(name + ".java");
            Files.write(source, endpointClass(name).getBytes(StandardCharsets.UTF_8));
            files.add(source.toString());
            calls.append("        sum += new ").append(name).append("().first(sum).value + new ").append(name)
                    .append("().second(sum).value;\n");
        }
        Path reply = sources.resolve("Reply.java");
        Files.write(reply, ("package bench.app;\n\n"
                + "public final class Reply implements java.io.Serializable {\n"
                + "    public final long value;\n\n"
                + "    public Reply(long value) {\n        this.value = value;\n    }\n"
                + "}\n").getBytes(StandardCharsets.UTF_8));
        files.add(reply.toString());
        Path main = sources.resolve("StartupApp.java");
        Files.write(main, mainClass(calls.toString()).getBytes(StandardCharsets.UTF_8));
        files.add(main.toString());
        List<String> arguments = new ArrayList<>(List.of("-nowarn", "--release", "17", "-proc:none", "-d",
                classes.toString(), "-cp", BenchmarkFiles.benchmarksJar().toString()));
        arguments.addAll(files);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null || javac.run(null, null, System.err, arguments.toArray(new String[0])) != 0) {
            throw new IllegalStateException("cannot compile the start-up application with " + n + " classes in " + dir
                    + (javac == null ? ": this JVM has no compiler (run the benchmarks on a JDK)" : ""));
        }
        Path partial = dir.resolve("app.jar.tmp");
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(partial));
             Stream<Path> walk = Files.walk(classes)) {
            for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile).sorted()::iterator) {
                jar.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, jar);
                jar.closeEntry();
            }
        }
        Files.move(partial, app);
    }

    private static String endpointClass(String name) {
        return "package bench.app;\n\n"
                + "import dev.dynamo.runtime.DynamoEndpoint;\n"
                + "import io.opentelemetry.instrumentation.annotations.WithSpan;\n\n"
                + "public class " + name + " {\n"
                + "    @DynamoEndpoint\n    @WithSpan\n"
                + "    public Reply first(long x) {\n        return new Reply(x + 1);\n    }\n\n"
                + "    @DynamoEndpoint\n    @WithSpan\n"
                + "    public Result second(long x) {\n        return new Result(x * 3 + 1);\n    }\n\n"
                + "    public static final class Result {\n"
                + "        public final long value;\n\n"
                + "        Result(long value) {\n            this.value = value;\n        }\n"
                + "    }\n"
                + "}\n";
    }

    private static String mainClass(String calls) {
        return "package bench.app;\n\n"
                + "public final class StartupApp {\n"
                + "    public static void main(String[] args) {\n"
                + "        long mainStart = System.currentTimeMillis();\n"
                + "        long sum = 0;\n"
                + calls
                + "        long mainEnd = System.currentTimeMillis();\n"
                + "        long jvmStart = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();\n"
                + "        long cpu = ((com.sun.management.OperatingSystemMXBean)\n"
                + "                java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();\n"
                + "        System.out.println(\"START_TO_MAIN_MS=\" + (mainStart - jvmStart) + \" MAIN_MS=\" + (mainEnd - mainStart)\n"
                + "                + \" CPU_MS=\" + cpu / 1_000_000 + \" SUM=\" + sum);\n"
                + "        String agentPort = System.getenv(\"DYN_SYSTEM_PORT\");\n"
                + "        if (agentPort != null && agentPort.matches(\"[1-9][0-9]*\")) {\n"
                + "            System.out.println(" + AgentCostProbe.class.getName() + ".read(Integer.parseInt(agentPort)));\n"
                + "        }\n"
                + "        if (Boolean.getBoolean(\"bench.wait\")) {\n"
                + "            try {\n"
                + "                while (System.in.read() >= 0) {\n"
                + "                }\n"
                + "            } catch (java.io.IOException closed) {\n"
                + "            }\n"
                + "        }\n"
                + "    }\n"
                + "}\n";
    }

    private static boolean hasEntry(Path jar, String name) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getEntry(name) != null;
        }
    }

    /** The dynamo API, the OpenTelemetry annotations and API, and {@link AgentCostProbe}, copied out of {@code benchmarks.jar}. */
    private static void writeLibJar(Path lib) throws IOException {
        Files.createDirectories(lib.getParent());
        Path partial = lib.resolveSibling("lib.jar.tmp");
        try (JarFile source = new JarFile(BenchmarkFiles.benchmarksJar().toFile());
             JarOutputStream jar = new JarOutputStream(Files.newOutputStream(partial))) {
            Enumeration<JarEntry> entries = source.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                String name = entry.getName();
                if (!entry.isDirectory() && (name.startsWith("dev/dynamo/runtime/")
                        || name.startsWith("io/opentelemetry/") || name.equals(AGENT_COST_PROBE))) {
                    jar.putNextEntry(new JarEntry(name));
                    try (InputStream in = source.getInputStream(entry)) {
                        in.transferTo(jar);
                    }
                    jar.closeEntry();
                }
            }
        }
        Files.move(partial, lib);
    }
}
