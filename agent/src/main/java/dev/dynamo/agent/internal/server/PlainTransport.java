package dev.dynamo.agent.internal.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** A transport without encryption: the channel itself. */
final class PlainTransport extends Transport {
    PlainTransport(SocketChannel channel) {
        super(channel);
    }

    @Override
    int read(ByteBuffer into) throws IOException {
        return channel.read(into);
    }

    @Override
    long write(ByteBuffer[] from) throws IOException {
        return channel.write(from);
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
