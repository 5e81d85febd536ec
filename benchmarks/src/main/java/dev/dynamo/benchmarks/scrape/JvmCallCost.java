package dev.dynamo.benchmarks.scrape;

import dev.dynamo.benchmarks.BenchmarkFiles;
import dev.dynamo.benchmarks.ChildJvm;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What each call behind the JVM metrics costs and whether it stops the JVM: for every call, a fresh
 * JVM with {@code bench.jvmcalls.threads} (3,000) waiting threads and {@code -Xlog:safepoint} into a
 * file makes the call 200 times after at least 50 unrecorded ones and one second, and reports the time per call and the
 * safepoints logged during the 200, by VM operation. Results in {@code results/jvm-calls.csv};
 * {@code docs/jvm-metrics.md} explains the choice they led to.
 */
public final class JvmCallCost {
    private static final int WARMUP = 50;
    private static final int CALLS = 200;
    private static final Pattern SAFEPOINT = Pattern.compile("Safepoint \"(\\w+)\"");
    private static final Pattern RESULT = Pattern.compile("NS_PER_CALL=(\\d+) MARK=(\\d+)");
    private static final Map<String, String> CALLS_BY_NAME = new LinkedHashMap<>();

    static {
        CALLS_BY_NAME.put("threadCounts", "ThreadMXBean thread/daemon/peak/started counts");
        CALLS_BY_NAME.put("threadGroupStates", "root ThreadGroup.enumerate + Thread.getState (dynamo agent)");
        CALLS_BY_NAME.put("threadInfoDepth0", "ThreadMXBean.getThreadInfo of all ids with depth 0 (simpleclient ThreadExports)");
        CALLS_BY_NAME.put("findDeadlockedThreads", "ThreadMXBean.findDeadlockedThreads");
        CALLS_BY_NAME.put("memoryPools", "MemoryMXBean heap usage + every MemoryPoolMXBean usage");
        CALLS_BY_NAME.put("bufferPools", "every BufferPoolMXBean");
        CALLS_BY_NAME.put("garbageCollectors", "every GarbageCollectorMXBean count and time");
        CALLS_BY_NAME.put("classLoading", "ClassLoadingMXBean counts");
        CALLS_BY_NAME.put("compilation", "CompilationMXBean total time");
        CALLS_BY_NAME.put("process", "process CPU time and open file descriptors");
    }

    private JvmCallCost() {
    }

    /** Runs every call in its own JVM and writes {@code results/jvm-calls.csv}. */
    public static void run() throws IOException, InterruptedException {
        int threads = Integer.getInteger("bench.jvmcalls.threads", 3000);
        Path results = BenchmarkFiles.resultsDir();
        StringBuilder csv = new StringBuilder("call,description,threads,calls,us_per_call,safepoints\n");
        for (Map.Entry<String, String> call : CALLS_BY_NAME.entrySet()) {
            Path log = results.resolve("safepoints-jvm-call-" + call.getKey() + ".log");
            Files.deleteIfExists(log);
            List<String> command = new ArrayList<>(List.of(BenchmarkFiles.javaLauncher(), "-Xmx256m",
                    "-Xlog:safepoint=info:file=" + log + ":uptimenanos:filecount=0",
                    "-cp", BenchmarkFiles.benchmarksJar().toString(), JvmCallCost.class.getName(),
                    call.getKey(), Integer.toString(threads)));
            String output = ChildJvm.runToExit(command, 300, call.getKey());
            Matcher result = RESULT.matcher(output);
            if (!result.find()) {
                throw new IllegalStateException(call.getKey() + " printed no result: " + output);
            }
            long markNanos = Long.parseLong(result.group(2));
            Map<String, Integer> safepoints = safepointsAfter(log, markNanos);
            csv.append(call.getKey()).append(',').append(call.getValue()).append(',').append(threads)
                    .append(',').append(CALLS).append(',').append(Long.parseLong(result.group(1)) / 1000.0).append(',')
                    .append(safepoints.toString().replace(", ", " ").replace(",", ";")).append('\n');
            System.out.println(call.getKey() + ": " + Long.parseLong(result.group(1)) / 1000.0 + " us per call, safepoints "
                    + safepoints);
        }
        Path out = results.resolve("jvm-calls.csv");
        Files.write(out, csv.toString().getBytes(StandardCharsets.UTF_8));
        System.out.println("JVM call costs -> " + out);
    }

    /** Safepoints logged after {@code markNanos} of JVM uptime, by VM operation. */
    private static Map<String, Integer> safepointsAfter(Path log, long markNanos) throws IOException {
        Map<String, Integer> counts = new LinkedHashMap<>();
        Pattern uptime = Pattern.compile("^\\[(\\d+)ns\\]");
        for (String line : Files.readAllLines(log)) {
            Matcher time = uptime.matcher(line);
            Matcher safepoint = SAFEPOINT.matcher(line);
            if (time.find() && safepoint.find() && Long.parseLong(time.group(1)) >= markNanos) {
                counts.merge(safepoint.group(1), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** In the child JVM: {@code <call> <threads>}. */
    public static void main(String[] args) throws Exception {
        String call = args[0];
        int threads = Integer.parseInt(args[1]);
        CountDownLatch never = new CountDownLatch(1);
        for (int i = 0; i < threads; i++) {
            Thread thread = new Thread(() -> {
                try {
                    never.await();
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            });
            thread.setDaemon(true);
            thread.start();
        }
        long sink = 0;
        long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        for (int i = 0; i < WARMUP || System.nanoTime() < warmEnd; i++) {
            sink += once(call);
        }
        long mark = ManagementFactory.getRuntimeMXBean().getUptime() * 1_000_000L;
        long start = System.nanoTime();
        for (int i = 0; i < CALLS; i++) {
            sink += once(call);
        }
        long perCall = (System.nanoTime() - start) / CALLS;
        System.out.println("NS_PER_CALL=" + perCall + " MARK=" + mark + " SINK=" + sink);
    }

    private static long once(String call) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sum = 0;
        switch (call) {
            case "threadCounts":
                return threads.getThreadCount() + threads.getDaemonThreadCount() + threads.getPeakThreadCount()
                        + threads.getTotalStartedThreadCount();
            case "threadGroupStates": {
                ThreadGroup root = Thread.currentThread().getThreadGroup();
                while (root.getParent() != null) {
                    root = root.getParent();
                }
                Thread[] live = new Thread[root.activeCount() + 16];
                int found = root.enumerate(live, true);
                for (int i = 0; i < found; i++) {
                    sum += live[i].getState().ordinal();
                }
                return sum;
            }
            case "threadInfoDepth0":
                for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds(), 0)) {
                    if (info != null) {
                        sum += info.getThreadState().ordinal();
                    }
                }
                return sum;
            case "findDeadlockedThreads": {
                long[] found = threads.findDeadlockedThreads();
                return found == null ? 0 : found.length;
            }
            case "memoryPools":
                sum += ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                    sum += pool.getUsage().getUsed();
                    sum += pool.getCollectionUsage() == null ? 0 : pool.getCollectionUsage().getUsed();
                }
                return sum;
            case "bufferPools":
                for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
                    sum += pool.getMemoryUsed() + pool.getCount();
                }
                return sum;
            case "garbageCollectors":
                for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
                    sum += collector.getCollectionCount() + collector.getCollectionTime();
                }
                return sum;
            case "classLoading": {
                ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();
                return classes.getLoadedClassCount() + classes.getTotalLoadedClassCount() + classes.getUnloadedClassCount();
            }
            case "compilation":
                return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
            case "process": {
                com.sun.management.UnixOperatingSystemMXBean os =
                        (com.sun.management.UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                return os.getProcessCpuTime() + os.getOpenFileDescriptorCount();
            }
            default:
                throw new IllegalArgumentException("unknown call " + call + "; use one of " + CALLS_BY_NAME.keySet());
        }
    }
}
