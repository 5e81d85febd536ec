package dev.dynamo.agent.internal.server;

/**
 * One scrape at a time, from rendering until its page is written or handed over to its connection
 * ({@link #handOverPage}): the page buffer is the slot's and is reused, so the memory scrapes take is
 * bounded by the number of slots and what the selector thread lets connections hold, however many
 * clients ask. The render thread fills {@link #response} or {@link #failure}, then sets
 * {@link #finished} and wakes the selector thread, which does everything else.
 */
final class RenderSlot implements Runnable {
    private final MetricsHandler handler;
    private final Runnable wakeUp;
    /**
     * The heap this slot's render reserved ({@link HeapHeadroom}): what it will allocate while it renders,
     * then what its page holds until the page is sent or handed over.
     */
    private final HeapHeadroom.Reservation reservation;
    /** Replaced only between renders, by the selector thread; the executor's hand-off publishes it. */
    PageBuffer page = new PageBuffer();

    /** The connection being served; null when the slot is free. Selector thread only. */
    Connection owner;
    /** Whether the selector thread has taken the result. Selector thread only. */
    boolean delivered;
    private HttpRequest request;
    private volatile boolean finished;
    private HttpResponse response;
    private Throwable failure;
    /** How much of the page was written when the render failed. */
    private int writtenAtFailure;

    RenderSlot(MetricsHandler handler, Runnable wakeUp) {
        this.handler = handler;
        this.wakeUp = wakeUp;
        this.reservation = handler.reservation();
    }

    void prepare(Connection connection) {
        owner = connection;
        request = connection.request;
        response = null;
        failure = null;
        delivered = false;
        finished = false;
    }

    @Override
    public void run() {
        try {
            response = handler.render(request, page, reservation);
            reservation.shrinkTo(page.capacity());
        } catch (Throwable failed) {
            // Often an OutOfMemoryError: drop the page at once so the memory returns to the application.
            writtenAtFailure = page.length();
            page.release();
            reservation.release();
            failure = failed;
        } finally {
            finished = true;
            wakeUp.run();
        }
    }

    boolean finished() {
        return finished;
    }

    HttpResponse response() {
        return response;
    }

    Throwable failure() {
        return failure;
    }

    int writtenAtFailure() {
        return writtenAtFailure;
    }

    /**
     * Frees the slot while its page is still being sent: the page stays with the response that holds
     * it, without the chunks the slot kept from earlier, larger pages, and the slot takes a new buffer.
     * Returns the page's length. An {@code OutOfMemoryError} leaves the slot as it was.
     */
    long handOverPage() {
        PageBuffer fresh = new PageBuffer();
        PageBuffer sent = page;
        sent.dropChunksPastLength();
        page = fresh;
        // The page is the connection's now, and the pages handed over take at most what ServerLoop allows.
        free();
        return sent.length();
    }

    /** Frees the slot once its page is written or its connection closed. */
    void free() {
        owner = null;
        request = null;
        response = null;
        failure = null;
        page.reset();
        reservation.release();
    }
}
