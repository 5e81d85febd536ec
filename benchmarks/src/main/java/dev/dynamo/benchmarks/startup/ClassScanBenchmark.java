package dev.dynamo.benchmarks.startup;

import dev.dynamo.agent.internal.instrumentation.BytePattern;
import dev.dynamo.benchmarks.BenchmarkFiles;
import dev.dynamo.benchmarks.ChildJvm;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * {@code class-scan}: the agent looks at every class the application loads for the annotation's
 * descriptor before parsing anything, and at start-up that search runs in the interpreter. This
 * measures it where it matters, in fresh JVMs: each one reads the class files of the Spring Boot
 * benchmark application (its own classes and those of every jar in {@code BOOT-INF/lib}) into
 * memory, then times one search of all of them, either with the agent's {@link BytePattern} or with
 * a byte-by-byte search (the agent's search before it). Rounds alternate the two; the median is
 * reported.
 */
public final class ClassScanBenchmark {
    private static final byte[] DESCRIPTOR = "Ldev/dynamo/runtime/DynamoEndpoint;".getBytes(StandardCharsets.UTF_8);
    private static final Pattern RESULT = Pattern.compile("SCAN_US=(\\d+) CLASSES=(\\d+) BYTES=(\\d+) FOUND=(\\d+)");
    private static final String[] SEARCHES = {"byte-by-byte", "BytePattern"};

    private ClassScanBenchmark() {
    }

    public static void run() throws Exception {
        int rounds = Integer.getInteger("bench.scan.rounds", 11);
        Path app = BenchmarkFiles.springApp();
        String classPath = BenchmarkFiles.benchmarksJar() + File.pathSeparator + BenchmarkFiles.agent("dynamo-agent");
        Map<String, List<Long>> micros = new TreeMap<>();
        String files = "";
        for (int round = 0; round < rounds; round++) {
            for (String search : SEARCHES) {
                String out = ChildJvm.runToExit(List.of(BenchmarkFiles.javaLauncher(), "-Xms64m", "-Xmx512m", "-cp",
                        classPath, ClassScanBenchmark.class.getName(), app.toString(), search), 300, "class-scan " + search);
                Matcher result = RESULT.matcher(out);
                if (!result.find()) {
                    throw new IllegalStateException("the scanning JVM printed no result: " + out);
                }
                micros.computeIfAbsent(search, s -> new ArrayList<>()).add(Long.parseLong(result.group(1)));
                files = result.group(2) + " class files, " + Long.parseLong(result.group(3)) / 1024 + " KiB, "
                        + result.group(4) + " with the descriptor";
            }
        }
        StringBuilder report = new StringBuilder("search,median_us,min_us,max_us,rounds\n");
        System.out.println("class-scan: " + files + ", " + rounds + " fresh JVMs each");
        for (Map.Entry<String, List<Long>> entry : micros.entrySet()) {
            List<Long> sorted = new ArrayList<>(entry.getValue());
            sorted.sort(null);
            long median = sorted.get(sorted.size() / 2);
            System.out.printf("  %-13s median %,d us (%,d-%,d)%n", entry.getKey(), median, sorted.get(0),
                    sorted.get(sorted.size() - 1));
            report.append(entry.getKey()).append(',').append(median).append(',').append(sorted.get(0)).append(',')
                    .append(sorted.get(sorted.size() - 1)).append(',').append(rounds).append('\n');
        }
        Files.writeString(BenchmarkFiles.resultsDir().resolve("class-scan.csv"), report);
    }

    /** The scanning JVM: {@code <fat jar> <search>}. */
    public static void main(String[] args) throws IOException {
        List<byte[]> classes = new ArrayList<>();
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            readClasses(in, classes);
        }
        long bytes = 0;
        for (byte[] classFile : classes) {
            bytes += classFile.length;
        }
        boolean byPattern = args[1].equals("BytePattern");
        BytePattern pattern = new BytePattern(DESCRIPTOR);
        int found = 0;
        long start = System.nanoTime();
        for (byte[] classFile : classes) {
            if (byPattern ? pattern.occursIn(classFile) : byteByByte(classFile, DESCRIPTOR)) {
                found++;
            }
        }
        long micros = (System.nanoTime() - start) / 1000;
        System.out.println("SCAN_US=" + micros + " CLASSES=" + classes.size() + " BYTES=" + bytes + " FOUND=" + found);
    }

    private static void readClasses(InputStream jar, List<byte[]> classes) throws IOException {
        ZipInputStream zip = new ZipInputStream(jar);
        for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
            if (entry.getName().endsWith(".jar")) {
                readClasses(new ByteArrayInputStream(zip.readAllBytes()), classes);
            } else if (entry.getName().endsWith(".class") && !entry.getName().endsWith("module-info.class")) {
                classes.add(zip.readAllBytes());
            }
        }
    }

    /** The search the agent used before {@link BytePattern}: every position whose byte is the first of the pattern is compared. */
    static boolean byteByByte(byte[] data, byte[] pattern) {
        byte first = pattern[0];
        int last = data.length - pattern.length;
        outer:
        for (int i = 0; i <= last; i++) {
            if (data[i] != first) {
                continue;
            }
            for (int j = 1; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
