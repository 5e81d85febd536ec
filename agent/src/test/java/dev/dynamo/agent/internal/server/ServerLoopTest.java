package dev.dynamo.agent.internal.server;

import dev.dynamo.agent.internal.config.AgentConfig;
import dev.dynamo.agent.internal.log.AgentLog;
import io.prometheus.client.Collector;
import io.prometheus.client.Collector.Type;
import io.prometheus.client.CollectorRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The selector loop itself, built with parts a test controls. */
class ServerLoopTest {
    private final ByteArrayOutputStream agentLog = new ByteArrayOutputStream();
    private ServerLoop loop;
    private Thread loopThread;

    @AfterEach
    void stopLoop() throws InterruptedException {
        if (loop != null) {
            loop.stop();
            loopThread.join(5000);
        }
        AgentLog.redirect(null);
    }

    /**
     * A failure on the selector thread whose very message cannot be made, as when the heap is
     * exhausted: the report of the failed connection and the loop's own report of it both fail.
     * Before, the second one ended the thread, and with it /live, /health and /metrics for the life
     * of the JVM (seen with an application running itself out of memory while being scraped).
     */
    @Test
    void servesOnWhenEvenTheReportOfAFailureFails() throws Exception {
        AgentLog.redirect(new PrintStream(agentLog, true, "UTF-8"));
        Executor renderersOutOfMemory = task -> {
            throw new UnprintableFailure();
        };
        int port = startLoop(renderersOutOfMemory);

        try (RawHttp client = new RawHttp(port)) {
            client.send("GET /metrics HTTP/1.1\r\n\r\n");
            assertTrue(client.closedByServer(), "the scrape that failed is dropped");
        }

        try (RawHttp client = new RawHttp(port)) {
            assertEquals(200, client.send("GET /live HTTP/1.1\r\n\r\n").read().status);
        }
        assertTrue(loopThread.isAlive());
        // Neither report could be made: nothing logged, and the loop serves on.
        assertEquals("", CapturedLog.text(agentLog));
    }

    /** A failure that comes back at every pass is tried again at most once a second, not in a spin. */
    @Test
    void backsOffFromAFailureThatComesBackAtEveryPass() {
        assertEquals(TimeUnit.MILLISECONDS.toNanos(1), ServerLoop.backOffNanos(1), "one failure costs a millisecond");
        assertEquals(TimeUnit.MILLISECONDS.toNanos(2), ServerLoop.backOffNanos(2));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(512), ServerLoop.backOffNanos(10));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(ServerLoop.MAX_BACK_OFF_MILLIS), ServerLoop.backOffNanos(11));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(ServerLoop.MAX_BACK_OFF_MILLIS), ServerLoop.backOffNanos(Integer.MAX_VALUE));
    }

    /**
     * {@code ulimit -u} reached after the first scrape: the render pool's second thread cannot start.
     * Before, the JDK's pool threw the JVM's error for that scrape and every later one, although its
     * first thread waited idle, and each scrape was dropped without an answer.
     */
    @Test
    void scrapesRunOnTheThreadsThatStartedWhenNoMoreCanStart() throws Exception {
        AgentLog.redirect(new PrintStream(agentLog, true, "UTF-8"));
        AtomicInteger started = new AtomicInteger();
        WorkerPool renderers = new WorkerPool(2, new LinkedBlockingQueue<Runnable>(), task -> {
            Thread thread = started.incrementAndGet() == 1 ? new Thread(task, "render-1") : new Thread(task) {
                @Override
                public synchronized void start() {
                    throw new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource limits reached");
                }
            };
            thread.setDaemon(true);
            return thread;
        });
        int port = startLoop(renderers);

        for (int scrape = 0; scrape < 5; scrape++) {
            try (RawHttp client = new RawHttp(port)) {
                assertEquals(200, client.send("GET /metrics HTTP/1.1\r\n\r\n").read().status, "scrape " + scrape);
            }
        }
        assertEquals(1, renderers.getPoolSize());
        renderers.shutdownNow();
    }

    @Test
    void aPoolWithoutAnyThreadRejectsWhatItCannotStartAThreadFor() {
        WorkerPool none = new WorkerPool(1, new LinkedBlockingQueue<Runnable>(), task -> new Thread(task) {
            @Override
            public synchronized void start() {
                throw new OutOfMemoryError("unable to create native thread");
            }
        });

        WorkerPool.NoThreadException rejected = assertThrows(WorkerPool.NoThreadException.class,
                () -> none.execute(() -> { }));
        assertTrue(rejected.getMessage().contains("unable to create native thread"), rejected.getMessage());
        assertTrue(none.getQueue().isEmpty(), "nothing waits for a thread that never comes");
    }

    /**
     * Two scrapes at once of a page at least {@code largePageBytes} long are rendered one after the
     * other. Before, each took a render slot, and the two pages with their samples were in the heap at once.
     */
    @Test
    void scrapesOfALargePageAreRenderedOneAtATime() throws Exception {
        assertEquals(1, mostRendersAtOnce(200, 1_000, true), "a page of some 7 KB, over the bound of 1,000 bytes");
    }

    @Test
    void scrapesOfASmallPageAreRenderedSideBySide() throws Exception {
        assertEquals(2, mostRendersAtOnce(200, 1_000_000, true), "a page of some 7 KB, under the bound of 1 MB");
    }

    /** Before the first page nothing tells its size: the first scrapes at once are rendered one at a time. */
    @Test
    void theFirstScrapesAreRenderedOneAtATime() throws Exception {
        assertEquals(1, mostRendersAtOnce(0, 1_000_000, false));
    }

    /**
     * Two clients that take nothing of their pages once rendered (a scraper paused in a debugger, a
     * slow link) hold no other scrape back: each page goes on with its connection, and the next scrape
     * is rendered at once. Before, each held a render slot until its write deadline, 10 s without
     * progress, and every other scrape waited, then got 503 (Prometheus lost its scrapes so).
     */
    @Test
    void clientsThatTakeNothingOfTheirPagesHoldNoOtherScrapeBack() throws Exception {
        ThreadPoolExecutor renderers = twoRenderThreads();
        int port = startLoopOnABigPage(renderers, 256L << 20);
        try (RawHttp stalledOne = stalledScrape(port); RawHttp stalledOther = stalledScrape(port)) {
            try (RawHttp next = new RawHttp(port)) {
                RawHttp.Reply reply = next.send("GET /metrics HTTP/1.1\r\n\r\n").read();
                assertEquals(200, reply.status);
                assertTrue(reply.body.length > 8_000_000);
            }
            assertEquals(200, stalledOne.read().status, "the stalled clients still get their pages");
            assertEquals(200, stalledOther.read().status);
        } finally {
            renderers.shutdownNow();
        }
    }

    /**
     * A page shorter than {@code largePageBytes} by less than a chunk is handed over too. Before, the
     * budget was compared with the chunks the page held, rounded up to 64 KiB (and with those the slot
     * kept from earlier pages), so such a page held its slot (a re-tester, with Serial GC's heap sizes).
     */
    @Test
    void aPageJustUnderTheBoundIsHandedOver() throws Exception {
        int pageLength;
        ThreadPoolExecutor measuring = twoRenderThreads();
        try (RawHttp first = new RawHttp(startLoop(measuring, 2, Long.MAX_VALUE, pageOf(PAGE_SERIES)))) {
            pageLength = first.send("GET /metrics HTTP/1.1\r\n\r\n").read().body.length;
        } finally {
            stopLoop();
            measuring.shutdownNow();
        }
        assertTrue(pageLength % PageBuffer.CHUNK_BYTES != 0, "the page ends inside a chunk: " + pageLength);
        ThreadPoolExecutor renderers = twoRenderThreads();
        int port = startLoopOnABigPage(renderers, pageLength + 1L);
        try (RawHttp stalledOne = stalledScrape(port); RawHttp stalledOther = stalledScrape(port);
             RawHttp next = new RawHttp(port)) {
            assertEquals(200, next.send("GET /metrics HTTP/1.1\r\n\r\n").read().status);
            assertEquals(200, stalledOne.read().status);
            assertEquals(200, stalledOther.read().status);
        } finally {
            renderers.shutdownNow();
        }
    }

    /**
     * The pages that go on with their connections take at most {@code largePageBytes} together: past
     * that a scrape waits for a slot as before, and is rendered once a stalled client leaves.
     */
    @Test
    void thePagesOfStalledClientsTakeAtMostTheBoundOfALargePage() throws Exception {
        ThreadPoolExecutor renderers = twoRenderThreads();
        int port = startLoopOnABigPage(renderers, 15L << 20);
        List<RawHttp> stalled = new ArrayList<RawHttp>();
        try (RawHttp next = new RawHttp(port)) {
            for (int i = 0; i < 3; i++) {
                stalled.add(stalledScrape(port));
            }
            // Two slots sending and one page of some 10 MB handed over: a second would pass 15 MB.
            next.socket.setSoTimeout(1500);
            next.send("GET /metrics HTTP/1.1\r\n\r\n");
            assertThrows(SocketTimeoutException.class, next::read, "rendered past the bound");
            stalled.get(0).socket.setSoLinger(true, 0);
            stalled.get(0).socket.close();
            next.socket.setSoTimeout(10_000);
            assertEquals(200, next.read().status, "rendered once a stalled client left");
        } finally {
            for (RawHttp client : stalled) {
                client.close();
            }
            renderers.shutdownNow();
        }
    }

    /**
     * Starts the loop with two render slots on a page of some 10 MB, and scrapes it once: until a page
     * has told its size, scrapes are rendered one at a time.
     */
    private int startLoopOnABigPage(Executor renderers, long largePageBytes) throws Exception {
        int port = startLoop(renderers, 2, largePageBytes, pageOf(PAGE_SERIES));
        try (RawHttp first = new RawHttp(port)) {
            assertTrue(first.send("GET /metrics HTTP/1.1\r\n\r\n").read().body.length > 8_000_000);
        }
        return port;
    }

    /** Series whose plain-text page takes some 10 MB. */
    private static final int PAGE_SERIES = 80_000;

    /**
     * A scrape whose client reads nothing, returned once its page is being sent: its socket's receive
     * buffer is small, and the page (some 10 MB) larger than what the kernel buffers on both sides.
     */
    private static RawHttp stalledScrape(int port) throws Exception {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        RawHttp client = new RawHttp(socket).send("GET /metrics HTTP/1.1\r\n\r\n");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (socket.getInputStream().available() == 0) {
            assertTrue(System.nanoTime() - deadline < 0, "no part of the page came within 10 s");
            Thread.sleep(10);
        }
        return client;
    }

    /** A registry whose page has {@code series} series of some 130 bytes each. */
    private static CollectorRegistry pageOf(int series) {
        CollectorRegistry registry = new CollectorRegistry();
        String padding = String.join("", Collections.nCopies(100, "x"));
        registry.register(new Collector() {
            @Override
            public List<MetricFamilySamples> collect() {
                List<MetricFamilySamples.Sample> samples = new ArrayList<MetricFamilySamples.Sample>(series);
                for (int i = 0; i < series; i++) {
                    samples.add(new MetricFamilySamples.Sample("big_page", Collections.singletonList("n"),
                            Collections.singletonList(padding + i), i));
                }
                return Collections.singletonList(new MetricFamilySamples("big_page", Type.GAUGE, "a page", samples));
            }
        });
        return registry;
    }

    /**
     * Scrapes once if {@code scrapeFirst}, then twice at once, a page of {@code series} series whose
     * collection takes 300 ms; returns how many collections ran at once at most in the two.
     */
    private int mostRendersAtOnce(int series, long largePageBytes, boolean scrapeFirst) throws Exception {
        AtomicInteger rendering = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CollectorRegistry registry = new CollectorRegistry();
        registry.register(new Collector() {
            @Override
            public List<MetricFamilySamples> collect() {
                most.accumulateAndGet(rendering.incrementAndGet(), Math::max);
                try {
                    Thread.sleep(300);
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                } finally {
                    rendering.decrementAndGet();
                }
                List<MetricFamilySamples.Sample> samples = new ArrayList<MetricFamilySamples.Sample>();
                for (int i = 0; i < series; i++) {
                    samples.add(new MetricFamilySamples.Sample("big_page", Collections.singletonList("n"),
                            Collections.singletonList("series-" + i), i));
                }
                return Collections.singletonList(new MetricFamilySamples("big_page", Type.GAUGE, "a page", samples));
            }
        });
        ThreadPoolExecutor renderers = twoRenderThreads();
        int port = startLoop(renderers, 2, largePageBytes, registry);
        try {
            if (scrapeFirst) {
                try (RawHttp first = new RawHttp(port)) {
                    assertEquals(200, first.send("GET /metrics HTTP/1.1\r\n\r\n").read().status);
                }
                most.set(0);
            }
            try (RawHttp one = new RawHttp(port); RawHttp other = new RawHttp(port)) {
                one.send("GET /metrics HTTP/1.1\r\n\r\n");
                other.send("GET /metrics HTTP/1.1\r\n\r\n");
                assertEquals(200, one.read().status);
                assertEquals(200, other.read().status);
            }
        } finally {
            renderers.shutdownNow();
        }
        return most.get();
    }

    /** Two render threads, as the server has; shut down by each test. */
    private static ThreadPoolExecutor twoRenderThreads() {
        return new ThreadPoolExecutor(2, 2, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<Runnable>());
    }

    private int startLoop(Executor renderers) throws IOException {
        return startLoop(renderers, 1, Long.MAX_VALUE, new CollectorRegistry());
    }

    private int startLoop(Executor renderers, int renderSlots, long largePageBytes, CollectorRegistry registry)
            throws IOException {
        Map<String, String> env = new HashMap<String, String>();
        env.put("DYN_SYSTEM_PORT", "0");
        env.put("DYN_SYSTEM_HOST", "127.0.0.1");
        AgentConfig config = AgentConfig.fromEnvironment(env);
        Selector selector = Selector.open();
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress("127.0.0.1", 0));
        listener.configureBlocking(false);
        Rejections rejections = new Rejections();
        ThreadPoolExecutor unused = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new ArrayBlockingQueue<Runnable>(1));
        unused.allowCoreThreadTimeOut(true);
        loop = new ServerLoop(selector, listener, config, new HealthStatus(true), ServerSecurity.PLAIN, rejections,
                new MetricsHandler(registry, () -> { }, rejections), renderers, renderSlots, largePageBytes, unused,
                new CredentialChecks(unused));
        loopThread = new Thread(loop, "server-loop-test");
        loopThread.setDaemon(true);
        loopThread.start();
        return ((InetSocketAddress) listener.getLocalAddress()).getPort();
    }

    /** A failure whose description fails in turn, as building any message does without heap. */
    private static final class UnprintableFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnprintableFailure() {
            super(null, null, false, false);
        }

        @Override
        public String toString() {
            throw new UnprintableFailure();
        }
    }
}
