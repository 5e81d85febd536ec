package dev.dynamo.it.apps;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** How a test application that the test ends by closing its stdin says it is ready, waits, and says it ends. */
final class UntilStdinEnds {
    private UntilStdinEnds() {
    }

    /** Prints {@code ready}, runs until stdin ends, then prints {@code ending}. */
    static void run(String ready, String ending) throws IOException {
        System.out.println(ready);
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (in.readLine() != null) {
            // Runs until stdin ends.
        }
        System.out.println(ending);
    }
}
