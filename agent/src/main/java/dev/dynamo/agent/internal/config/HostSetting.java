package dev.dynamo.agent.internal.config;

/**
 * The form of {@code DYN_SYSTEM_HOST}, checked when the settings are read: a host with a port, a
 * scheme or a path cannot be bound, and saying so then is clearer than the JDK's "cannot resolve".
 * Names are resolved only when the server starts, on its own thread, as resolving may wait for DNS.
 *
 * <pre>{@code
 * String wrong = HostSetting.whatIsWrong("127.0.0.1:80");   // "it has a port (:80)"
 * String shown = HostSetting.withPort("::1", 9000);         // "[::1]:9000"
 * }</pre>
 */
public final class HostSetting {
    /** What {@code DYN_SYSTEM_HOST} accepts, for every message about it. */
    public static final String ACCEPTED = "set " + AgentConfig.SYSTEM_HOST + " to an IP address or host name of"
            + " this machine, with no port and no scheme: 0.0.0.0 for every interface, 127.0.0.1 for loopback only"
            + " (the port is " + AgentConfig.SYSTEM_PORT + ")";

    private HostSetting() {
    }

    /** What is wrong with the form of {@code host}, or null when it may name an address. */
    static String whatIsWrong(String host) {
        if (host.contains("://")) {
            return "it has a scheme (" + host.substring(0, host.indexOf("://") + 3) + ")";
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c <= ' ' || c == '/' || c == '?' || c == '#' || c == '@' || c >= 0x7f) {
                return "it holds '" + (c <= ' ' ? "a space or control character" : String.valueOf(c)) + "'";
            }
        }
        String bare = host;
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0) {
                return "its '[' has no ']'";
            }
            if (close < host.length() - 1) {
                return host.charAt(close + 1) == ':' ? "it has a port (" + host.substring(close + 1) + ")"
                        : "it has text after ']'";
            }
            bare = host.substring(1, close);
            if (bare.indexOf(':') < 0) {
                return "brackets are for an IPv6 address only; write " + bare + " without them";
            }
        }
        int colon = bare.indexOf(':');
        if (colon >= 0 && colon == bare.lastIndexOf(':')) {
            return "it has a port (" + bare.substring(colon) + ")";
        }
        if (looksLikeIpv4(bare) && !isIpv4(bare)) {
            return "it is not an IPv4 address: each of its four numbers must be 0-255";
        }
        return null;
    }

    /**
     * {@code host:port} for a log line or URL, an IPv6 address in brackets once (never {@code [[::1]]},
     * never {@code ::1:9000}, where the address and the port cannot be told apart).
     */
    public static String withPort(String host, int port) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return (bare.indexOf(':') >= 0 ? "[" + bare + "]" : bare) + ":" + port;
    }

    /**
     * Whether binding {@code host} asks the name service (the hosts file, DNS): anything but an IPv4 or IPv6
     * address written out. Such a lookup may wait for a name server that does not answer, 20 s with a
     * cluster's usual resolver settings.
     */
    public static boolean needsLookup(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return bare.indexOf(':') < 0 && !(looksLikeIpv4(bare) && isIpv4(bare));
    }

    private static boolean looksLikeIpv4(String host) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return false;
            }
        }
        return !host.isEmpty();
    }

    private static boolean isIpv4(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }
}
