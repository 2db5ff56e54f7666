package dev.agenttrace.bench.stdio;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads frames in either framing, whichever each one arrives in, and says which it was: the
 * driver counts a frame in the other framing than it spoke as a framing error, the echo server
 * answers in the framing it was asked in. A newline frame that ends in CR LF is marked too
 * ({@link Frame#crlf}): a transparent proxy never adds a byte.
 */
final class FrameReader {
    /** One message body (without its framing) and how it was framed. */
    static final class Frame {
        final byte[] body;
        final Framing framing;
        final boolean crlf;
        final long arrivedNanos;

        Frame(byte[] body, Framing framing, boolean crlf, long arrivedNanos) {
            this.body = body;
            this.framing = framing;
            this.crlf = crlf;
            this.arrivedNanos = arrivedNanos;
        }
    }

    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private final InputStream in;
    private byte[] buf = new byte[1 << 16];
    private int pos;
    private int lim;

    FrameReader(InputStream in) {
        this.in = in;
    }

    /** The next frame, or null at end of stream (a truncated frame counts as the end). */
    Frame next() throws IOException {
        while (true) {
            int eol = lineEnd();
            if (eol < 0) return null;
            int start = pos;
            int end = eol;                      // exclusive, before '\n'
            pos = eol + 1;
            boolean crlf = end > start && buf[end - 1] == '\r';
            if (crlf) end--;
            int s = start;
            while (s < end && (buf[s] == ' ' || buf[s] == '\t')) s++;
            if (s == end) continue;             // blank line between frames
            if (startsWithIgnoreCase(s, end, CONTENT_LENGTH)) {
                int n = Integer.parseInt(new String(buf, s + CONTENT_LENGTH.length, end - s - CONTENT_LENGTH.length,
                        java.nio.charset.StandardCharsets.US_ASCII).trim());
                while (true) {                  // further headers, up to the blank line
                    int h = lineEnd();
                    if (h < 0) return null;
                    boolean blank = h == pos || (h == pos + 1 && buf[pos] == '\r');
                    pos = h + 1;
                    if (blank) break;
                }
                if (!fill(n)) return null;
                byte[] body = Arrays.copyOfRange(buf, pos, pos + n);
                pos += n;
                return new Frame(body, Framing.CONTENT_LENGTH, false, System.nanoTime());
            }
            return new Frame(Arrays.copyOfRange(buf, start, end), Framing.NEWLINE, crlf, System.nanoTime());
        }
    }

    private boolean startsWithIgnoreCase(int s, int end, byte[] prefix) {
        if (end - s < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) {
            if (Character.toLowerCase(buf[s + i]) != prefix[i]) return false;
        }
        return true;
    }

    /** Index of the next '\n' at or after pos, reading more as needed; -1 at end of stream. */
    private int lineEnd() throws IOException {
        int from = pos;
        while (true) {
            for (int i = from; i < lim; i++) {
                if (buf[i] == '\n') return i;
            }
            from = lim - pos;                   // offset already scanned, after compaction
            if (!readMore()) return -1;
            from += pos;
        }
    }

    /** Ensures n bytes from pos are buffered. */
    private boolean fill(int n) throws IOException {
        while (lim - pos < n) {
            if (!readMore()) return false;
        }
        return true;
    }

    /** Moves the unread bytes to the front (growing the buffer when full) and reads once. */
    private boolean readMore() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
        if (lim == buf.length) buf = Arrays.copyOf(buf, buf.length * 2);
        int r = in.read(buf, lim, buf.length - lim);
        if (r <= 0) return false;
        lim += r;
        return true;
    }
}
