package dev.dynamo.it.apps;

import dev.dynamo.runtime.DynamoEndpoint;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * {@code AnnotatedEndpointApp <calls>}: calls one {@code @DynamoEndpoint} method {@code calls} times,
 * says so on stdout, then waits for a line on stdin (or its end) and returns from {@code main}.
 *
 * <p>It uses nothing of the API but the annotation, with attributes every released API jar has, so
 * that it runs against an API jar older than the one it was compiled against (behind
 * {@link ChildFirstLauncher}).
 */
public final class AnnotatedEndpointApp {
    public static final String DONE_LINE = "annotated endpoint app: calls done";

    private AnnotatedEndpointApp() {
    }

    public static void main(String[] args) throws IOException {
        int calls = Integer.parseInt(args[0]);
        ClassLoader annotationLoader = DynamoEndpoint.class.getClassLoader();
        System.out.println("annotated endpoint app: annotation loaded by "
                + (annotationLoader == null ? "bootstrap" : annotationLoader.toString()));

        long sum = 0;
        for (int i = 0; i < calls; i++) {
            sum += handle(i);
        }

        System.out.println(DONE_LINE + " " + calls + ", sum " + sum);
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }

    @DynamoEndpoint(namespace = "legacy", component = "child_first", endpoint = "handle")
    static long handle(long x) {
        return x * 31 + 7;
    }
}
