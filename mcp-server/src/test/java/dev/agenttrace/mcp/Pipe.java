package dev.agenttrace.mcp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Both ends of a server's stdio in a test: an input the test writes to and closes (reads block
 * until then, as on a pipe), and an output whose lines the test waits for.
 */
final class Pipe {
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private boolean closed;
    private int readPos;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();

    synchronized void send(String text) {
        written.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        notifyAll();
    }

    synchronized void close() {
        closed = true;
        notifyAll();
    }

    final InputStream in = new InputStream() {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            synchronized (Pipe.this) {
                while (readPos == written.size() && !closed) {
                    try {
                        Pipe.this.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException();
                    }
                }
                if (readPos == written.size()) {
                    return -1;
                }
                byte[] all = written.toByteArray();
                int n = Math.min(len, all.length - readPos);
                System.arraycopy(all, readPos, b, off, n);
                readPos += n;
                return n;
            }
        }
    };

    final OutputStream out = new OutputStream() {
        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (Pipe.this) {
                output.write(b, off, len);
                Pipe.this.notifyAll();
            }
        }
    };

    /** The first {@code n} lines the server wrote, waiting for them at most {@code timeoutSeconds}. */
    synchronized List<String> lines(int n, long timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true) {
            List<String> lines = new ArrayList<>();
            String text = output.toString(StandardCharsets.UTF_8);
            int start = 0;
            for (int i = text.indexOf('\n'); i >= 0 && lines.size() < n; i = text.indexOf('\n', start)) {
                lines.add(text.substring(start, i));
                start = i + 1;
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (lines.size() == n || left <= 0) {
                return lines;
            }
            wait(left);
        }
    }

    /** Everything the server wrote so far. */
    synchronized String output() {
        return output.toString(StandardCharsets.UTF_8);
    }
}
