package dev.agenttrace.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;

/**
 * Requests read from the client that have no answer yet. A client that writes its calls and
 * closes stdin ({@code printf '...' | agent-trace mcp}, a script, a CI step) still gets every
 * answer: at end of input the server waits for them before it closes.
 *
 * <p>Both sides are newline-delimited JSON-RPC (the stdio transport); a line is parsed only to
 * tell a request (an id and a method) from a notification, and an answer (an id, no method).
 */
final class InFlight {
    /** Made on the first line counted, not before the first answer (TraceMcpServer answers initialize without Jackson's databind). */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    private static final int MAX_LINE = 16 << 20;

    private long requests;
    private long answers;
    private boolean ended;
    private Runnable afterFirstAnswer;

    /**
     * The client's input as the transport reads it. The end of input is held back from the
     * transport (which drops what is still in flight when it sees it) until every request read
     * has its answer, or {@code holdMs} passed.
     */
    InputStream reading(InputStream in, long holdMs) {
        Lines lines = new Lines(true);
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b;
                try {
                    b = super.read();
                } catch (IOException e) {
                    end();
                    throw e;
                }
                if (b < 0) {
                    endAndHold(holdMs);
                } else {
                    lines.feed(new byte[] {(byte) b}, 0, 1);
                }
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n;
                try {
                    n = super.read(buf, off, len);
                } catch (IOException e) {
                    end();
                    throw e;
                }
                if (n < 0) {
                    endAndHold(holdMs);
                } else {
                    lines.feed(buf, off, n);
                }
                return n;
            }
        };
    }

    OutputStream writing(OutputStream out) {
        Lines lines = new Lines(false);
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                lines.feed(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                lines.feed(b, off, len);
            }
        };
    }

    /** Blocks until the client's input ended. */
    synchronized void awaitEnd() throws InterruptedException {
        while (!ended) {
            wait();
        }
    }

    /**
     * After the input ended: blocks until every request read has its answer, or {@code timeoutMs}
     * passed. Returns the number still unanswered.
     */
    synchronized long awaitAnswers(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (answers < requests) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                break;
            }
            wait(left);
        }
        return Math.max(0, requests - answers);
    }

    private void endAndHold(long holdMs) throws IOException {
        end();
        try {
            awaitAnswers(holdMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while the last answers were written");
        }
    }

    private synchronized void end() {
        ended = true;
        notifyAll();
    }

    /** Runs {@code then} once, on the writing thread, when the first answer has been written. */
    synchronized void afterFirstAnswer(Runnable then) {
        if (answers > 0) {
            then.run();
        } else {
            afterFirstAnswer = then;
        }
    }

    /** An answer written to the client past {@link #writing} (the fast answer to initialize). */
    void answeredElsewhere() {
        counted(false);
    }

    private void counted(boolean request) {
        Runnable then = null;
        synchronized (this) {
            if (request) {
                requests++;
            } else {
                answers++;
                then = afterFirstAnswer;
                afterFirstAnswer = null;
            }
            notifyAll();
        }
        if (then != null) {
            then.run();
        }
    }

    /** Splits a byte stream into lines and counts the requests (input) or answers (output) in them. */
    private final class Lines {
        private final boolean input;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private boolean overlong;

        Lines(boolean input) {
            this.input = input;
        }

        void feed(byte[] b, int off, int len) {
            int start = off;
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    append(b, start, i - start);
                    done();
                    start = i + 1;
                }
            }
            append(b, start, off + len - start);
        }

        private void append(byte[] b, int off, int len) {
            if (overlong || len == 0) {
                return;
            }
            if (line.size() + len > MAX_LINE) {
                // too long to be worth parsing here; the transport answers it (or not) on its own
                overlong = true;
                line.reset();
                return;
            }
            line.write(b, off, len);
        }

        private void done() {
            boolean skip = overlong;
            overlong = false;
            if (skip || line.size() == 0) {
                line.reset();
                return;
            }
            JsonNode msg;
            try {
                msg = Json.MAPPER.readTree(line.toByteArray());
            } catch (IOException e) {
                msg = null;
            }
            line.reset();
            if (msg == null || !msg.isObject() || !msg.hasNonNull("id")) {
                return;
            }
            boolean isRequest = msg.hasNonNull("method");
            if (input && isRequest) {
                counted(true);
            } else if (!input && !isRequest) {
                counted(false);
            }
        }
    }
}
