package dev.dynamo.benchmarks.scrape;

import dev.dynamo.benchmarks.BenchmarkFiles;
import dev.dynamo.benchmarks.JmhSettings;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs the scrape benchmarks; results in {@code results/scrape*.json}. */
public final class ScrapeRunner {
    private ScrapeRunner() {
    }

    /** Runs {@link ScrapeBenchmark} for every server and size; results in {@code results/scrape.json}. */
    public static void run() throws RunnerException, IOException {
        Path results = BenchmarkFiles.resultsDir();
        Files.deleteIfExists(results.resolve("scrape-bytes.csv"));
        Path result = results.resolve("scrape.json");
        System.out.println("== scrape -> " + result);
        new Runner(JmhSettings.options(result)
                .include(ScrapeBenchmark.class.getName())
                .jvmArgsAppend("-Dbench.results=" + results, "-Dbench.jar=" + BenchmarkFiles.benchmarksJar())
                .build()).run();
    }

    /** Runs {@link ThreadScrapeBenchmark}; results in {@code results/scrape-threads.json} and {@code .csv}. */
    public static void runThreads() throws RunnerException, IOException {
        Path results = BenchmarkFiles.resultsDir();
        Files.deleteIfExists(results.resolve("scrape-threads.csv"));
        Path result = results.resolve("scrape-threads.json");
        System.out.println("== scrape-threads -> " + result);
        new Runner(JmhSettings.options(result)
                .include(ThreadScrapeBenchmark.class.getName())
                .jvmArgsAppend("-Dbench.results=" + results, "-Dbench.jar=" + BenchmarkFiles.benchmarksJar())
                .build()).run();
    }
}
