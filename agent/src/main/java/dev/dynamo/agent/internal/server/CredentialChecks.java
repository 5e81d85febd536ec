package dev.dynamo.agent.internal.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs the checks {@link Access#afterCheck} defers (bcrypt: tens to hundreds of milliseconds each,
 * by design) on one thread of their own, never on the selector thread, which must keep answering
 * {@code /live} and the scrapes whose credentials are remembered.
 *
 * <p>Bounded three times: at most {@link #MAX_QUEUED} checks wait; the thread spends on average at
 * most {@link #BUSY_MILLIS_PER_SECOND} of each second checking (after a burst of
 * {@link #BURST_MILLIS}), pausing between checks and inside one ({@link CheckPace}) when it has used
 * more; and a check stops at its request's deadline, the request timeout after it came, its request
 * answered 503. A flood of wrong passwords therefore costs the host at most a quarter of one core,
 * however slow the machine or the hash's cost factor, and no check holds the thread past a deadline.
 *
 * <p>Fair by client source ({@link #sourceOf}: an IPv4 address, an IPv6 /64): the waiting checks
 * are kept per source and the sources are served in turn. When {@link #MAX_QUEUED} wait, a check
 * from a source with fewer waiting takes the place of the newest check of the source with the most,
 * if that one has at least two more. A flood from a few addresses, answered 503 at once and so free
 * to send again at once, used to take every place freed before a client retrying every few seconds
 * came (a re-tester: 0 of 29 tries in 60 s); now that client's check gets a place at its first try
 * and runs after at most one check of each other source waiting.
 */
final class CredentialChecks {
    static final int MAX_QUEUED = 16;
    static final long BUSY_MILLIS_PER_SECOND = 250;
    static final long BURST_MILLIS = 500;
    private static final long BURST_NANOS = TimeUnit.MILLISECONDS.toNanos(BURST_MILLIS);
    /**
     * IPv4 sources, as {@code ffff:ffff::/32} and the address: a prefix of multicast IPv6 addresses,
     * which are never a peer's, so never an IPv6 source.
     */
    private static final long IPV4_SOURCES = 0xffff_ffff_0000_0000L;
    /** The source of a peer whose address cannot be read (a channel closed meanwhile): one shared by all such. */
    static final long UNKNOWN_SOURCE = -1L;

    /** One thread, running one {@link #runNext} per check admitted, with a queue of {@link #MAX_QUEUED}. */
    private final ThreadPoolExecutor thread;
    /**
     * The waiting checks per source, each source's oldest first, in the order the sources are served.
     * Guarded by itself, as is {@link #waitingCount} and {@link #lastServed}.
     */
    private final LinkedHashMap<Long, ArrayDeque<Waiting>> waiting = new LinkedHashMap<Long, ArrayDeque<Waiting>>();
    private int waitingCount;
    /** The source of the check taken last: it goes behind every source that came while its check ran. */
    private Long lastServed;
    /** Checking time that may be spent before pausing; touched by the checking thread only. */
    private long creditNanos = BURST_NANOS;
    private long refilledAt = System.nanoTime();

    CredentialChecks(ThreadPoolExecutor thread) {
        this.thread = thread;
    }

    /**
     * The source of the peer of {@code channel}, whose checks are served in turn with other sources':
     * an IPv4 address, or the /64 prefix of an IPv6 one, since one host may use a whole /64.
     */
    static long sourceOf(SocketChannel channel) {
        try {
            return sourceOf(channel.getRemoteAddress());
        } catch (IOException | RuntimeException unknown) {
            return UNKNOWN_SOURCE;
        }
    }

    static long sourceOf(SocketAddress peer) {
        InetAddress address = peer instanceof InetSocketAddress ? ((InetSocketAddress) peer).getAddress() : null;
        if (address == null) {
            return UNKNOWN_SOURCE;
        }
        // An IPv4-mapped IPv6 address comes as an Inet4Address already.
        byte[] bytes = address.getAddress();
        long source = 0;
        for (int i = 0; i < Math.min(8, bytes.length); i++) {
            source = source << 8 | (bytes[i] & 0xff);
        }
        return bytes.length == 4 ? IPV4_SOURCES | source : source;
    }

    /**
     * Queues {@code check} of a request from {@code source}, or turns a check away: this one, or one of
     * the source with the most waiting, which this one replaces (see the class comment). {@code refuse} of
     * the check turned away runs on the calling thread before this returns, as does {@code refuse} when the
     * server is stopping.
     */
    void submit(long source, long deadlineNanos, Consumer<CheckPace> check, Runnable refuse) {
        Waiting turnedAway;
        Waiting submitted = new Waiting(check, refuse, deadlineNanos);
        synchronized (waiting) {
            turnedAway = admit(source, submitted);
        }
        if (turnedAway != null) {
            turnedAway.refuse.run();
        }
    }

    /** Adds {@code submitted} to the waiting checks, or not; returns the check turned away, if any. */
    private Waiting admit(long source, Waiting submitted) {
        ArrayDeque<Waiting> own = waiting.get(source);
        if (waitingCount < MAX_QUEUED) {
            try {
                // Under the lock, so that this check waits before a turn can be taken for it: never a turn
                // without a check, nor a check without a turn.
                thread.execute(this::runNext);
            } catch (RejectedExecutionException stoppingOrNoThread) {
                return submitted;
            }
            waitingCount++;
        } else {
            ArrayDeque<Waiting> most = mostWaiting();
            if (most.size() < (own == null ? 0 : own.size()) + 2) {
                return submitted;
            }
            // The newest: the checks of that source that came first keep their places.
            Waiting displaced = most.pollLast();
            add(source, own, submitted);
            return displaced;
        }
        add(source, own, submitted);
        return null;
    }

    private void add(long source, ArrayDeque<Waiting> own, Waiting submitted) {
        if (own == null) {
            own = new ArrayDeque<Waiting>();
            waiting.put(source, own);
        }
        own.add(submitted);
    }

    /** The checks of the source with the most waiting; of those with as many, the one served last. */
    private ArrayDeque<Waiting> mostWaiting() {
        ArrayDeque<Waiting> most = null;
        for (ArrayDeque<Waiting> checks : waiting.values()) {
            if (most == null || checks.size() >= most.size()) {
                most = checks;
            }
        }
        return most;
    }

    /** The next check to run: the oldest of the first source in turn. */
    private Waiting takeNext() {
        synchronized (waiting) {
            if (lastServed != null) {
                ArrayDeque<Waiting> served = waiting.remove(lastServed);
                if (served != null) {
                    waiting.put(lastServed, served);
                }
            }
            Iterator<Map.Entry<Long, ArrayDeque<Waiting>>> sources = waiting.entrySet().iterator();
            if (!sources.hasNext()) {
                return null;
            }
            Map.Entry<Long, ArrayDeque<Waiting>> first = sources.next();
            Waiting next = first.getValue().poll();
            if (first.getValue().isEmpty()) {
                sources.remove();
            }
            lastServed = first.getKey();
            waitingCount--;
            return next;
        }
    }

    void stop() {
        thread.shutdownNow();
    }

    /** One turn of the checking thread: pauses if it has spent its budget, then runs the next check. */
    private void runNext() {
        refill();
        pauseIfSpent();
        // Taken after the pause: a source that came meanwhile is served before the one served last.
        Waiting next = takeNext();
        if (next == null) {
            return;
        }
        Pace pace = new Pace(next.deadlineNanos);
        try {
            next.check.accept(pace);
        } finally {
            pace.spend();
        }
    }

    /** Sleeps until the credit spent beyond the budget is earned back. */
    private void pauseIfSpent() {
        if (creditNanos < 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(-creditNanos / BUSY_MILLIS_PER_SECOND * 1000);
            } catch (InterruptedException stopping) {
                // The server stops; the check still runs, so that its connection is handed back.
                Thread.currentThread().interrupt();
            }
            refill();
        }
    }

    /** The pace of one check: the budget spent as it goes, and its deadline. Used by the checking thread only. */
    private final class Pace implements CheckPace {
        private final long deadlineNanos;
        private long stepStart = System.nanoTime();

        Pace(long deadlineNanos) {
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public boolean proceed() {
            spend();
            refill();
            pauseIfSpent();
            stepStart = System.nanoTime();
            // Interrupted: the server stops, and the check's answer is no longer wanted either.
            return stepStart - deadlineNanos < 0 && !Thread.currentThread().isInterrupted();
        }

        /** Takes the work since the last step from the credit. */
        void spend() {
            creditNanos -= System.nanoTime() - stepStart;
        }
    }

    private void refill() {
        long now = System.nanoTime();
        // Capped first: a long idle time only ever refills the burst, and must not overflow.
        long idle = Math.min(now - refilledAt, BURST_NANOS * 1000 / BUSY_MILLIS_PER_SECOND);
        long earned = idle * BUSY_MILLIS_PER_SECOND / 1000;
        creditNanos = Math.min(BURST_NANOS, creditNanos + earned);
        refilledAt = now;
    }

    /** A check waiting for its turn, and what answers its request if it is turned away. */
    private static final class Waiting {
        final Consumer<CheckPace> check;
        final Runnable refuse;
        final long deadlineNanos;

        Waiting(Consumer<CheckPace> check, Runnable refuse, long deadlineNanos) {
            this.check = check;
            this.refuse = refuse;
            this.deadlineNanos = deadlineNanos;
        }
    }
}
