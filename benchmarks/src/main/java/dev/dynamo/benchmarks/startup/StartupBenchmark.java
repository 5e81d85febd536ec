package dev.dynamo.benchmarks.startup;

import dev.dynamo.benchmarks.BenchmarkFiles;
import dev.dynamo.benchmarks.ChildJvm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Start-up cost of each agent on applications with 0, 1, 10, 100 and 1,000 annotated classes
 * ({@link StartupApps}), as whole processes: {@code java [agent] -cp app.jar:lib.jar StartupApp},
 * which calls every annotated method once and exits; and on a Spring Boot fat jar (module
 * {@code benchmarks/spring-app}: three controllers and three services, 12 annotated methods) that
 * starts its web server, calls each controller method once and exits. Every (application, agent) pair runs
 * interleaved, in a rotating order, {@code bench.startup.runs} times (11), after
 * {@code bench.startup.warmups} unrecorded rounds (1). Raw figures go to {@code results/startup.csv}.
 * {@code bench.startup.compareWith=<agent jar>} adds another build of the dynamo agent to every
 * application, so that two builds are compared in the same rounds rather than across runs, whose
 * machine may have changed in between.
 *
 * <p>The Spring Boot application's own start varies by more than the agent adds to it, so it also runs
 * with the agent's server on a free port, and prints what the agent's {@code /metrics} says that start
 * cost it (its own start, its transformer's time on the loading threads, the classes it saw and
 * rewrote): those go to {@code results/startup-agent-cost.csv}.
 */
public final class StartupBenchmark {
    private static final Pattern FIGURES = Pattern.compile("START_TO_MAIN_MS=(\\d+) MAIN_MS=(\\d+) CPU_MS=(\\d+)");
    /** What the Spring Boot application prints of the agent's own figures, when its server is on. */
    private static final Pattern AGENT_COST = Pattern.compile(
            "AGENT_START_MS=([0-9.]+) AGENT_TRANSFORM_MS=([0-9.]+) AGENT_CLASSES_SEEN=(\\d+) AGENT_CLASSES_INSTRUMENTED=(\\d+)");
    /** An environment value replaced by a free port in each run. */
    private static final String FREE_PORT = "<free port>";
    /** Every case runs with the same heap, and with the JDK's CDS archive as it comes. */
    private static final List<String> COMMON_FLAGS = Arrays.asList("-Xms64m", "-Xmx256m");
    public static final String NO_AGENT = "no agent";
    public static final String DYNAMO = "dynamo agent";
    public static final String DYNAMO_SERVER = "dynamo agent with its server (DYN_SYSTEM_PORT=0)";
    public static final String DYNAMO_SERVER_AGENT_COST = "dynamo agent asked for its own cost (server on a free port)";
    public static final String OTEL = "OpenTelemetry agent (@WithSpan)";
    public static final String JMX = "jmx_exporter agent";

    private StartupBenchmark() {
    }

    /** The application key of the Spring Boot fat jar in {@code startup.csv} (the others are class counts). */
    public static final String SPRING = "spring-boot";

    /** One way of starting one application. */
    private static final class Config {
        final String name;
        final String app;
        final List<String> flags;
        final Map<String, String> environment;

        Config(String name, String app, List<String> flags, Map<String, String> environment) {
            this.name = name;
            this.app = app;
            this.flags = flags;
            this.environment = environment;
        }
    }

    public static void run() throws IOException, InterruptedException {
        int runs = Integer.getInteger("bench.startup.runs", 11);
        int warmups = Integer.getInteger("bench.startup.warmups", 1);
        List<Integer> counts = Arrays.stream(System.getProperty("bench.startup.classes", "0,1,10,100,1000").split(","))
                .map(String::trim).map(Integer::valueOf).collect(Collectors.toList());
        Path results = BenchmarkFiles.resultsDir();
        Path jmxConfig = results.resolve("jmx_exporter.yaml");
        // Minimal: no rules, so every MBean attribute is exported in the default format.
        Files.write(jmxConfig, "---\nlowercaseOutputName: false\n".getBytes(StandardCharsets.UTF_8));

        checkInstrumentation(Arrays.asList(System.getProperty("bench.startup.agents", "dynamo,otel,jmx").split(","))
                .contains("otel"));
        List<Config> configs = new ArrayList<>();
        for (int classes : counts) {
            configs.addAll(configs(Integer.toString(classes), jmxConfig));
        }
        if (Boolean.parseBoolean(System.getProperty("bench.startup.spring", "true"))) {
            BenchmarkFiles.springApp();
            configs.addAll(configs(SPRING, jmxConfig));
        }
        // The peers' start-up does not change with the agent's code; on a busy machine they can be left out.
        List<String> agents = Arrays.asList(System.getProperty("bench.startup.agents", "dynamo,otel,jmx").split(","));
        configs.removeIf(config -> !config.name.equals(NO_AGENT)
                && !agents.contains(config.name.equals(OTEL) ? "otel" : config.name.equals(JMX) ? "jmx" : "dynamo"));
        // Each run is appended at once, so that an interrupted benchmark leaves the runs it made.
        Path out = results.resolve("startup.csv");
        Files.write(out, "config,application,run,wall_ms,start_to_main_ms,main_ms,cpu_ms\n".getBytes(StandardCharsets.UTF_8));
        Path agentCost = results.resolve("startup-agent-cost.csv");
        Files.write(agentCost, "config,application,run,agent_start_ms,transform_ms,classes_seen,classes_instrumented\n"
                .getBytes(StandardCharsets.UTF_8));
        for (int round = 0; round < warmups + runs; round++) {
            for (int i = 0; i < configs.size(); i++) {
                Config config = configs.get((i + round) % configs.size());
                Run once = runOnce(config);
                long[] figures = once.figures();
                if (round >= warmups) {
                    String run = config.name + "," + config.app + "," + (round - warmups + 1) + ",";
                    String row = run + figures[0] / 1_000_000.0 + "," + figures[1] + "," + figures[2] + "," + figures[3] + "\n";
                    Files.write(out, row.getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
                    Matcher cost = AGENT_COST.matcher(once.output);
                    if (cost.find()) {
                        String costRow = run + cost.group(1) + "," + cost.group(2) + "," + cost.group(3) + "," + cost.group(4) + "\n";
                        Files.write(agentCost, costRow.getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
                    }
                }
            }
            System.out.println("start-up round " + (round + 1) + "/" + (warmups + runs) + (round < warmups ? " (warm-up)" : ""));
        }
        System.out.println("start-up results -> " + out);
    }

    private static List<Config> configs(String classes, Path jmxConfig) {
        Map<String, String> serverOff = new LinkedHashMap<>();
        serverOff.put("DYN_SYSTEM_PORT", null);
        serverOff.put("DYN_SYSTEM_ENABLED", null);
        Map<String, String> serverOn = new LinkedHashMap<>();
        serverOn.put("DYN_SYSTEM_PORT", "0");
        String dynamo = "-javaagent:" + BenchmarkFiles.agent("dynamo-agent");
        List<Config> configs = new ArrayList<>();
        configs.add(new Config(NO_AGENT, classes, Collections.emptyList(), serverOff));
        configs.add(new Config(DYNAMO, classes, Collections.singletonList(dynamo), serverOff));
        String otherBuild = System.getProperty("bench.startup.compareWith");
        if (otherBuild != null) {
            Path jar = Paths.get(otherBuild).toAbsolutePath();
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException("bench.startup.compareWith=" + otherBuild + " is not a file;"
                        + " give the path of another build's dynamo-agent.jar");
            }
            // The name is a column of startup.csv: no comma.
            configs.add(new Config(DYNAMO + " " + jar.getFileName().toString().replace(',', '_'), classes,
                    Collections.singletonList("-javaagent:" + jar), serverOff));
        }
        if (classes.equals("0")) {
            configs.add(new Config(DYNAMO_SERVER, classes, Collections.singletonList(dynamo), serverOn));
        }
        if (!classes.equals("0")) {
            Map<String, String> serverOnKnownPort = new LinkedHashMap<>();
            serverOnKnownPort.put("DYN_SYSTEM_PORT", FREE_PORT);
            serverOnKnownPort.put("DYN_SYSTEM_HOST", "127.0.0.1");
            configs.add(new Config(DYNAMO_SERVER_AGENT_COST, classes, Collections.singletonList(dynamo), serverOnKnownPort));
        }
        configs.add(new Config(OTEL, classes, Arrays.asList(
                "-javaagent:" + BenchmarkFiles.agent("opentelemetry-javaagent"),
                "-Dotel.traces.exporter=none", "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none"), serverOff));
        // The jmx_exporter port is chosen per run (see runOnce); the placeholder is replaced there.
        configs.add(new Config(JMX, classes, Collections.singletonList(
                "-javaagent:" + BenchmarkFiles.agent("jmx_prometheus_javaagent") + "=PORT:" + jmxConfig), serverOff));
        return configs;
    }

    /** One run of one application: its wall time and what it printed. */
    private static final class Run {
        final Config config;
        final long wallNanos;
        final String output;

        Run(Config config, long wallNanos, String output) {
            this.config = config;
            this.wallNanos = wallNanos;
            this.output = output;
        }

        /** {wall ns, JVM start to main ms, time in main ms, process CPU ms}. */
        long[] figures() {
            Matcher matcher = FIGURES.matcher(output);
            if (!matcher.find() || config.environment.containsValue(FREE_PORT) && !AGENT_COST.matcher(output).find()) {
                throw new IllegalStateException(config.name + " (application " + config.app + "): the application"
                        + " did not print its figures: " + output);
            }
            return new long[] {wallNanos, Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2)),
                    Long.parseLong(matcher.group(3))};
        }
    }

    private static Run runOnce(Config config) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(BenchmarkFiles.javaLauncher());
        command.addAll(COMMON_FLAGS);
        for (String flag : config.flags) {
            command.add(flag.contains("=PORT:") ? flag.replace("=PORT:", "=" + freePort() + ":") : flag);
        }
        if (config.app.equals(SPRING)) {
            command.addAll(List.of("-jar", BenchmarkFiles.springApp().toString(), "--server.port=0",
                    "--server.address=127.0.0.1", "--spring.main.banner-mode=off", "--logging.level.root=warn"));
        } else {
            command.add("-cp");
            command.add(StartupApps.classPath(Integer.parseInt(config.app)));
            command.add(StartupApps.MAIN_CLASS);
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> environment = new LinkedHashMap<>(config.environment);
        for (Map.Entry<String, String> variable : environment.entrySet()) {
            if (FREE_PORT.equals(variable.getValue())) {
                variable.setValue(Integer.toString(freePort()));
            }
        }
        ChildJvm.applyEnvironment(builder.environment(), environment);

        long started = System.nanoTime();
        Process process = builder.start();
        StringBuilder output = new StringBuilder();
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                output.append(line).append('\n');
            }
        }
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(config.name + ": the application did not exit within 300 s: " + output);
        }
        long wall = System.nanoTime() - started;
        if (process.exitValue() != 0) {
            throw new IllegalStateException(config.name + " (application " + config.app + "): the application failed"
                    + " (exit " + process.exitValue() + "): " + output);
        }
        return new Run(config, wall, output.toString());
    }

    /**
     * Fails unless both agents really instrument the generated methods: the dynamo agent's
     * {@code /metrics} counts the calls, and OpenTelemetry's logging exporter prints their spans.
     */
    private static void checkInstrumentation(boolean withOtel) throws IOException, InterruptedException {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("DYN_SYSTEM_PORT", "0");
        environment.put("DYN_SYSTEM_HOST", "127.0.0.1");
        environment.put("DYN_LOG", "info");
        try (ChildJvm dynamo = ChildJvm.start(List.of("-javaagent:" + BenchmarkFiles.agent("dynamo-agent"),
                "-Dbench.wait=true"), environment, StartupApps.classPath(1), StartupApps.MAIN_CLASS)) {
            dynamo.await(FIGURES, 60);
            String port = dynamo.await(Pattern.compile("serving metrics on http://[^ ]*:(\\d+)/metrics"), 60);
            String page = get("http://127.0.0.1:" + port + "/metrics");
            if (!Pattern.compile("dynamo_component_requests_total\\{[^}]*dynamo_component=\"Endpoint0000\""
                    + "[^}]*dynamo_endpoint=\"second\"[^}]*} 1").matcher(page).find()) {
                throw new IllegalStateException("the dynamo agent did not count the calls of Endpoint0000.second:\n"
                        + page + "\n" + dynamo.output());
            }
        }
        if (!withOtel) {
            return;
        }
        try (ChildJvm otel = ChildJvm.start(List.of("-javaagent:" + BenchmarkFiles.agent("opentelemetry-javaagent"),
                "-Dotel.traces.exporter=logging", "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none"),
                Map.of(), StartupApps.classPath(1), StartupApps.MAIN_CLASS)) {
            otel.await(FIGURES, 60);
            otel.await(Pattern.compile("'Endpoint0000.second'"), 60);
        }
    }

    private static String get(String url) throws IOException, InterruptedException {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
