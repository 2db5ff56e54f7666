package dev.agenttrace.mcp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * The plumbing of the fast first answer ({@link TraceMcpServer}): the client's input is read by
 * the front until the end of its first line, while the SDK server is built on another thread; the
 * front answers an {@code initialize} itself ({@link Handshake#fastAnswer}), then hands the SDK's
 * transport every byte it read and the rest of the input, unchanged and in order ({@link Gate}). The
 * SDK answers that {@code initialize} too: {@link Dedup} drops that one line.
 */
final class FastStart {
    private FastStart() {
    }

    /** What the front read: at least the first line when {@code lineEnd >= 0}, else up to the end of input or a limit. */
    record Head(byte[] bytes, int length, int lineEnd) {
    }

    /**
     * Reads {@code in} until the first line ended, the input ended, {@code limit} bytes came without
     * a line break, or reading failed (the SDK's transport meets the same failure when it reads on).
     */
    static Head readFirstLine(InputStream in, int limit) {
        byte[] buf = new byte[8192];
        int length = 0;
        while (true) {
            int n;
            try {
                n = in.read(buf, length, buf.length - length);
            } catch (IOException e) {
                return new Head(buf, length, -1);
            }
            if (n < 0) {
                return new Head(buf, length, -1);
            }
            for (int i = length; i < length + n; i++) {
                if (buf[i] == '\n') {
                    return new Head(buf, length + n, i);
                }
            }
            length += n;
            if (length >= limit) {
                return new Head(buf, length, -1);
            }
            if (length == buf.length) {
                buf = Arrays.copyOf(buf, Math.min(buf.length * 2, limit));
            }
        }
    }

    /**
     * The client's input as the SDK's transport reads it: nothing until {@link #open} (the reader
     * waits), then the bytes the front read, then the rest of the input.
     */
    static final class Gate extends InputStream {
        private final InputStream in;
        private byte[] head;
        private int pos;
        private int end;
        private boolean open;

        Gate(InputStream in) {
            this.in = in;
        }

        synchronized void open(byte[] bytes, int length) {
            head = bytes;
            end = length;
            open = true;
            notifyAll();
        }

        /** Serves from the head while it lasts: how many bytes, or -1 once it is used up. */
        private synchronized int fromHead(byte[] b, int off, int len) throws InterruptedIOException {
            try {
                while (!open) {
                    wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while the first line was read");
            }
            if (pos >= end) {
                return -1;
            }
            int n = Math.min(len, end - pos);
            System.arraycopy(head, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int n = fromHead(b, off, len);
            return n >= 0 ? n : in.read(b, off, len);
        }

        @Override
        public synchronized int available() throws IOException {
            return open && pos < end ? end - pos : open ? in.available() : 0;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /**
     * The SDK's output: passed on as it comes, except, once {@link #expect} was called, the SDK's
     * own answer to the request answered by the front (the first line that begins as that answer
     * does). Lines are held until they are complete while that answer is still to come.
     */
    static final class Dedup extends OutputStream {
        private final OutputStream out;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private byte[] prefix;
        private byte[] given;

        Dedup(OutputStream out) {
            this.out = out;
        }

        /** Drop the SDK's answer that begins with {@code answer.sdkPrefix()}; called before the SDK reads anything. */
        synchronized void expect(Handshake.Answer answer) {
            prefix = answer.sdkPrefix();
            given = answer.line();
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            if (prefix == null) {
                out.write(b, off, len);
                return;
            }
            int start = off;
            for (int i = off; i < off + len && prefix != null; i++) {
                if (b[i] == '\n') {
                    line.write(b, start, i + 1 - start);
                    start = i + 1;
                    lineDone();
                }
            }
            if (prefix == null) {
                out.write(b, start, off + len - start);
            } else {
                line.write(b, start, off + len - start);
            }
        }

        private void lineDone() throws IOException {
            byte[] l = line.toByteArray();
            line.reset();
            if (l.length >= prefix.length && Arrays.equals(l, 0, prefix.length, prefix, 0, prefix.length)) {
                if (!Arrays.equals(l, given)) {
                    // the fast answer should be the SDK's, byte for byte (HandshakeTest); say so if not
                    System.err.println("agent-trace: mcp: initialize was answered with "
                            + new String(given, java.nio.charset.StandardCharsets.UTF_8).strip()
                            + " but the SDK answers " + new String(l, java.nio.charset.StandardCharsets.UTF_8).strip());
                }
                prefix = null;
                given = null;
            } else {
                out.write(l);
            }
        }

        @Override
        public synchronized void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
