package dev.dynamo.agent.internal.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestHeadParserTest {

    private static HttpRequest parse(String head) throws BadRequestException {
        byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
        int end = RequestHeadParser.headEnd(bytes, 0, bytes.length);
        assertTrue(end > 0, "head not complete: " + head);
        return RequestHeadParser.parse(bytes, end);
    }

    private static int statusOf(String head) {
        return assertThrows(BadRequestException.class, () -> parse(head)).status();
    }

    @Test
    void readsTheRequestLineAndHeaderFields() throws BadRequestException {
        HttpRequest request = parse("GET /metrics?name[]=a&x=1 HTTP/1.1\r\nHost: h\r\nAccept:  text/plain \r\n\r\n");

        assertEquals("GET", request.method());
        assertEquals("/metrics", request.path());
        assertEquals("name[]=a&x=1", request.rawQuery());
        assertEquals("text/plain", request.header("accept"));
        assertEquals("h", request.header("HOST"));
        assertTrue(request.isHttp11());
        assertFalse(request.hasBody());
    }

    @Test
    void joinsRepeatedFieldsWithCommas() throws BadRequestException {
        HttpRequest request = parse("GET / HTTP/1.1\r\nAccept-Encoding: br\r\naccept-encoding: gzip\r\n\r\n");

        assertEquals("br, gzip", request.header("Accept-Encoding"));
    }

    @Test
    void acceptsBareLineFeeds() throws BadRequestException {
        HttpRequest request = parse("HEAD /live HTTP/1.0\nConnection: keep-alive\n\n");

        assertTrue(request.isHead());
        assertEquals("/live", request.path());
        assertTrue(request.keepAlive());
    }

    @Test
    void keepsHttp11ConnectionsUnlessAskedToClose() throws BadRequestException {
        assertTrue(parse("GET / HTTP/1.1\r\n\r\n").keepAlive());
        assertFalse(parse("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n").keepAlive());
        assertFalse(parse("GET / HTTP/1.1\r\nConnection: te, close\r\n\r\n").keepAlive());
        assertFalse(parse("GET / HTTP/1.0\r\n\r\n").keepAlive());
        // An HTTP/1.0 request that names both: close wins (RFC 9112 §9.6).
        assertFalse(parse("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n").keepAlive());
        assertFalse(parse("GET / HTTP/1.0\r\nConnection: close\r\nConnection: keep-alive\r\n\r\n").keepAlive());
    }

    @Test
    void decodesThePathAndTakesThePathOfAnAbsoluteTarget() throws BadRequestException {
        assertEquals("/metrics", parse("GET /%6detrics HTTP/1.1\r\n\r\n").path());
        assertEquals("/metrics", parse("GET http://host:9/metrics?x HTTP/1.1\r\n\r\n").path());
        assertEquals("/", parse("GET http://host:9 HTTP/1.1\r\n\r\n").path());
    }

    @Test
    void seesABodyFromItsLengthOrTransferEncoding() throws BadRequestException {
        assertTrue(parse("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n").hasBody());
        assertTrue(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").hasBody());
        assertFalse(parse("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n").hasBody());
        assertTrue(parse("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n").hasBody());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GARBAGE\r\n\r\n",
        "GET\r\n\r\n",
        "GET /metrics\r\n\r\n",
        "GET  /metrics HTTP/1.1\r\n\r\n",
        "GET /metrics HTTP/1.1 extra\r\n\r\n",
        "G(T /metrics HTTP/1.1\r\n\r\n",
        "GET metrics HTTP/1.1\r\n\r\n",
        "GET /metrics HTTX/1.1\r\n\r\n",
        "GET /met\u0001rics HTTP/1.1\r\n\r\n",
        "GET /%zz HTTP/1.1\r\n\r\n",
        "GET /%4 HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nNo colon\r\n\r\n",
        "GET / HTTP/1.1\r\n: empty name\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
        "GET / HTTP/1.1\r\nName : x\r\n\r\n",
        "GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
        "GET / HTTP/1.1\r\nA: b\u0000c\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "\u0016\u0003\u0001\u0002\u0000\u0001\r\n\r\n",
        // What RFC 9110 and 9112 tell a server to refuse (a tester's conformance run):
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a b/c@\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n",
        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
        "GET * HTTP/1.1\r\n\r\n",
        "GET /metrics#frag HTTP/1.1\r\n\r\n",
        "GET http://user:pw@a/live HTTP/1.1\r\n\r\n"
    })
    void answersGarbageWith400(String head) {
        assertEquals(400, statusOf(head));
    }

    @Test
    void answersAnUnknownTransferCodingWith501() {
        assertEquals(501, statusOf("POST / HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n\r\n"));
    }

    /** No Host is served, against the RFC's letter: hand-written probes leave it out (see checkHost). */
    @Test
    void acceptsTheHostsAndTargetsTheRfcsAllow() throws BadRequestException {
        assertEquals("/live", parse("GET /live HTTP/1.1\r\nHost: [::1]:8000\r\n\r\n").path());
        assertEquals("/live", parse("GET /live HTTP/1.1\r\nHost: metrics.example.com\r\n\r\n").path());
        assertEquals("/live", parse("GET /live HTTP/1.1\r\nHost:\r\n\r\n").path());
        assertEquals("/live", parse("GET /live HTTP/1.1\r\n\r\n").path());
        assertEquals("OPTIONS", parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").method());
        assertTrue(parse("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").hasBody());
        assertEquals("/live", parse("GET http://a:9/live?x=@ HTTP/1.1\r\n\r\n").path());
    }

    @Test
    void answersAnotherHttpVersionWith505AndAMalformedOneWith400() {
        assertEquals(505, statusOf("GET / HTTP/2.0\r\n\r\n"));
        assertEquals(505, statusOf("GET / HTTP/0.9\r\n\r\n"));
        assertEquals(400, statusOf("GET / HTTP/2\r\n\r\n"));
        assertEquals(400, statusOf("GET / HTTP/1.10\r\n\r\n"));
        assertEquals(400, statusOf("GET / HTTP/\u0661.1\r\n\r\n"));
    }

    @Test
    void servesAHigherMinorVersionOfHttp1AsHttp11() throws BadRequestException {
        assertTrue(parse("GET / HTTP/1.2\r\n\r\n").isHttp11());
        assertTrue(parse("GET / HTTP/1.9\r\n\r\n").isHttp11());
        assertFalse(parse("GET / HTTP/1.0\r\n\r\n").isHttp11());
    }

    @Test
    void refusesAtOnceAFirstByteThatCannotStartARequest() throws BadRequestException {
        BadRequestException tls = assertThrows(BadRequestException.class,
                () -> RequestHeadParser.checkFirstByte((byte) 0x16));
        assertEquals(400, tls.status());
        assertEquals("a TLS handshake on a port that speaks plain HTTP; use http://", tls.getMessage());
        assertEquals(400, assertThrows(BadRequestException.class,
                () -> RequestHeadParser.checkFirstByte((byte) 0)).status());
        RequestHeadParser.checkFirstByte((byte) 'G');
    }

    @Test
    void answersTooManyFieldsWith431() {
        StringBuilder head = new StringBuilder("GET / HTTP/1.1\r\n");
        for (int i = 0; i <= RequestHeadParser.MAX_HEADER_FIELDS; i++) {
            head.append("X-").append(i).append(": v\r\n");
        }
        assertEquals(431, statusOf(head.append("\r\n").toString()));
    }

    @Test
    void findsTheEndOfTheHeadOnlyOnceItHasArrived() {
        byte[] partial = "GET /metr".getBytes(StandardCharsets.US_ASCII);
        assertEquals(-1, RequestHeadParser.headEnd(partial, 0, partial.length));
        byte[] whole = "GET / HTTP/1.1\r\nA: b\r\n\r\nGET /next".getBytes(StandardCharsets.US_ASCII);
        assertEquals(24, RequestHeadParser.headEnd(whole, 0, whole.length));
        assertEquals(24, RequestHeadParser.headEnd(whole, 23, whole.length), "resumes where it stopped");
    }

    @Test
    void tellsAnOverlongRequestLineFromOverlongFields() {
        byte[] line = new byte[RequestHeadParser.MAX_HEAD_BYTES];
        Arrays.fill(line, (byte) 'a');
        assertEquals(414, RequestHeadParser.oversizedHeadStatus(line, line.length));
        line[20] = '\n';
        assertEquals(431, RequestHeadParser.oversizedHeadStatus(line, line.length));
    }

    @Test
    void hasNoQueryWithoutAQuestionMark() throws BadRequestException {
        assertNull(parse("GET /metrics HTTP/1.1\r\n\r\n").rawQuery());
        assertEquals("", parse("GET /metrics? HTTP/1.1\r\n\r\n").rawQuery());
    }
}
