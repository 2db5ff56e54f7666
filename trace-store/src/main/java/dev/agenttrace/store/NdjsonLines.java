package dev.agenttrace.store;

import java.io.IOException;
import java.io.InputStream;

/**
 * Splits a byte stream into newline-terminated lines without decoding or copying them (a line
 * that fits in the read buffer is handed over in place), and says whether the last one was
 * terminated: an unterminated last line is a torn write to a reader of a finished file, and a
 * not-yet-finished write to a tailing reader. A line longer than {@link #MAX_LINE} is skipped
 * (reported by length), so one runaway line cannot exhaust the heap.
 */
final class NdjsonLines {
    /** Longer lines are skipped: the writer bounds payloads far below this. */
    static final int MAX_LINE = 64 << 20;

    interface Handler {
        /** One line, without its {@code \n} (or {@code \r\n}); {@code buf} is reused after return. */
        void line(byte[] buf, int off, int len, long lineNo, boolean terminated);

        /** A line over {@link #MAX_LINE} bytes was skipped. */
        void tooLong(long lineNo, long bytes, boolean terminated);

        /**
         * After each terminated line: the offset just past its {@code \n}, counted from where
         * reading started. Returning true stops the read there (a search that has its page).
         */
        default boolean consumed(long endOffset) {
            return false;
        }
    }

    private NdjsonLines() {
    }

    /**
     * Reads {@code in} to its end. Line numbers start at {@code firstLineNo}. Returns the number
     * of bytes up to and including the last {@code \n}, where a tailing reader resumes.
     */
    static long read(InputStream in, long firstLineNo, Handler h) throws IOException {
        byte[] buf = new byte[64 * 1024];
        byte[] acc = new byte[0];
        int accLen = 0;
        boolean skipping = false;
        long skipped = 0;
        long lineNo = firstLineNo;
        long total = 0;
        long complete = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            if (n == 0) {
                continue;
            }
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buf[i] != '\n') {
                    continue;
                }
                if (skipping) {
                    h.tooLong(lineNo, skipped + (i - start), true);
                    skipping = false;
                } else if (accLen == 0) {
                    emit(h, buf, start, i - start, lineNo, true);
                } else {
                    acc = append(acc, accLen, buf, start, i - start);
                    accLen += i - start;
                    emit(h, acc, 0, accLen, lineNo, true);
                    accLen = 0;
                }
                lineNo++;
                start = i + 1;
                complete = total + start;
                if (h.consumed(complete)) {
                    return complete;
                }
            }
            int rest = n - start;
            if (skipping) {
                skipped += rest;
            } else if (rest > 0) {
                if ((long) accLen + rest > MAX_LINE) {
                    skipping = true;
                    skipped = (long) accLen + rest;
                    accLen = 0;
                    acc = new byte[0];
                } else {
                    acc = append(acc, accLen, buf, start, rest);
                    accLen += rest;
                }
            }
            total += n;
        }
        if (skipping) {
            h.tooLong(lineNo, skipped, false);
        } else if (accLen > 0) {
            emit(h, acc, 0, accLen, lineNo, false);
        }
        return complete;
    }

    private static void emit(Handler h, byte[] b, int off, int len, long lineNo, boolean terminated) {
        if (len > 0 && b[off + len - 1] == '\r') {
            len--;
        }
        h.line(b, off, len, lineNo, terminated);
    }

    private static byte[] append(byte[] acc, int accLen, byte[] src, int off, int len) {
        if (accLen + len > acc.length) {
            byte[] bigger = new byte[Math.max(accLen + len, Math.max(8192, acc.length * 2))];
            System.arraycopy(acc, 0, bigger, 0, accLen);
            acc = bigger;
        }
        System.arraycopy(src, off, acc, accLen, len);
        return acc;
    }
}
