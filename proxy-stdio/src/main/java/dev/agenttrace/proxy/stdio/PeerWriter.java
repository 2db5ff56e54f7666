package dev.agenttrace.proxy.stdio;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The only way bytes reach one peer. Both relay threads may write to the same peer (a relayed
 * message and a reply the proxy makes itself), so every frame is written whole under one lock and
 * two messages never interleave. Output is buffered and flushed by the relay just before it blocks
 * on a read, or at once for a reply the proxy makes itself.
 *
 * <p>Each peer is written in its own framing: the framing it was first seen to use, or, until it
 * has sent anything, the framing of the message being forwarded (so a server is first spoken to
 * the way the client speaks).
 */
final class PeerWriter {
    private static final byte[] NEWLINE = {'\n'};
    private final OutputStream out;
    private final byte[] buf = new byte[64 * 1024];
    private int count;
    private volatile Framing seen;
    private final Framing forced;

    /**
     * @param out    the peer's input stream
     * @param forced the framing to always use for this peer, or null to detect it
     */
    PeerWriter(OutputStream out, Framing forced) {
        this.out = out;
        this.forced = forced;
    }

    /**
     * Records how this peer frames what it sends us. The first framing seen sticks: a real peer
     * speaks one framing, and answers must not change framing with the timing of its messages.
     */
    void sawFraming(Framing f) {
        if (seen == null) {
            seen = f;
        }
    }

    Framing framingFor(Framing messageFraming) {
        if (forced != null) {
            return forced;
        }
        Framing s = seen;
        return s != null ? s : messageFraming;
    }

    /** Forwards a frame: its original bytes when the framing is the same, else re-framed. */
    synchronized void forward(Frame f) throws IOException {
        Framing target = framingFor(f.framing);
        byte[] b = f.buf;
        if (target == f.framing && f.rawLen > 0
                && (target == Framing.CONTENT_LENGTH || b[f.rawOff + f.rawLen - 1] == '\n')) {
            put(b, f.rawOff, f.rawLen);
        } else {
            frameBody(target, b, f.bodyOff, f.bodyLen);
        }
    }

    /**
     * Forwards a {@link Frame.Kind#STREAM} frame as its body arrives: the header (the original
     * one when the framing is the same), then every piece, then the line end for a newline peer.
     * The lock is held throughout, so nothing the proxy says itself lands inside the frame.
     * Returns the body for the trace, or null if the sender's stream ended inside it.
     */
    synchronized byte[] forwardStream(Frame f, FrameReader reader) throws IOException {
        Framing target = framingFor(f.framing);
        int n = (int) f.size;
        if (target == Framing.CONTENT_LENGTH) {
            if (f.framing == Framing.CONTENT_LENGTH) {
                put(f.buf, f.rawOff, f.rawLen);
            } else {
                byte[] header = ("Content-Length: " + n + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                put(header, 0, header.length);
            }
        }
        byte[] body = new byte[n];
        int[] at = {0};
        boolean whole = reader.streamBody((b, off, len) -> {
            put(b, off, len);
            System.arraycopy(b, off, body, at[0], len);
            at[0] += len;
        });
        if (!whole) {
            flushLocked();
            return null;
        }
        if (target == Framing.NEWLINE) {
            put(NEWLINE, 0, 1);
        }
        return body;
    }

    /** Writes a message the proxy made itself and flushes it at once. */
    synchronized void reply(byte[] json, Framing senderFraming) throws IOException {
        frameBody(framingFor(senderFraming), json, 0, json.length);
        flushLocked();
    }

    synchronized void flush() throws IOException {
        flushLocked();
    }

    /** Flush for use as the reader's before-blocking hook; a dead peer is noticed by the next write. */
    void flushQuietly() {
        try {
            flush();
        } catch (IOException ignored) {
            // the next forward() reports it with context
        }
    }

    void close() {
        try {
            synchronized (this) {
                flushLocked();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            out.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    private void frameBody(Framing target, byte[] b, int off, int len) throws IOException {
        if (target == Framing.CONTENT_LENGTH) {
            byte[] header = ("Content-Length: " + len + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            put(header, 0, header.length);
            put(b, off, len);
        } else {
            put(b, off, len);
            put(NEWLINE, 0, 1);
        }
    }

    private void put(byte[] b, int off, int len) throws IOException {
        if (len > buf.length - count) {
            flushBuffer();
            if (len >= buf.length) {
                // in pipe-sized slices: the JDK mallocs a native copy of whatever length it is given
                for (int done = 0; done < len; done += buf.length) {
                    out.write(b, off + done, Math.min(buf.length, len - done));
                }
                return;
            }
        }
        System.arraycopy(b, off, buf, count, len);
        count += len;
    }

    private void flushBuffer() throws IOException {
        if (count > 0) {
            out.write(buf, 0, count);
            count = 0;
        }
    }

    private void flushLocked() throws IOException {
        flushBuffer();
        out.flush();
    }
}
