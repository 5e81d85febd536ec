package dev.dynamo.agent.internal.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A response to send: status, header fields and a body held in an array or a {@link PageBuffer}
 * (not copied; it belongs to whoever rendered it until the response is written).
 */
final class HttpResponse {
    private final int status;
    private final List<String> headers = new ArrayList<String>(8);
    private byte[] body = new byte[0];
    /** The body when it is a rendered page, else null. */
    private PageBuffer page;
    private int bodyLength;
    private boolean closeConnection;

    HttpResponse(int status) {
        this.status = status;
    }

    static HttpResponse text(int status, String text) {
        return new HttpResponse(status).header("Content-Type", "text/plain; charset=utf-8")
                .body(text.getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse json(int status, String json) {
        return new HttpResponse(status).header("Content-Type", "application/json")
                .body((json + "\n").getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse header(String name, String value) {
        headers.add(name);
        headers.add(value);
        return this;
    }

    HttpResponse body(byte[] bytes) {
        return body(bytes, bytes.length);
    }

    HttpResponse body(byte[] bytes, int length) {
        this.body = bytes;
        this.page = null;
        this.bodyLength = length;
        return this;
    }

    HttpResponse body(PageBuffer rendered) {
        this.page = rendered;
        this.bodyLength = rendered.length();
        return this;
    }

    /** The same response for another connection: the body is shared, nothing else. */
    HttpResponse copy() {
        HttpResponse copy = new HttpResponse(status);
        copy.headers.addAll(headers);
        copy.body = body;
        copy.page = page;
        copy.bodyLength = bodyLength;
        copy.closeConnection = closeConnection;
        return copy;
    }

    /** Closes the connection once this response is written. */
    HttpResponse closeConnection() {
        this.closeConnection = true;
        return this;
    }

    int status() {
        return status;
    }

    boolean closesConnection() {
        return closeConnection;
    }

    /** At most {@code max} bytes of the body from {@code position}: a view, not a copy. */
    ByteBuffer bodySlice(int position, int max) {
        return page != null ? page.slice(position, max)
                : ByteBuffer.wrap(body, position, Math.min(max, bodyLength - position));
    }

    int bodyLength() {
        return bodyLength;
    }

    /** The status line and header fields, with {@code Date}, {@code Content-Length} and {@code Connection}. */
    byte[] head(boolean keepAlive, List<String> extraHeaders) {
        StringBuilder head = new StringBuilder(200);
        head.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        head.append("Date: ").append(HttpDate.now()).append("\r\n");
        appendFields(head, headers);
        appendFields(head, extraHeaders);
        head.append("Content-Length: ").append(bodyLength).append("\r\n");
        head.append("Connection: ").append(keepAlive ? "keep-alive" : "close").append("\r\n\r\n");
        return head.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void appendFields(StringBuilder head, List<String> fields) {
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            head.append(fields.get(i)).append(": ").append(fields.get(i + 1)).append("\r\n");
        }
    }

    static String reason(int status) {
        switch (status) {
            case 200: return "OK";
            case 400: return "Bad Request";
            case 401: return "Unauthorized";
            case 403: return "Forbidden";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 408: return "Request Timeout";
            case 414: return "URI Too Long";
            case 431: return "Request Header Fields Too Large";
            case 500: return "Internal Server Error";
            case 503: return "Service Unavailable";
            case 501: return "Not Implemented";
            case 505: return "HTTP Version Not Supported";
            default: return "Status";
        }
    }
}
