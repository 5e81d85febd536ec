package dev.dynamo.agent.internal.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContentNegotiationTest {

    @Test
    void servesOpenMetricsToPrometheus() {
        assertTrue(ContentNegotiation.prefersOpenMetrics("application/openmetrics-text;version=1.0.0,"
                + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "application/openmetrics-text",
        "Application/OpenMetrics-Text; version=1.0.0",
        "text/plain;q=0.5, application/openmetrics-text",
        "text/plain, application/openmetrics-text",
        // The most specific range decides each format's weight: text/plain;q=0 refuses it whatever */* says.
        "text/plain;q=0,*/*",
        "text/plain;version=0.0.4;q=0,*/*;q=0.1",
        "text/*;q=0, */*;q=0.5",
        "application/*",
        "application/*;q=0.9,text/plain;q=0.1",
        "application/openmetrics-text;q=0.2, text/plain;q=0, */*;q=0.9",
        "application/openmetrics-text; version=0.0.1",
        "application/openmetrics-text;version=2.0.0, application/openmetrics-text;version=1.0.0;q=0.9, text/plain;q=0.5"
    })
    void servesOpenMetricsWhenPreferredOrTied(String accept) {
        assertTrue(ContentNegotiation.prefersOpenMetrics(accept), accept);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "*/*",
        "text/plain",
        "application/openmetrics-text;q=0",
        "application/openmetrics-text; version=1.0.0; q=0.0",
        "application/openmetrics-text;q=0.4, text/plain;q=0.5",
        "application/openmetrics-text;q=0.5, */*",
        "application/*, */*",
        "application/*;q=0, text/*;q=0.1",
        // Both refused, or neither named: the text format, which every scraper reads.
        "text/plain;q=0,application/openmetrics-text;q=0",
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited",
        "application/openmetrics-text;q=nonsense",
        "application/openmetrics-text;q=2",
        ";",
        ",,,",
        // A version of OpenMetrics this server does not write is not OpenMetrics to it, as for Prometheus's Go library.
        "application/openmetrics-text;version=2.0.0",
        "application/openmetrics-text; Version=\"3.1\", text/plain;q=0.1"
    })
    void servesTheTextFormatOtherwise(String accept) {
        assertFalse(ContentNegotiation.prefersOpenMetrics(accept), accept);
    }

    @Test
    void servesTheTextFormatWithoutAccept() {
        assertFalse(ContentNegotiation.prefersOpenMetrics(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "GZIP", "x-gzip", "deflate, gzip;q=0.5", "*", "br;q=1, *;q=0.1", " gzip ; q=1.0 "})
    void acceptsGzip(String acceptEncoding) {
        assertTrue(ContentNegotiation.acceptsGzip(acceptEncoding), acceptEncoding);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ";", ";;", ",", "identity", "gzip;q=0", "gzip;q=0.000", "gzip;q=0, *",
        "*;q=0", "gzip;q=x", "gzip;q=", "br", ";q=1"})
    void refusesGzipOtherwiseWithoutFailing(String acceptEncoding) {
        assertFalse(ContentNegotiation.acceptsGzip(acceptEncoding), acceptEncoding);
    }

    @Test
    void readsWeights() {
        assertEquals(1.0, ContentNegotiation.weight("gzip", -1));
        assertEquals(0.5, ContentNegotiation.weight("gzip;q=0.5", 4));
        assertEquals(0.125, ContentNegotiation.weight("gzip; level=1 ; Q=0.125", 4));
        assertEquals(-1.0, ContentNegotiation.weight("gzip;q=1.5", 4));
        assertEquals(-1.0, ContentNegotiation.weight(" ", -1));
        assertEquals(0.0, ContentNegotiation.weight("gzip;q=0.", 4));
        assertEquals(1.0, ContentNegotiation.weight("gzip;q=1.000", 4));
        assertEquals(-1.0, ContentNegotiation.weight("gzip;q=1.001", 4));
        assertEquals(-1.0, ContentNegotiation.weight("gzip;q=0.1234", 4));
        assertEquals(-1.0, ContentNegotiation.weight("gzip;q=.5", 4));
        assertEquals(-1.0, ContentNegotiation.weight("gzip;q=0,5", 4));
        assertEquals(-1.0, ContentNegotiation.weight("gzip;q=0.\u0665", 4));
    }

    @Test
    void findsConnectionTokens() {
        assertTrue(ContentNegotiation.hasToken("Keep-Alive, Upgrade", "keep-alive"));
        assertFalse(ContentNegotiation.hasToken("closed", "close"));
        assertFalse(ContentNegotiation.hasToken(null, "close"));
    }
}
