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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Start-up cost of each agent, as whole processes: {@code java [agent] -cp benchmarks.jar StartupProbe},
 * which exits as soon as {@code main} has printed how long after JVM start it began. The
 * configurations run interleaved, in a rotating order, {@code bench.startup.runs} times each (15),
 * after two unrecorded warm-up rounds. Raw figures go to {@code results/startup.csv}.
 */
public final class StartupBenchmark {
    private static final Pattern START_TO_MAIN = Pattern.compile("START_TO_MAIN_MS=(\\d+)");
    /** Every case runs with the same heap, and with the JDK's CDS archive as it comes. */
    private static final List<String> COMMON_FLAGS = Arrays.asList("-Xms64m", "-Xmx256m");

    private StartupBenchmark() {
    }

    /** One way of starting the probe. */
    private static final class Config {
        final String name;
        final List<String> flags;
        final Map<String, String> environment;

        Config(String name, List<String> flags, Map<String, String> environment) {
            this.name = name;
            this.flags = flags;
            this.environment = environment;
        }
    }

    public static void run() throws IOException, InterruptedException {
        int runs = Integer.getInteger("bench.startup.runs", 15);
        Path results = BenchmarkFiles.resultsDir();
        Path jmxConfig = results.resolve("jmx_exporter.yaml");
        // Minimal: no rules, so every MBean attribute is exported in the default format.
        Files.write(jmxConfig, "---\nlowercaseOutputName: false\n".getBytes(StandardCharsets.UTF_8));

        List<Config> configs = configs(jmxConfig);
        Map<String, List<long[]>> measured = new LinkedHashMap<>();
        for (Config config : configs) {
            measured.put(config.name, new ArrayList<>());
        }
        int warmups = 2;
        for (int round = 0; round < warmups + runs; round++) {
            for (int i = 0; i < configs.size(); i++) {
                Config config = configs.get((i + round) % configs.size());
                long[] figures = runOnce(config);
                if (round >= warmups) {
                    measured.get(config.name).add(figures);
                }
            }
            System.out.println("start-up round " + (round + 1) + "/" + (warmups + runs) + (round < warmups ? " (warm-up)" : ""));
        }

        StringBuilder csv = new StringBuilder("config,run,wall_ms,start_to_main_ms\n");
        for (Map.Entry<String, List<long[]>> entry : measured.entrySet()) {
            int run = 1;
            for (long[] figures : entry.getValue()) {
                csv.append(entry.getKey()).append(',').append(run++).append(',')
                        .append(figures[0] / 1_000_000.0).append(',').append(figures[1]).append('\n');
            }
        }
        Path out = results.resolve("startup.csv");
        Files.write(out, csv.toString().getBytes(StandardCharsets.UTF_8));
        System.out.println("start-up results -> " + out);
    }

    private static List<Config> configs(Path jmxConfig) {
        Map<String, String> serverOff = new LinkedHashMap<>();
        serverOff.put("DYN_SYSTEM_PORT", null);
        serverOff.put("DYN_SYSTEM_ENABLED", null);
        Map<String, String> serverOn = new LinkedHashMap<>();
        serverOn.put("DYN_SYSTEM_PORT", "0");
        List<Config> configs = new ArrayList<>();
        configs.add(new Config("no agent", Collections.emptyList(), serverOff));
        configs.add(new Config("dynamo agent (DYN_SYSTEM_PORT unset)",
                Collections.singletonList("-javaagent:" + BenchmarkFiles.agent("dynamo-agent")), serverOff));
        configs.add(new Config("dynamo agent (DYN_SYSTEM_PORT=0)",
                Collections.singletonList("-javaagent:" + BenchmarkFiles.agent("dynamo-agent")), serverOn));
        configs.add(new Config("OpenTelemetry agent", Arrays.asList(
                "-javaagent:" + BenchmarkFiles.agent("opentelemetry-javaagent"),
                "-Dotel.traces.exporter=none", "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none"), serverOff));
        // The jmx_exporter port is chosen per run (see runOnce); the placeholder is replaced there.
        configs.add(new Config("jmx_exporter agent", Collections.singletonList(
                "-javaagent:" + BenchmarkFiles.agent("jmx_prometheus_javaagent") + "=PORT:" + jmxConfig), serverOff));
        return configs;
    }

    /** Runs the probe once; returns {wall nanoseconds, JVM start to main milliseconds}. */
    private static long[] runOnce(Config config) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(BenchmarkFiles.javaLauncher());
        command.addAll(COMMON_FLAGS);
        for (String flag : config.flags) {
            command.add(flag.contains("=PORT:") ? flag.replace("=PORT:", "=" + freePort() + ":") : flag);
        }
        command.add("-cp");
        command.add(BenchmarkFiles.benchmarksJar().toString());
        command.add(StartupProbe.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        ChildJvm.applyEnvironment(builder.environment(), config.environment);

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
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(config.name + ": the probe did not exit within 60 s: " + output);
        }
        long wall = System.nanoTime() - started;
        Matcher matcher = START_TO_MAIN.matcher(output);
        if (process.exitValue() != 0 || !matcher.find()) {
            throw new IllegalStateException(config.name + ": the probe failed (exit " + process.exitValue() + "): "
                    + output);
        }
        return new long[] {wall, Long.parseLong(matcher.group(1))};
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
