package dev.dynamo.benchmarks;

import dev.dynamo.benchmarks.load.WebLoadBenchmark;
import dev.dynamo.benchmarks.memory.MemoryBenchmark;
import dev.dynamo.benchmarks.percall.PerCallRunner;
import dev.dynamo.benchmarks.styles.HandlerStyleRunner;
import dev.dynamo.benchmarks.report.ReportWriter;
import dev.dynamo.benchmarks.scrape.JvmCallCost;
import dev.dynamo.benchmarks.scrape.ScrapeRunner;
import dev.dynamo.benchmarks.startup.ClassScanBenchmark;
import dev.dynamo.benchmarks.startup.StartupBenchmark;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;

/**
 * {@code java -jar benchmarks/target/benchmarks.jar <command>}: runs the benchmarks described in
 * {@code docs/benchmarks.md}. Results go to {@code benchmarks/target/results}.
 */
public final class BenchmarkMain {
    private static final String USAGE = String.join("\n",
            "usage: java -jar benchmarks/target/benchmarks.jar <command>",
            "  all                 every benchmark below, then the report (about 45 minutes)",
            "  percall [method..]  per-call cost, each case in its own fork (methods: noAgent clockReadsOnly",
            "                      dynamoAgent handWrittenSimpleclient micrometerTimedAspectJ otelWithSpan)",
            "  styles [method..]   per-call cost of the handler styles (suspend, Mono, gRPC unary) against @WithSpan",
            "  scrape              /metrics render cost with 100, 1,000 and 10,000 series",
            "  scrape-threads      scrape cost and safepoints with 100 and 3,000 application threads, full and name[]-filtered",
            "  jvm-calls           time and safepoints of each call behind the JVM metrics, 3,000 threads",
            "  startup             JVM start-up with each agent (whole processes, interleaved)",
            "  web-load            a Spring Boot service under wrk's load: requests/s, latency, CPU per request, per agent",
            "  class-scan          the agent's search of every loaded class for @DynamoEndpoint, cold, on the Spring Boot app's classes",
            "  memory              heap used by 1,000 series and by the agent",
            "  report [--into F]   tables from the results; --into replaces the generated section of F",
            "  jmh <args>          JMH's own command line (no agent flags are added)",
            "system properties: -Dbench.percall.rounds=2 -Dbench.percall.forks=1 -Dbench.forks=1 (scrape) -Dbench.warmup=3 -Dbench.iterations=5 -Dbench.seconds=1",
            "  -Dbench.stack=true (adds -prof stack) -Dbench.startup.runs=11 -Dbench.startup.warmups=1",
            "  -Dbench.startup.classes=0,1,10,100,1000 -Dbench.startup.spring=true -Dbench.startup.agents=dynamo,otel,jmx",
            "  -Dbench.startup.compareWith=<another build's dynamo-agent.jar> (measured in the same rounds)",
            "  -Dbench.memory.runs=3 -Dbench.scan.rounds=11",
            "  -Dbench.load.rounds=5 -Dbench.load.warmup=20 -Dbench.load.seconds=20 -Dbench.load.connections=8 (web-load; needs wrk)");

    private BenchmarkMain() {
    }

    private static void percall(List<String> only) throws Exception {
        BenchmarkFiles.recordLoad("percall");
        PerCallRunner.run(only);
    }

    private static void scrape() throws Exception {
        BenchmarkFiles.recordLoad("scrape");
        ScrapeRunner.run();
    }

    private static void scrapeThreads() throws Exception {
        BenchmarkFiles.recordLoad("scrape-threads");
        ScrapeRunner.runThreads();
    }

    private static void startup() throws Exception {
        BenchmarkFiles.recordLoad("startup");
        StartupBenchmark.run();
    }

    private static void webLoad() throws Exception {
        BenchmarkFiles.recordLoad("web-load");
        WebLoadBenchmark.run();
    }

    private static void classScan() throws Exception {
        BenchmarkFiles.recordLoad("class-scan");
        ClassScanBenchmark.run();
    }

    private static void memory() throws Exception {
        BenchmarkFiles.recordLoad("memory");
        MemoryBenchmark.run();
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println(USAGE);
            System.exit(2);
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        switch (args[0]) {
            case "all":
                Files.deleteIfExists(BenchmarkFiles.resultsDir().resolve("load.csv"));
                percall(List.of());
                scrape();
                scrapeThreads();
                BenchmarkFiles.recordLoad("jvm-calls");
                JvmCallCost.run();
                startup();
                webLoad();
                classScan();
                memory();
                BenchmarkFiles.recordLoad("end");
                ReportWriter.write(null);
                break;
            case "percall":
                percall(rest);
                break;
            case "styles":
                BenchmarkFiles.recordLoad("styles");
                HandlerStyleRunner.run(rest);
                break;
            case "scrape":
                scrape();
                break;
            case "scrape-threads":
                scrapeThreads();
                break;
            case "jvm-calls":
                BenchmarkFiles.recordLoad("jvm-calls");
                JvmCallCost.run();
                break;
            case "startup":
                startup();
                break;
            case "web-load":
                webLoad();
                break;
            case "class-scan":
                classScan();
                break;
            case "memory":
                memory();
                break;
            case "report":
                ReportWriter.write(rest.size() == 2 && rest.get(0).equals("--into") ? Paths.get(rest.get(1)) : null);
                break;
            case "jmh":
                org.openjdk.jmh.Main.main(rest.toArray(new String[0]));
                break;
            default:
                System.err.println("unknown command " + args[0] + "\n" + USAGE);
                System.exit(2);
        }
    }
}
