package dev.dynamo.it.styles;

import dev.dynamo.runtime.DynamoEndpoint;
import reactor.core.publisher.Mono;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;

/**
 * Issue 8, row 1 through the handler shapes: annotated methods of the suspend and publisher shapes
 * recurse into a {@code StackOverflowError} and catch it at the top, so that their returns run
 * where no call fits. Commands on stdin, one answer line each, starting with the command's name:
 *
 * <ul>
 *   <li>{@code suspend <n>} / {@code publisher <n>} — {@code n} descents, each on a thread of its own;
 *       answers how many overflows the methods caught (one per descent when nothing escaped an exit)</li>
 *   <li>{@code subscribe} — subscribes once to the publisher method's result (one request)</li>
 *   <li>{@code jdk} — Java serialization and a new {@code ClassValue}, which a class initialisation
 *       failed at the top of the stack would break for the life of the JVM</li>
 * </ul>
 */
public final class ExhaustedStackApp {
    private static final Mono<Integer> DONE = Mono.just(0);
    private static int publisherCaught;

    private ExhaustedStackApp() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        reply("ready");
        for (String line; (line = in.readLine()) != null; ) {
            String[] words = line.trim().split("\\s+");
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
            case "suspend":
                ExhaustedSuspend.caught = 0;
                descend(Integer.parseInt(command[1]), ExhaustedSuspend::descend);
                return "caught=" + ExhaustedSuspend.caught;
            case "publisher":
                publisherCaught = 0;
                descend(Integer.parseInt(command[1]), () -> publisher(0));
                return "caught=" + publisherCaught;
            case "subscribe":
                return "value=" + publisher(Integer.MAX_VALUE).block();
            case "jdk":
                return jdk();
            default:
                return "unknown command";
        }
    }

    @DynamoEndpoint(namespace = "exhausted", component = "shapes", endpoint = "publisher")
    static Mono<Integer> publisher(int level) {
        if (level == Integer.MAX_VALUE) {
            return DONE;
        }
        try {
            publisher(level + 1);
        } catch (StackOverflowError end) {
            publisherCaught++;
        }
        return DONE;
    }

    /** Runs {@code descent} {@code times} times, each on a new thread with a small stack of its own size. */
    private static void descend(int times, Runnable descent) throws InterruptedException {
        for (int i = 0; i < times; i++) {
            Thread thread = new Thread(null, descent, "descent-" + i, 512 * 1024 + i * 4096);
            thread.start();
            thread.join();
        }
    }

    private static String jdk() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new ArrayList<>(Collections.singletonList("payload")));
        }
        Object read;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            read = in.readObject();
        }
        ClassValue<String> names = new ClassValue<String>() {
            @Override
            protected String computeValue(Class<?> type) {
                return type.getSimpleName();
            }
        };
        return "serialization=" + read + " classvalue=" + names.get(ExhaustedStackApp.class);
    }

    private static void reply(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
