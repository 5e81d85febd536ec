package dev.dynamo.agent.internal.server;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * TLS over a non-blocking channel, with a server-mode {@link SSLEngine}: the handshake runs as
 * records arrive, inside {@link #read} and {@link #write}; encrypted records that the socket did not
 * take yet wait in {@link #outgoing} until {@link #flushed()}. The engine's delegated tasks (key
 * computations of the handshake) run inline on the selector thread: they take about a millisecond,
 * and a kept-alive connection pays them once.
 */
final class TlsTransport extends Transport {
    private static final String PLAIN_REFUSAL_BODY = "Bad Request: this port speaks TLS, and what arrived is not a TLS"
            + " handshake; use https:// here\n";

    private final SSLEngine engine;
    /** Records received and not yet decrypted; in write mode. */
    private ByteBuffer incoming;
    /** Records to send; in read mode (what remains to send is between position and limit). */
    private ByteBuffer outgoing;
    /** Decrypted bytes not yet handed out; in read mode. */
    private ByteBuffer decrypted;
    private boolean inboundDone;
    private boolean handshakeDone;
    /** Whether the client spoke plain HTTP, and was answered in plain HTTP. */
    private boolean refusedPlainText;
    /** The description of the alert with which the client ended the handshake; -1 for none. */
    private int clientAlert = -1;

    TlsTransport(SocketChannel channel, SSLEngine engine) throws SSLException {
        super(channel);
        this.engine = engine;
        engine.setUseClientMode(false);
        int packet = engine.getSession().getPacketBufferSize();
        incoming = ByteBuffer.allocate(packet);
        outgoing = ByteBuffer.allocate(packet);
        outgoing.flip();
        decrypted = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        decrypted.flip();
        engine.beginHandshake();
    }

    @Override
    int read(ByteBuffer into) throws IOException {
        try {
            return readRecords(into);
        } catch (SSLException refused) {
            if (!handshakeDone && String.valueOf(refused.getMessage()).contains("plaintext connection")) {
                refusedPlainText = true;
                sendPlainRefusal();
            } else {
                sendAlert();
            }
            throw refused;
        }
    }

    /**
     * Answers plain HTTP on the TLS port in plain HTTP, as Go's exporters do: a client that speaks no
     * TLS cannot read an alert, and {@code curl http://} should say what to use. Best effort.
     */
    private void sendPlainRefusal() {
        try {
            channel.write(ByteBuffer.wrap(plainRefusal()));
        } catch (IOException | RuntimeException unsent) {
            // The client may be gone already; the close that follows is what matters.
        }
    }

    /** The plain-HTTP answer to a client that sent no TLS handshake; with {@code Date}, as every answer. */
    static byte[] plainRefusal() {
        return ("HTTP/1.1 400 Bad Request\r\n"
                + "Date: " + HttpDate.now() + "\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + PLAIN_REFUSAL_BODY.length() + "\r\n"
                + "Connection: close\r\n\r\n" + PLAIN_REFUSAL_BODY).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Sends the alert the engine holds after refusing the client (no certificate, an unknown CA, a
     * version or cipher suite not allowed), so that the client learns why, as from any TLS server;
     * best effort, since the connection is closed next.
     */
    private void sendAlert() {
        try {
            engine.closeOutbound();
            wrap(new ByteBuffer[] {ByteBuffer.allocate(0)});
            channel.write(outgoing);
        } catch (IOException | RuntimeException unsent) {
            // The client may be gone already; the close that follows is what matters.
        }
    }

    /** Whether the handshake has completed once: a failure before it is a refused client, not one gone. */
    boolean handshakeDone() {
        return handshakeDone;
    }

    /** Whether the connection was refused because the client spoke plain HTTP instead of TLS. */
    boolean refusedPlainText() {
        return refusedPlainText;
    }

    /**
     * The description of the alert with which the client ended the handshake (48 for unknown_ca: it does
     * not trust the server's certificate); -1 when the handshake did not end so.
     */
    int clientAlert() {
        return clientAlert;
    }

    /**
     * The description of the alert that {@code records} (in read mode) begins with, when they begin with an
     * unencrypted alert record; -1 otherwise. A TLS 1.3 client built on OpenSSL (curl, Python) that refuses
     * the server's certificate sends its alert so, before it has switched to the handshake keys, and the
     * engine, which expects an encrypted record then, fails to decrypt it: JDK 17 says only "Insufficient
     * buffer remaining for AEAD cipher fragment (2)", JDK 25 "Unexpected exception".
     */
    static int plainAlert(ByteBuffer records) {
        int at = records.position();
        if (records.remaining() < 7 || records.get(at) != 0x15 || records.get(at + 1) != 3
                || records.get(at + 3) != 0 || records.get(at + 4) != 2) {
            return -1;
        }
        return records.get(at + 6) & 0xff;
    }

    /** The name of a TLS alert's description (RFC 8446 §6, RFC 5246 §7.2); {@code alert_N} for others. */
    static String alertName(int description) {
        switch (description) {
            case 0: return "close_notify";
            case 10: return "unexpected_message";
            case 20: return "bad_record_mac";
            case 22: return "record_overflow";
            case 40: return "handshake_failure";
            case 42: return "bad_certificate";
            case 43: return "unsupported_certificate";
            case 44: return "certificate_revoked";
            case 45: return "certificate_expired";
            case 46: return "certificate_unknown";
            case 47: return "illegal_parameter";
            case 48: return "unknown_ca";
            case 49: return "access_denied";
            case 50: return "decode_error";
            case 51: return "decrypt_error";
            case 70: return "protocol_version";
            case 71: return "insufficient_security";
            case 80: return "internal_error";
            case 86: return "inappropriate_fallback";
            case 90: return "user_canceled";
            case 109: return "missing_extension";
            case 110: return "unsupported_extension";
            case 112: return "unrecognized_name";
            case 116: return "certificate_required";
            case 120: return "no_application_protocol";
            default: return "alert_" + description;
        }
    }

    private int readRecords(ByteBuffer into) throws IOException {
        // Bounded: an engine that neither consumes nor produces (waiting to send) must not spin the selector.
        for (int step = 0; step < 64; step++) {
            if (decrypted.hasRemaining()) {
                int count = Math.min(decrypted.remaining(), into.remaining());
                ByteBuffer slice = decrypted.duplicate();
                slice.limit(slice.position() + count);
                into.put(slice);
                decrypted.position(decrypted.position() + count);
                return count;
            }
            if (inboundDone) {
                return -1;
            }
            incoming.flip();
            decrypted.compact();
            int alert = handshakeDone ? -1 : plainAlert(incoming);
            SSLEngineResult result;
            try {
                result = engine.unwrap(incoming, decrypted);
            } catch (SSLException failed) {
                // The failure of the client's own alert, which it may have sent unencrypted (see plainAlert).
                clientAlert = alert;
                throw failed;
            } finally {
                incoming.compact();
                decrypted.flip();
            }
            if (result.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                handshakeDone = true;
            }
            switch (result.getStatus()) {
                case BUFFER_OVERFLOW:
                    decrypted = enlarge(decrypted, engine.getSession().getApplicationBufferSize(), true);
                    continue;
                case BUFFER_UNDERFLOW:
                    if (!incoming.hasRemaining()) {
                        incoming = enlarge(incoming, engine.getSession().getPacketBufferSize(), false);
                    }
                    int received = channel.read(incoming);
                    if (received < 0) {
                        inboundDone = true;
                        return -1;
                    }
                    if (received == 0) {
                        return 0;
                    }
                    continue;
                case CLOSED:
                    // The client's close_notify ends what it sends, not what it reads (TLS 1.3 §6.1): requests
                    // it pipelined before are answered first, and ours goes out when the server closes
                    // (shutdownOutput). A TLS 1.2 engine closes its sending side itself here.
                    inboundDone = true;
                    continue;
                default:
                    handshake();
                    if (result.bytesConsumed() == 0 && result.bytesProduced() == 0 && outgoing.hasRemaining()) {
                        return 0;
                    }
            }
        }
        return 0;
    }

    /** Runs the handshake steps that need no data from the client: delegated tasks and records to send. */
    private void handshake() throws IOException {
        while (true) {
            HandshakeStatus status = engine.getHandshakeStatus();
            if (status == HandshakeStatus.NEED_TASK) {
                for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
                    task.run();
                }
            } else if (status == HandshakeStatus.NEED_WRAP) {
                SSLEngineResult result = wrap(new ByteBuffer[] {ByteBuffer.allocate(0)});
                if (!flushed() || result.bytesProduced() == 0) {
                    return;
                }
            } else {
                return;
            }
        }
    }

    private SSLEngineResult wrap(ByteBuffer[] from) throws SSLException {
        outgoing.compact();
        try {
            SSLEngineResult result = engine.wrap(from, outgoing);
            if (result.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                handshakeDone = true;
            }
            return result;
        } finally {
            outgoing.flip();
        }
    }

    @Override
    long write(ByteBuffer[] from) throws IOException {
        long taken = 0;
        while (flushed()) {
            handshake();
            if (!flushed()) {
                break;
            }
            boolean pending = false;
            for (ByteBuffer buffer : from) {
                pending |= buffer.hasRemaining();
            }
            if (!pending) {
                break;
            }
            SSLEngineResult result = wrap(from);
            taken += result.bytesConsumed();
            if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                throw new IOException("the TLS session is closed");
            }
            if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW && !outgoing.hasRemaining()) {
                outgoing = enlarge(outgoing, engine.getSession().getPacketBufferSize(), true);
            } else if (result.bytesConsumed() == 0 && result.bytesProduced() == 0) {
                break;
            }
        }
        return taken;
    }

    @Override
    boolean flushed() throws IOException {
        while (outgoing.hasRemaining()) {
            if (channel.write(outgoing) == 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    void shutdownOutput() throws IOException {
        engine.closeOutbound();
        handshake();
        if (flushed()) {
            channel.shutdownOutput();
        }
    }

    /**
     * A larger buffer holding {@code buffer}'s content; {@code readMode} tells which mode it is in.
     * Called when the session's sizes grew (a larger record than announced), which is rare.
     */
    private static ByteBuffer enlarge(ByteBuffer buffer, int sessionSize, boolean readMode) {
        ByteBuffer larger = ByteBuffer.allocate(Math.max(sessionSize, buffer.capacity() * 2));
        if (readMode) {
            larger.put(buffer);
            larger.flip();
        } else {
            buffer.flip();
            larger.put(buffer);
        }
        return larger;
    }
}
