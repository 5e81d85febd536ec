package dev.dynamo.agent.internal.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Parses an HTTP/1.0 or 1.1 request head (RFC 9112): the request line and the header fields, up to
 * the empty line. Strict where the RFCs say a server must refuse (bad tokens, control characters,
 * folded lines, conflicting lengths, two {@code Host} fields or a malformed one, a transfer coding
 * that does not end in {@code chunked}: 400) and lenient where clients differ harmlessly (bare LF
 * line ends, no {@code Host} field).
 */
final class RequestHeadParser {
    /** Largest request head accepted; a longer one is answered 431 (414 when the request line alone is longer). */
    static final int MAX_HEAD_BYTES = 8 * 1024;
    static final int MAX_HEADER_FIELDS = 100;
    /** The first byte of a TLS record that carries a handshake message, as a ClientHello does. */
    private static final byte TLS_HANDSHAKE_RECORD = 0x16;
    /** What a {@code Host} may hold besides letters and digits (RFC 3986: unreserved, sub-delims, IP literals, port). */
    private static final String HOST_PUNCTUATION = "-._~%!$&'()*+,;=:[]";

    private RequestHeadParser() {
    }

    /**
     * The index just past the empty line that ends the head in {@code bytes[0..length)}, or -1 when
     * it has not all arrived. Scanning starts at {@code from} (where the previous call stopped).
     */
    static int headEnd(byte[] bytes, int from, int length) {
        for (int i = Math.max(from, 1); i < length; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            if (bytes[i - 1] == '\n') {
                return i + 1;
            }
            if (bytes[i - 1] == '\r' && i >= 2 && bytes[i - 2] == '\n') {
                return i + 1;
            }
        }
        return -1;
    }

    /** The status for a head that reached {@link #MAX_HEAD_BYTES} without ending: 414 when no line ended yet. */
    static int oversizedHeadStatus(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] == '\n') {
                return 431;
            }
        }
        return 414;
    }

    /**
     * Refuses at once a request whose first byte cannot start a request line, instead of waiting for
     * a head that never ends: a TLS client's handshake on the plain-HTTP port sends no line end and
     * would otherwise wait for the request timeout.
     */
    static void checkFirstByte(byte first) throws BadRequestException {
        if (first == TLS_HANDSHAKE_RECORD) {
            throw new BadRequestException(400, "a TLS handshake on a port that speaks plain HTTP; use http://");
        }
        if (!isToken(String.valueOf((char) (first & 0xff)))) {
            throw new BadRequestException(400, "malformed request line; a request starts with a method such as GET");
        }
    }

    /**
     * Refuses at once a request line that has ended and is malformed (an SSH banner, an HTTP/0.9 simple
     * request, another HTTP version), instead of waiting for the end of a head that such a client never
     * sends; does nothing before the first line has ended.
     */
    static void checkRequestLine(byte[] bytes, int length) throws BadRequestException {
        int lineEnd = lineEnd(bytes, 0, length);
        if (lineEnd < length) {
            requestLine(bytes, lineEnd);
        }
    }

    /**
     * Refuses at once a head that uses a bare CR as a line end (RFC 9112 §2.2: a recipient must take it
     * as invalid), instead of waiting for an end of head that such a client never sends. Looks at
     * {@code bytes[from..length)}; a CR that is the last byte so far may still be followed by its LF.
     */
    static void checkLineEnds(byte[] bytes, int from, int length) throws BadRequestException {
        for (int i = Math.max(from, 0); i < length - 1; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] != '\n') {
                throw new BadRequestException(400, "a bare CR in the request head; end each line with CRLF or LF");
            }
        }
    }

    /** Parses the head in {@code bytes[0..end)}, as found by {@link #headEnd}. */
    static HttpRequest parse(byte[] bytes, int end) throws BadRequestException {
        int lineEnd = lineEnd(bytes, 0, end);
        String[] requestLine = requestLine(bytes, lineEnd);
        String method = requestLine[0];
        String target = requestLine[1];
        boolean http11 = requestLine[2].charAt(7) != '0';

        Map<String, String> headers = new HashMap<String, String>();
        int fields = 0;
        int hostFields = 0;
        int lineStart = lineEnd + 1;
        while (lineStart < end) {
            lineEnd = lineEnd(bytes, lineStart, end);
            int contentEnd = trimCr(bytes, lineStart, lineEnd);
            if (contentEnd == lineStart) {
                break;
            }
            if (++fields > MAX_HEADER_FIELDS) {
                throw new BadRequestException(431, "too many header fields; at most " + MAX_HEADER_FIELDS
                        + " are accepted");
            }
            if (addField(headers, bytes, lineStart, contentEnd).equals("host")) {
                hostFields++;
            }
            lineStart = lineEnd + 1;
        }
        checkHost(hostFields, headers.get("host"));
        checkTransferCoding(http11, headers.get("transfer-encoding"));
        long contentLength = contentLength(headers.get("content-length"));
        return requestFor(method, target, http11, headers, contentLength);
    }

    /**
     * The method, target and version of the request line {@code bytes[0..lineEnd)}; a higher minor
     * version of 1.x is served as 1.1 (RFC 9110 §2.5).
     */
    private static String[] requestLine(byte[] bytes, int lineEnd) throws BadRequestException {
        String line = new String(bytes, 0, trimCr(bytes, 0, lineEnd), StandardCharsets.ISO_8859_1);
        int first = line.indexOf(' ');
        int second = first < 0 ? -1 : line.indexOf(' ', first + 1);
        if (first <= 0 || second < 0 || line.indexOf(' ', second + 1) >= 0) {
            throw new BadRequestException(400, "malformed request line; a request line is METHOD /path HTTP/1.1");
        }
        String method = line.substring(0, first);
        String version = line.substring(second + 1);
        if (!isToken(method)) {
            throw new BadRequestException(400, "malformed request method");
        }
        if (!(version.length() == 8 && version.startsWith("HTTP/") && isDigit(version.charAt(5))
                && version.charAt(6) == '.' && isDigit(version.charAt(7)))) {
            throw new BadRequestException(400, "malformed HTTP version; HTTP/1.0 and HTTP/1.1 are accepted");
        }
        if (version.charAt(5) != '1') {
            throw new BadRequestException(505, "unsupported HTTP version; HTTP/1.0 and HTTP/1.1 are accepted");
        }
        return new String[] {method, line.substring(first + 1, second), version};
    }

    /**
     * At most one {@code Host}, holding a host name or address with an optional port, or nothing (RFC
     * 9112 §3.2; RFC 3986's reg-name, IP literal and port): two, or one that holds anything else, are
     * refused, as the RFC says. An HTTP/1.1 request without {@code Host} is served all the same,
     * against the RFC's letter: the server has one host, and hand-written probes (a
     * {@code printf ... | nc} in an exec probe) often leave it out.
     */
    private static void checkHost(int fields, String host) throws BadRequestException {
        if (fields > 1) {
            throw new BadRequestException(400, "more than one Host header field");
        }
        if (fields == 0) {
            return;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || HOST_PUNCTUATION.indexOf(c) >= 0)) {
                throw new BadRequestException(400, "malformed Host header field; it is a host name or address and"
                        + " an optional port");
            }
        }
    }

    /**
     * A request's transfer codings end in {@code chunked} (RFC 9112 §6.3), are ones HTTP defines
     * (§6.1: 501 for others), and come in HTTP/1.1 only. The server reads no request body (a request
     * with one is answered and its connection closed), so this only keeps the framing honest.
     */
    private static void checkTransferCoding(boolean http11, String codings) throws BadRequestException {
        if (codings == null) {
            return;
        }
        if (!http11) {
            throw new BadRequestException(400, "Transfer-Encoding in an HTTP/1.0 request");
        }
        String[] list = codings.split(",", -1);
        for (String coding : list) {
            String name = coding.trim().toLowerCase(Locale.ROOT);
            int parameters = name.indexOf(';');
            name = parameters < 0 ? name : name.substring(0, parameters).trim();
            if (!(name.equals("chunked") || name.equals("gzip") || name.equals("x-gzip") || name.equals("deflate")
                    || name.equals("compress") || name.equals("x-compress"))) {
                throw new BadRequestException(name.isEmpty() || !isToken(name) ? 400 : 501,
                        "unknown transfer coding; the codings are chunked, gzip, deflate and compress");
            }
        }
        if (!list[list.length - 1].trim().toLowerCase(Locale.ROOT).equals("chunked")) {
            throw new BadRequestException(400, "a request's Transfer-Encoding must end with chunked");
        }
    }

    private static HttpRequest requestFor(String method, String target, boolean http11, Map<String, String> headers,
            long contentLength) throws BadRequestException {
        String originForm = target;
        if (startsWithIgnoreCase(target, "http://") || startsWithIgnoreCase(target, "https://")) {
            int authority = target.indexOf("//") + 2;
            int slash = target.indexOf('/', authority);
            int authorityEnd = slash < 0 ? target.length() : slash;
            int query = target.indexOf('?', authority);
            int hostEnd = query >= 0 && query < authorityEnd ? query : authorityEnd;
            if (target.substring(authority, hostEnd).indexOf('@') >= 0) {
                throw new BadRequestException(400, "malformed request target: user information in its URI");
            }
            originForm = slash < 0 ? "/" : target.substring(slash);
        } else if (target.equals("*")) {
            if (!method.equals("OPTIONS")) {
                throw new BadRequestException(400, "malformed request target: * is for OPTIONS only");
            }
        } else if (!target.startsWith("/")) {
            throw new BadRequestException(400, "malformed request target");
        }
        if (target.indexOf('#') >= 0) {
            throw new BadRequestException(400, "malformed request target: a fragment (#) is never sent");
        }
        for (int i = 0; i < originForm.length(); i++) {
            char c = originForm.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new BadRequestException(400, "malformed request target");
            }
        }
        int question = originForm.indexOf('?');
        String rawPath = question < 0 ? originForm : originForm.substring(0, question);
        String rawQuery = question < 0 ? null : originForm.substring(question + 1);
        return new HttpRequest(method, percentDecode(rawPath), rawQuery, http11, headers, contentLength);
    }

    /** Adds one field line to {@code headers}; returns its name, lower-cased. */
    private static String addField(Map<String, String> headers, byte[] bytes, int start, int end)
            throws BadRequestException {
        if (bytes[start] == ' ' || bytes[start] == '\t') {
            throw new BadRequestException(400, "folded header field");
        }
        int colon = -1;
        for (int i = start; i < end; i++) {
            if (bytes[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon <= start) {
            throw new BadRequestException(400, "malformed header field");
        }
        String name = new String(bytes, start, colon - start, StandardCharsets.ISO_8859_1);
        if (!isToken(name)) {
            throw new BadRequestException(400, "malformed header field name");
        }
        int valueStart = colon + 1;
        int valueEnd = end;
        while (valueStart < valueEnd && (bytes[valueStart] == ' ' || bytes[valueStart] == '\t')) {
            valueStart++;
        }
        while (valueEnd > valueStart && (bytes[valueEnd - 1] == ' ' || bytes[valueEnd - 1] == '\t')) {
            valueEnd--;
        }
        for (int i = valueStart; i < valueEnd; i++) {
            int b = bytes[i] & 0xff;
            if ((b < 0x20 && b != '\t') || b == 0x7f) {
                throw new BadRequestException(400, "control character in a header field");
            }
        }
        String value = new String(bytes, valueStart, valueEnd - valueStart, StandardCharsets.ISO_8859_1);
        String key = name.toLowerCase(Locale.ROOT);
        String earlier = headers.get(key);
        headers.put(key, earlier == null ? value : earlier + ", " + value);
        return key;
    }

    /** -1 when absent; every repeat must agree (RFC 9112 §6.3). */
    private static long contentLength(String raw) throws BadRequestException {
        if (raw == null) {
            return -1;
        }
        long length = -1;
        for (String part : raw.split(",", -1)) {
            String digits = part.trim();
            if (digits.isEmpty() || digits.length() > 18) {
                throw new BadRequestException(400, "malformed Content-Length");
            }
            for (int i = 0; i < digits.length(); i++) {
                if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                    throw new BadRequestException(400, "malformed Content-Length");
                }
            }
            long value = Long.parseLong(digits);
            if (length >= 0 && value != length) {
                throw new BadRequestException(400, "conflicting Content-Length fields");
            }
            length = value;
        }
        return length;
    }

    /** Decodes {@code %XX} escapes as UTF-8; a malformed escape is a bad request. */
    static String percentDecode(String raw) throws BadRequestException {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream decoded = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '%') {
                decoded.write(c);
                continue;
            }
            int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
            int low = high < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
            if (low < 0) {
                throw new BadRequestException(400, "malformed percent-encoding in the path; '%' must start an"
                        + " escape of two hex digits (%25 for '%' itself)");
            }
            decoded.write(high * 16 + low);
            i += 2;
        }
        return new String(decoded.toByteArray(), StandardCharsets.UTF_8);
    }

    /** RFC 9110 token: one or more tchar. */
    static boolean isToken(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean alphaNumeric = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c);
            if (!alphaNumeric && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /** An ASCII digit: {@code Character.isDigit} also takes the digits of other scripts. */
    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean startsWithIgnoreCase(String text, String prefix) {
        return text.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    private static int lineEnd(byte[] bytes, int from, int end) {
        for (int i = from; i < end; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return end;
    }

    private static int trimCr(byte[] bytes, int start, int lineEnd) {
        return lineEnd > start && bytes[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
    }
}
