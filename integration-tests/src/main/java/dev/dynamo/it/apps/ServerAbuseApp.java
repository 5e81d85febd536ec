package dev.dynamo.it.apps;

import dev.dynamo.runtime.DistributedRuntime;
import dev.dynamo.runtime.internal.ExportBridge;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * A target for abusive HTTP clients: a page of a chosen size, and on demand a page too large for
 * the heap, so that rendering it runs out of memory inside the agent's server.
 *
 * <p>Arguments: {@code --page-mb N} (default 1) sizes the page. Commands on stdin, one per line:
 * {@code huge} makes the next scrapes render a page of about 1 GB (built from shared strings, so
 * collecting it takes little memory and rendering it takes all); {@code normal} goes back;
 * {@code direct <KiB>} allocates a direct buffer of that size, as an application of its own, and answers
 * {@code abuse app: direct ok} or {@code abuse app: direct failed <error>}; the end of stdin ends the
 * application.
 */
public final class ServerAbuseApp {
    /** Held here: the API keeps foreign stores weakly. */
    private static Supplier<List<Object[]>> store;
    private static volatile boolean huge;

    private ServerAbuseApp() {
    }

    public static void main(String[] args) throws IOException {
        List<String> arguments = Arrays.asList(args);
        int index = arguments.indexOf("--page-mb");
        int pageMegabytes = index < 0 ? 1 : Integer.parseInt(arguments.get(index + 1));

        DistributedRuntime.get().namespace("abuse").component("app").endpoint("main").metrics()
                .createIntCounter("started", "Times the application started", null).inc();
        final Object[] page = bulkFamily("abuse_page_bytes", pageMegabytes * 1024L * 1024L, 1000);
        store = () -> Collections.singletonList(huge ? bulkFamily("abuse_huge_page_bytes", 1L << 30, 100_000) : page);
        ExportBridge.registerForeignStore(store);

        System.out.println("abuse app: ready");
        System.out.flush();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String command = commands.readLine(); command != null; command = commands.readLine()) {
            if (command.startsWith("direct ")) {
                System.out.println("abuse app: direct " + allocateDirect(Integer.parseInt(command.substring(7).trim())));
                System.out.flush();
                continue;
            }
            huge = command.trim().equals("huge");
            System.out.println("abuse app: " + (huge ? "huge" : "normal") + " page");
            System.out.flush();
        }
        System.out.println("abuse app: main returns");
    }

    private static String allocateDirect(int kibibytes) {
        try {
            return ByteBuffer.allocateDirect(kibibytes * 1024).capacity() > 0 ? "ok" : "empty";
        } catch (OutOfMemoryError refused) {
            return "failed " + refused;
        }
    }

    /** A gauge family of about {@code bytes} of text, each sample sharing one label value of {@code labelChars}. */
    private static Object[] bulkFamily(String name, long bytes, int labelChars) {
        char[] chars = new char[labelChars];
        Arrays.fill(chars, 'x');
        String[] labelNames = {"filler"};
        String[] labelValues = {new String(chars)};
        String sampleName = "dynamo_component_" + name;
        int count = (int) Math.max(1, bytes / (labelChars + sampleName.length() + 20));
        Double value = 1.0;
        Object[] samples = new Object[count];
        Object[] sample = {sampleName, labelNames, labelValues, value};
        List<Object> all = new ArrayList<Object>(Collections.nCopies(count, (Object) sample));
        all.toArray(samples);
        return new Object[] {sampleName, "GAUGE", "Filler that makes the page large", samples};
    }
}
