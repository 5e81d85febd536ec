package dev.dynamo.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** Loopback ports for the tests. */
public final class FreePorts {

    /** Where the kernel hands out ports to {@code bind(0)} and to outgoing connections (Linux's default). */
    private static final int[] DEFAULT_EPHEMERAL_RANGE = {32768, 60999};
    private static final int LOWEST = 10000;
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private FreePorts() {
    }

    /**
     * A port that was free a moment ago, taken from outside the kernel's ephemeral range. A port the
     * kernel gave to {@code bind(0)} goes back to that range when the probe closes, and a process the test
     * then starts with {@code --port 0} (or a curl's or Prometheus's outgoing connection) could be given
     * the same port before the agent binds it: a test would see "port already in use" that it did not
     * cause. Ports below the range are handed out only by tests, and each at most once per run.
     */
    public static synchronized int pick() {
        int[] ephemeral = ephemeralRange();
        int low = LOWEST;
        int high = ephemeral[0] - 1;
        if (high - low < 1000) {
            // A kernel whose range starts low: the ports above it, or anywhere if it covers nearly all.
            low = ephemeral[1] + 1 <= 64535 ? ephemeral[1] + 1 : 1024;
            high = 65535;
        }
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(low, high + 1);
            if (!HANDED_OUT.contains(port) && isFree(port) && isFreeOnLoopback(port)) {
                HANDED_OUT.add(port);
                return port;
            }
        }
        throw new IllegalStateException("no free port between " + low + " and " + high + " after 1000 tries");
    }

    /** A listening socket on a free loopback port, so that the port is taken until it is closed. */
    public static ServerSocket occupy() {
        try {
            return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
    }

    /** Whether something accepts connections on {@code port} of the loopback address. */
    public static boolean isListening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    /** Whether {@code port} can be bound on every interface right now, as the agent would bind it. */
    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port)) {
            return socket.isBound();
        } catch (IOException taken) {
            return false;
        }
    }

    private static boolean isFreeOnLoopback(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return socket.isBound();
        } catch (IOException taken) {
            return false;
        }
    }

    /** The kernel's ephemeral port range, or Linux's default where it cannot be read. */
    static int[] ephemeralRange() {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        try {
            String[] bounds = Files.readString(range, StandardCharsets.US_ASCII).trim().split("\\s+");
            int low = Integer.parseInt(bounds[0]);
            int high = Integer.parseInt(bounds[1]);
            return new int[] {low, high};
        } catch (IOException | RuntimeException unreadable) {
            return DEFAULT_EPHEMERAL_RANGE;
        }
    }
}
