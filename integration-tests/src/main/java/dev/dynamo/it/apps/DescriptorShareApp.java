package dev.dynamo.it.apps;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds and opens files on commands from stdin, to see what the metrics server leaves the
 * application of its file descriptors (run it under a small {@code ulimit -n}):
 * {@code hold N} opens N files and keeps them ({@code hold all}: as many as it can), printing
 * {@code held K}; {@code open N} opens N more and closes them again, printing {@code opened K of N};
 * {@code release} closes the files held, printing {@code released}. Ends at the end of stdin.
 */
public final class DescriptorShareApp {
    private static final String FILE = "/proc/self/status";

    private DescriptorShareApp() {
    }

    public static void main(String[] args) throws IOException {
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        List<FileInputStream> held = new ArrayList<>();
        System.out.println("waiting");
        System.out.flush();
        for (String line = stdin.readLine(); line != null; line = stdin.readLine()) {
            String[] words = line.trim().split(" ");
            switch (words[0]) {
                case "hold":
                    int wanted = words[1].equals("all") ? Integer.MAX_VALUE : Integer.parseInt(words[1]);
                    held.addAll(open(wanted));
                    System.out.println("held " + held.size());
                    break;
                case "open":
                    int count = Integer.parseInt(words[1]);
                    List<FileInputStream> opened = open(count);
                    for (FileInputStream in : opened) {
                        in.close();
                    }
                    System.out.println("opened " + opened.size() + " of " + count);
                    break;
                case "release":
                    for (FileInputStream in : held) {
                        in.close();
                    }
                    held.clear();
                    System.out.println("released");
                    break;
                default:
                    System.out.println("unknown " + line);
            }
            System.out.flush();
        }
    }

    /** Up to {@code count} open files: fewer where the process has no descriptor left. */
    private static List<FileInputStream> open(int count) {
        List<FileInputStream> opened = new ArrayList<>();
        try {
            while (opened.size() < count) {
                opened.add(new FileInputStream(FILE));
            }
        } catch (IOException noneLeft) {
            // Every descriptor taken.
        }
        return opened;
    }
}
