package dev.dynamo.agent.internal.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * How a connection's bytes travel: in plain text ({@link PlainTransport}), or through a TLS engine
 * that wraps the same non-blocking channel. All calls come from the server's selector thread and
 * never block: they move what they can and return.
 */
abstract class Transport {
    final SocketChannel channel;

    Transport(SocketChannel channel) {
        this.channel = channel;
    }

    /** Reads application bytes into {@code into}; 0 when none are available now, -1 at the end of the stream. */
    abstract int read(ByteBuffer into) throws IOException;

    /** Writes application bytes from {@code from}; returns how many were taken (possibly 0). */
    abstract long write(ByteBuffer[] from) throws IOException;

    /**
     * Whether everything taken by {@link #write} has reached the socket. A TLS transport holds
     * encrypted records it could not send yet; the server keeps the connection writable until true.
     */
    abstract boolean flushed() throws IOException;

    /** Ends the sending side (a FIN, or TLS close_notify then FIN), keeping the receiving side open. */
    abstract void shutdownOutput() throws IOException;

    /** Closes the socket; never throws. */
    final void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing releases the descriptor even when it reports an error.
        }
    }
}
