package dev.dynamo.agent.internal.server;

/**
 * Whether the heap can spare what a render will allocate ({@link RenderCost}): the heap free after
 * the last garbage collection, less what the renders under way reserved, of which a scrape may take
 * half ({@link #SHARE_DIVISOR}). Asked before anything is collected, so that a page the heap cannot
 * hold is answered 503 instead of throwing an {@code OutOfMemoryError}, which under
 * {@code -XX:+ExitOnOutOfMemoryError} (or {@code CrashOnOutOfMemoryError}) ends the application
 * whichever thread it hits.
 *
 * <p>A collection that ended while a scrape held heap (from its render's start until its page was
 * sent) found the scrape's samples and page alive: its figure is the application's and the scrape's.
 * An idle application may have no other collection for long, and every scrape after a large one was
 * then refused for the heap the one before it had held. Such a figure is taken only as far as it
 * exceeds the last figure of a collection that ended while no scrape held heap by more than the
 * scrapes had reserved.
 */
final class HeapHeadroom {
    /**
     * A render may take at most this fraction (1/2) of the free heap. The other half is the application's:
     * it allocates on while the render runs (up to seconds for a large page), its live data may have grown
     * since the last collection measured it, and a collector needs room to work (G1 keeps 10 % in reserve,
     * a copying collection needs space to copy to, the parallel collector throws an OutOfMemoryError when
     * a collection frees less than 2 %). The estimate is what the render allocates, more than it holds at
     * once, so half of the free heap for it is on the safe side twice over.
     */
    static final long SHARE_DIVISOR = 2;

    /** The heap's size and use, as a JVM tells them. */
    interface Figures {
        /** The most the heap may grow to; {@code Long.MAX_VALUE} when there is no limit. */
        long maxBytes();

        /** The heap in use now, garbage included. */
        long usedNowBytes();

        /** The latest collection that told the heap in use after it; null before the first, or when not known. */
        Collection lastCollection();

        /** Milliseconds since the JVM started, the time {@link Collection#endMillis} is told in. */
        long uptimeMillis();

        /** Whether object pointers are compressed (objects are smaller then); false when not known. */
        boolean compressedOops();
    }

    /** One garbage collection: when it ended, and the heap in use after it. */
    static final class Collection {
        final long endMillis;
        final long usedBytes;

        Collection(long endMillis, long usedBytes) {
            this.endMillis = endMillis;
            this.usedBytes = usedBytes;
        }
    }

    /** What a render asked for and whether it got it. */
    static final class Decision {
        final boolean admitted;
        /** The heap free after the last collection, less what the other renders reserved. */
        final long freeBytes;

        Decision(boolean admitted, long freeBytes) {
            this.admitted = admitted;
            this.freeBytes = freeBytes;
        }
    }

    /** The bytes one render slot holds reserved: from its render's start until its page is sent. */
    final class Reservation {
        /** Guarded by the headroom. */
        private long bytes;

        /** Keeps only {@code held} bytes reserved, what the finished render's page holds, if that is less. */
        void shrinkTo(long held) {
            synchronized (HeapHeadroom.this) {
                if (held < bytes) {
                    reserve(held - bytes);
                    bytes = held;
                }
            }
        }

        void release() {
            shrinkTo(0);
        }
    }

    private final Figures figures;
    /** The bytes every reservation holds. The fields below are all guarded by this object. */
    private long reserved;
    /** When the reservations last rose from none, in uptime milliseconds; -1 while none are held. */
    private long heldFrom = -1;
    /** The most reserved at once since {@link #heldFrom}. */
    private long heldMost;
    /** The last time reservations were held, from and until, and the most reserved then; -1 before any. */
    private long lastHeldFrom = -1;
    private long lastHeldUntil = -1;
    private long lastHeldMost;
    /** The heap in use after the latest collection that ended while no reservation was held; -1 before one. */
    private long clearUsed = -1;
    /**
     * The end of the last collection looked at, and the most the scrapes held when it ended (0: none): kept,
     * because the times reservations were held are kept only for the last of them.
     */
    private long seenEnd = Long.MIN_VALUE;
    private long seenScrapes;

    HeapHeadroom(Figures figures) {
        this.figures = figures;
    }

    Reservation reservation() {
        return new Reservation();
    }

    boolean compressedOops() {
        return figures.compressedOops();
    }

    /**
     * Reserves {@code bytes} in {@code reservation}, which holds none, if the heap can spare them. One
     * render at a time, so that two side by side do not both count the same free heap.
     */
    synchronized Decision admit(long bytes, Reservation reservation) {
        long max = figures.maxBytes();
        if (max == Long.MAX_VALUE) {
            return new Decision(true, Long.MAX_VALUE);
        }
        long free = Math.max(0, max - usedAfterLastCollection() - reserved);
        if (bytes > free / SHARE_DIVISOR) {
            return new Decision(false, free);
        }
        reservation.release();
        reservation.bytes = bytes;
        reserve(bytes);
        return new Decision(true, free);
    }

    /** The application's heap in use after the last collection, as far as it can be told apart from the scrapes'. */
    private long usedAfterLastCollection() {
        long usedNow = figures.usedNowBytes();
        Collection last = figures.lastCollection();
        if (last == null) {
            return usedNow;
        }
        if (last.endMillis != seenEnd) {
            seenEnd = last.endMillis;
            if (heldFrom >= 0 && last.endMillis >= heldFrom) {
                seenScrapes = heldMost;
            } else if (lastHeldFrom >= 0 && last.endMillis >= lastHeldFrom && last.endMillis <= lastHeldUntil) {
                seenScrapes = lastHeldMost;
            } else {
                seenScrapes = 0;
                clearUsed = last.usedBytes;
            }
        }
        long used = seenScrapes == 0 ? last.usedBytes : withoutScrapes(last.usedBytes, seenScrapes);
        return Math.min(used, usedNow);
    }

    /**
     * The heap in use after a collection that found scrapes holding up to {@code scrapes} bytes: at least
     * the figure less those bytes, and at least the last figure of a collection that found none. Without
     * such a figure, all of it.
     */
    private long withoutScrapes(long used, long scrapes) {
        return clearUsed < 0 ? used : Math.max(clearUsed, used - scrapes);
    }

    /** Adds {@code change} to the bytes reserved, and keeps when reservations were held. */
    private void reserve(long change) {
        long before = reserved;
        reserved += change;
        if (before == 0 && reserved > 0) {
            heldFrom = figures.uptimeMillis();
            heldMost = reserved;
        } else if (before > 0 && reserved == 0) {
            lastHeldFrom = heldFrom;
            lastHeldUntil = figures.uptimeMillis();
            lastHeldMost = heldMost;
            heldFrom = -1;
        }
        heldMost = Math.max(heldMost, reserved);
    }

    synchronized long reservedBytes() {
        return reserved;
    }
}
