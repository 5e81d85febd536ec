package dev.dynamo.agent.internal.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** A transport without encryption: the channel itself. */
final class PlainTransport extends Transport {
    /**
     * Where the buffers of one write are copied into one, the selector thread's: shared by its connections,
     * as only that thread writes. A gathering write of the response head and a slice of the body would go
     * through a temporary direct buffer for each, and JDKs before 23 keep each one cached for that thread, for
     * good, counted against {@code -XX:MaxDirectMemorySize}: 32 KiB; written as one, 16 KiB.
     */
    private final ByteBuffer joined;

    /** @param joined the selector thread's buffer for one write, of {@link ServerLoop#WRITE_SLICE_BYTES} */
    PlainTransport(SocketChannel channel, ByteBuffer joined) {
        super(channel);
        this.joined = joined;
    }

    @Override
    int read(ByteBuffer into) throws IOException {
        return channel.read(into);
    }

    @Override
    long write(ByteBuffer[] from) throws IOException {
        joined.clear();
        for (ByteBuffer buffer : from) {
            int count = Math.min(buffer.remaining(), joined.remaining());
            ByteBuffer part = buffer.duplicate();
            part.limit(part.position() + count);
            joined.put(part);
        }
        joined.flip();
        int written = channel.write(joined);
        int left = written;
        for (ByteBuffer buffer : from) {
            int taken = Math.min(left, buffer.remaining());
            buffer.position(buffer.position() + taken);
            left -= taken;
        }
        return written;
    }

    @Override
    boolean flushed() {
        return true;
    }

    @Override
    void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }
}
