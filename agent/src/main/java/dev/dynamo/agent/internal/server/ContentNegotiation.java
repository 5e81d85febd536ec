package dev.dynamo.agent.internal.server;

import java.util.Locale;

/**
 * Reads {@code Accept}, {@code Accept-Encoding} and {@code Connection} (RFC 9110 §12): comma-separated
 * elements with optional {@code ;q=} weights. An element that cannot be read is ignored, never an error.
 */
final class ContentNegotiation {
    private ContentNegotiation() {
    }

    /**
     * Whether to answer in OpenMetrics: when {@code Accept} names {@code application/openmetrics-text}
     * with a weight above zero and at least that of the text format ({@code text/plain}, {@code text/*}
     * or {@code *}{@code /*}). Without {@code Accept} the text format is served.
     */
    static boolean prefersOpenMetrics(String accept) {
        if (accept == null) {
            return false;
        }
        double openMetrics = 0;
        double text = 0;
        for (String element : accept.split(",")) {
            int semicolon = element.indexOf(';');
            String range = (semicolon < 0 ? element : element.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
            double weight = weight(element, semicolon);
            if (weight < 0) {
                continue;
            }
            if (range.equals("application/openmetrics-text")) {
                openMetrics = Math.max(openMetrics, weight);
            } else if (range.equals("text/plain") || range.equals("text/*") || range.equals("*/*")) {
                text = Math.max(text, weight);
            }
        }
        return openMetrics > 0 && openMetrics >= text;
    }

    /** Whether {@code Accept-Encoding} accepts gzip: {@code gzip}, {@code x-gzip} or {@code *} with a weight above zero. */
    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        double gzip = -1;
        double any = -1;
        for (String element : acceptEncoding.split(",")) {
            int semicolon = element.indexOf(';');
            String coding = (semicolon < 0 ? element : element.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
            double weight = weight(element, semicolon);
            if (weight < 0) {
                continue;
            }
            if (coding.equals("gzip") || coding.equals("x-gzip")) {
                gzip = Math.max(gzip, weight);
            } else if (coding.equals("*")) {
                any = Math.max(any, weight);
            }
        }
        return gzip >= 0 ? gzip > 0 : any > 0;
    }

    /**
     * The {@code q} parameter of one element: 1 when absent; -1 when the element is unreadable (a
     * malformed weight, or nothing before the parameters).
     */
    static double weight(String element, int semicolon) {
        if (semicolon < 0) {
            return element.trim().isEmpty() ? -1 : 1;
        }
        if (element.substring(0, semicolon).trim().isEmpty()) {
            return -1;
        }
        double weight = 1;
        for (String parameter : element.substring(semicolon + 1).split(";")) {
            int equals = parameter.indexOf('=');
            if (equals < 0 || !parameter.substring(0, equals).trim().equalsIgnoreCase("q")) {
                continue;
            }
            weight = qValue(parameter.substring(equals + 1).trim());
            if (weight < 0) {
                return -1;
            }
        }
        return weight;
    }

    /**
     * A weight as RFC 9110 writes it ({@code 0} or {@code 1} with up to three decimals, {@code 1}
     * only with zeros), or -1. Checked by hand: Prometheus sends several at every scrape, and
     * {@code String.matches} would compile a pattern for each.
     */
    static double qValue(String value) {
        int length = value.length();
        if (length == 0 || length > 5 || (value.charAt(0) != '0' && value.charAt(0) != '1')
                || (length > 1 && value.charAt(1) != '.')) {
            return -1;
        }
        for (int i = 2; i < length; i++) {
            char digit = value.charAt(i);
            if (digit < '0' || digit > (value.charAt(0) == '1' ? '0' : '9')) {
                return -1;
            }
        }
        return Double.parseDouble(value);
    }

    /** Whether a comma-separated field such as {@code Connection} holds {@code token}, ignoring case. */
    static boolean hasToken(String field, String token) {
        if (field == null) {
            return false;
        }
        for (String element : field.split(",")) {
            if (element.trim().equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }
}
