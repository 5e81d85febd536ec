package dev.dynamo.agent.internal.server;

import com.sun.net.httpserver.HttpExchange;
import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UnsupportedEncodingException;
import java.io.Writer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPOutputStream;

/**
 * {@code GET|HEAD /metrics}: Prometheus text 0.0.4, or OpenMetrics when {@code Accept} asks for it;
 * gzip when accepted; {@code name[]=} keeps only the named families or samples.
 */
final class MetricsHandler {
    private final CollectorRegistry registry;
    private final Runnable beforeFirstScrape;
    /** Kept between scrapes, up to {@link #MAX_KEPT_BUFFER_BYTES}; taken by one scrape at a time. */
    private final AtomicReference<ResponseBuffer> spare = new AtomicReference<ResponseBuffer>();
    private final AtomicReference<StringBuilder> spareText = new AtomicReference<StringBuilder>();
    private static final int MAX_KEPT_BUFFER_BYTES = 16 * 1024 * 1024;

    MetricsHandler(CollectorRegistry registry, Runnable beforeFirstScrape) {
        this.registry = registry;
        this.beforeFirstScrape = beforeFirstScrape;
    }

    void handle(HttpExchange exchange) throws IOException {
        beforeFirstScrape.run();
        String contentType = TextFormat.chooseContentType(exchange.getRequestHeaders().getFirst("Accept"));
        Set<String> names = requestedNames(exchange.getRequestURI().getRawQuery());
        boolean gzip = acceptsGzip(exchange.getRequestHeaders().get("Accept-Encoding"));

        StringBuilder text = takeText();
        TextFormat.writeFormat(contentType, new StringBuilderWriter(text),
                filtered(registry.metricFamilySamples(), names));
        byte[] page = text.toString().getBytes(StandardCharsets.UTF_8);
        returnText(text);

        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Vary", "Accept, Accept-Encoding");
        if (!gzip) {
            SystemServer.send(exchange, 200, page);
            return;
        }
        exchange.getResponseHeaders().set("Content-Encoding", "gzip");
        ResponseBuffer compressed = takeBuffer();
        try (GZIPOutputStream out = new GZIPOutputStream(compressed)) {
            out.write(page);
        }
        SystemServer.send(exchange, 200, compressed.bytes(), compressed.size());
        returnBuffer(compressed);
    }

    /**
     * The page is rendered into a {@link StringBuilder} and encoded once: simpleclient's TextFormat
     * makes thousands of small writes, and an {@code OutputStreamWriter} locks and runs the charset
     * encoder for each (measured: 32 ms for 10,000 series against 11 ms this way). The builder is
     * kept for the next scrape, like the compression buffer.
     */
    private StringBuilder takeText() {
        StringBuilder text = spareText.getAndSet(null);
        if (text == null) {
            return new StringBuilder(16 * 1024);
        }
        text.setLength(0);
        return text;
    }

    private void returnText(StringBuilder text) {
        if (text.capacity() <= MAX_KEPT_BUFFER_BYTES) {
            spareText.set(text);
        }
    }

    /** A compressed page: grown once and kept for the next scrape, rather than grown at every scrape. */
    private ResponseBuffer takeBuffer() {
        ResponseBuffer buffer = spare.getAndSet(null);
        if (buffer == null) {
            return new ResponseBuffer();
        }
        buffer.reset();
        return buffer;
    }

    private void returnBuffer(ResponseBuffer buffer) {
        if (buffer.capacity() <= MAX_KEPT_BUFFER_BYTES) {
            spare.set(buffer);
        }
    }

    /** A {@link Writer} that appends to a {@link StringBuilder} without locking or encoding. */
    private static final class StringBuilderWriter extends Writer {
        private final StringBuilder out;

        StringBuilderWriter(StringBuilder out) {
            this.out = out;
        }

        @Override
        public void write(char[] chars, int offset, int length) {
            out.append(chars, offset, length);
        }

        @Override
        public void write(String text) {
            out.append(text);
        }

        @Override
        public void write(String text, int offset, int length) {
            out.append(text, offset, offset + length);
        }

        @Override
        public void write(int c) {
            out.append((char) c);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    /** A {@link ByteArrayOutputStream} whose array can be sent without copying it. */
    private static final class ResponseBuffer extends ByteArrayOutputStream {
        ResponseBuffer() {
            super(16 * 1024);
        }

        byte[] bytes() {
            return buf;
        }

        int capacity() {
            return buf.length;
        }
    }

    /** A family stays when its name, or one of its sample names, was asked for; then only matching samples stay. */
    private static Enumeration<MetricFamilySamples> filtered(Enumeration<MetricFamilySamples> all, Set<String> names) {
        if (names.isEmpty()) {
            return all;
        }
        List<MetricFamilySamples> kept = new ArrayList<MetricFamilySamples>();
        while (all.hasMoreElements()) {
            MetricFamilySamples family = all.nextElement();
            boolean counterTotal = family.type == Collector.Type.COUNTER && names.contains(family.name + "_total");
            if (names.contains(family.name) || counterTotal) {
                kept.add(family);
                continue;
            }
            List<MetricFamilySamples.Sample> samples = new ArrayList<MetricFamilySamples.Sample>();
            for (MetricFamilySamples.Sample sample : family.samples) {
                if (names.contains(sample.name)) {
                    samples.add(sample);
                }
            }
            if (!samples.isEmpty()) {
                kept.add(new MetricFamilySamples(family.name, family.unit, family.type, family.help, samples));
            }
        }
        return Collections.enumeration(kept);
    }

    static Set<String> requestedNames(String rawQuery) throws UnsupportedEncodingException {
        Set<String> names = new HashSet<String>();
        if (rawQuery == null) {
            return names;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            if (equals <= 0) {
                continue;
            }
            String key = URLDecoder.decode(pair.substring(0, equals), "UTF-8");
            if (key.equals("name[]")) {
                names.add(URLDecoder.decode(pair.substring(equals + 1), "UTF-8"));
            }
        }
        return names;
    }

    private static boolean acceptsGzip(List<String> acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String header : acceptEncoding) {
            for (String coding : header.split(",")) {
                String[] parts = coding.trim().split(";");
                boolean refused = parts.length > 1 && parts[1].trim().matches("q=0(\\.0*)?");
                if (parts[0].trim().equalsIgnoreCase("gzip") && !refused) {
                    return true;
                }
            }
        }
        return false;
    }
}
