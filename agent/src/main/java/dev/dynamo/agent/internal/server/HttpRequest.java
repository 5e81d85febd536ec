package dev.dynamo.agent.internal.server;

import java.util.Locale;
import java.util.Map;

/** One parsed request head: the request line and the header fields (names lower-cased, repeats joined by commas). */
final class HttpRequest {
    private final String method;
    private final String path;
    private final String rawQuery;
    private final boolean http11;
    private final Map<String, String> headers;
    private final long contentLength;

    HttpRequest(String method, String path, String rawQuery, boolean http11, Map<String, String> headers,
            long contentLength) {
        this.method = method;
        this.path = path;
        this.rawQuery = rawQuery;
        this.http11 = http11;
        this.headers = headers;
        this.contentLength = contentLength;
    }

    String method() {
        return method;
    }

    boolean isHead() {
        return method.equals("HEAD");
    }

    /** The path, percent-decoded. */
    String path() {
        return path;
    }

    /** The query as sent, without the {@code ?}; null when there is none. */
    String rawQuery() {
        return rawQuery;
    }

    /** The field's value, repeated fields joined by {@code ", "}; null when absent. */
    String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /**
     * Whether the request carries a body. The server serves no method that takes one, so such a
     * request is answered and its connection closed, the rest of the body being discarded.
     */
    boolean hasBody() {
        return contentLength > 0 || headers.containsKey("transfer-encoding");
    }

    /** HTTP/1.1 keeps the connection unless asked to close it; HTTP/1.0 closes it unless asked to keep it. */
    boolean keepAlive() {
        String connection = header("connection");
        if (http11) {
            return !ContentNegotiation.hasToken(connection, "close");
        }
        // Both named: close wins (RFC 9112 §9.6).
        return ContentNegotiation.hasToken(connection, "keep-alive")
                && !ContentNegotiation.hasToken(connection, "close");
    }

    boolean isHttp11() {
        return http11;
    }
}
