package dev.dynamo.agent.internal.server;

import dev.dynamo.agent.internal.log.AgentLog;

/**
 * The {@code Date} field of a response (RFC 9110 §6.6.1: an origin server with a clock sends it),
 * in the IMF-fixdate form, {@code Sun, 06 Nov 1994 08:49:37 GMT}; made once a second. Written from
 * the log's UTC timestamp: {@code java.time}'s formatters would load a hundred-odd classes at the
 * first response.
 */
final class HttpDate {
    /** Day 0 of the epoch, 1970-01-01, was a Thursday. */
    private static final String[] DAYS = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    private static final String[] MONTHS = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    };

    private static volatile HttpDate latest = new HttpDate(Long.MIN_VALUE, "");

    private final long second;
    private final String text;

    private HttpDate(long second, String text) {
        this.second = second;
        this.text = text;
    }

    static String now() {
        return at(System.currentTimeMillis());
    }

    static String at(long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000L);
        HttpDate current = latest;
        if (current.second != second) {
            current = new HttpDate(second, format(second * 1000L));
            latest = current;
        }
        return current.text;
    }

    /** {@code 2026-11-30T19:53:47.000Z} rearranged as {@code Mon, 30 Nov 2026 19:53:47 GMT}. */
    private static String format(long epochMillis) {
        String iso = AgentLog.timestamp(epochMillis);
        int month = Integer.parseInt(iso.substring(5, 7));
        int day = (int) Math.floorMod(Math.floorDiv(epochMillis, 86_400_000L), 7L);
        return DAYS[day] + ", " + iso.substring(8, 10) + " " + MONTHS[month - 1] + " " + iso.substring(0, 4) + " "
                + iso.substring(11, 19) + " GMT";
    }
}
