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
     * Whether to answer in OpenMetrics. Each format takes the weight of the most specific range that
     * matches it (RFC 9110 §12.5.1): OpenMetrics {@code application/openmetrics-text}, then
     * {@code application/*}, then {@code *}{@code /*}; the text format {@code text/plain}, then
     * {@code text/*}, then {@code *}{@code /*}; a format no range matches weighs 0. OpenMetrics is
     * served when it weighs more than the text format, or as much and named itself. Everything else
     * gets the text format, also an {@code Accept} that refuses both or names neither (only
     * protobuf, say), as Prometheus's Go exporters answer: every scraper reads it. An OpenMetrics range
     * with a {@code version} other than {@code 1.0.0} or {@code 0.0.1} (the same text for what this
     * server writes) names a format it does not write, and is passed over, as Prometheus's Go library
     * passes it over.
     */
    static boolean prefersOpenMetrics(String accept) {
        if (accept == null) {
            return false;
        }
        double openMetrics = -1;
        double anyApplication = -1;
        double text = -1;
        double anyText = -1;
        double any = -1;
        for (String element : accept.split(",")) {
            int semicolon = element.indexOf(';');
            String range = (semicolon < 0 ? element : element.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
            double weight = weight(element, semicolon);
            if (weight < 0) {
                continue;
            }
            if (range.equals("application/openmetrics-text")) {
                if (writesOpenMetricsVersion(element, semicolon)) {
                    openMetrics = Math.max(openMetrics, weight);
                }
            } else if (range.equals("application/*")) {
                anyApplication = Math.max(anyApplication, weight);
            } else if (range.equals("text/plain")) {
                text = Math.max(text, weight);
            } else if (range.equals("text/*")) {
                anyText = Math.max(anyText, weight);
            } else if (range.equals("*/*")) {
                any = Math.max(any, weight);
            }
        }
        double openMetricsWeight = mostSpecific(openMetrics, anyApplication, any);
        double textWeight = mostSpecific(text, anyText, any);
        return openMetricsWeight > textWeight || (openMetricsWeight > 0 && openMetricsWeight == textWeight
                && openMetrics == openMetricsWeight);
    }

    /** Whether the {@code version} parameter of an OpenMetrics element, if any, names a version this server writes. */
    private static boolean writesOpenMetricsVersion(String element, int semicolon) {
        if (semicolon < 0) {
            return true;
        }
        for (String parameter : element.substring(semicolon + 1).split(";")) {
            int equals = parameter.indexOf('=');
            if (equals >= 0 && parameter.substring(0, equals).trim().equalsIgnoreCase("version")) {
                String version = parameter.substring(equals + 1).trim();
                if (version.length() >= 2 && version.charAt(0) == '"' && version.charAt(version.length() - 1) == '"') {
                    version = version.substring(1, version.length() - 1);
                }
                return version.equals("1.0.0") || version.equals("0.0.1");
            }
        }
        return true;
    }

    /** The weight of the most specific range given (-1: not given); 0 when none is. */
    private static double mostSpecific(double exact, double anySubtype, double any) {
        return exact >= 0 ? exact : anySubtype >= 0 ? anySubtype : Math.max(any, 0);
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
