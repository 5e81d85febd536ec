package dev.dynamo.agent.internal.server;

import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;

/** One client connection's state; touched by the selector thread only. */
final class Connection {
    enum State {
        /** Waiting for a request head: idle between requests, or part of a head received. */
        READING,
        /** Credentials being checked on the credential-check thread. */
        CHECKING,
        /** A scrape waiting for a render slot. */
        QUEUED,
        /** A scrape being rendered on a render thread, or a {@code /health} answer prepared by a health worker. */
        RENDERING,
        /** A response being written. */
        WRITING,
        /** Output shut down after a last response; reading and discarding until the client closes. */
        LINGERING
    }

    final Transport transport;
    SelectionKey key;
    State state = State.READING;
    boolean closed;

    /** The bytes of the next request head received so far; null while nothing is pending. */
    byte[] input;
    int inputLength;
    int scanned;

    /** When the current wait began: the connection waiting longest is the first closed at the connection limit. */
    long waitingSince;
    /** System.nanoTime() at which the current wait ends the connection; see {@link #headDeadline}. */
    long deadline;
    /** Whether {@link #deadline} is that of a request head (counted when missed) rather than of an idle connection. */
    boolean headDeadline;

    HttpRequest request;
    boolean keepAlive;
    RenderSlot slot;
    /** The bytes of the page this connection sends after its render slot handed it over; 0 when none. */
    long handedOverBytes;
    /** The {@code /health} answer, or why there is none; set by a health worker, read after it hands the connection back. */
    volatile HttpResponse answer;
    /** Why a health worker or the credential check failed. */
    volatile Throwable answerFailure;
    /** The pending decision whose check runs on the credential-check thread. */
    Access access;
    /** The outcome of that check; set by the credential-check thread, read after it hands the connection back. */
    volatile boolean accessGranted;

    final ByteBuffer[] outgoing = new ByteBuffer[2];
    ByteBuffer head;
    /** The response whose body is being written; null when none is. */
    HttpResponse body;
    int bodyPosition;
    int bodyEnd;
    long writeStarted;
    long lastProgress;
    long discarded;

    Connection(Transport transport) {
        this.transport = transport;
    }

    void append(byte[] bytes, int count) {
        if (input == null) {
            input = new byte[Math.max(512, count)];
        } else if (input.length < inputLength + count) {
            byte[] larger = new byte[Math.max(input.length * 2, inputLength + count)];
            System.arraycopy(input, 0, larger, 0, inputLength);
            input = larger;
        }
        System.arraycopy(bytes, 0, input, inputLength, count);
        inputLength += count;
    }

    /** Drops the first {@code count} bytes of the input (a parsed head), keeping what follows (a pipelined request). */
    void consume(int count) {
        int rest = inputLength - count;
        if (rest <= 0) {
            input = null;
            inputLength = 0;
        } else {
            System.arraycopy(input, count, input, 0, rest);
            inputLength = rest;
        }
        scanned = 0;
    }

    /** Skips empty lines before a request line (RFC 9112 §2.2). */
    void skipLeadingLineEnds() {
        int skip = 0;
        while (skip < inputLength && (input[skip] == '\r' || input[skip] == '\n')) {
            skip++;
        }
        if (skip > 0) {
            consume(skip);
        }
    }
}
