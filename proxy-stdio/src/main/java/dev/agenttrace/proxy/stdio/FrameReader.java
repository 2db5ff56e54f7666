package dev.agenttrace.proxy.stdio;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits a byte stream into JSON-RPC frames, detecting the framing of every message on its own:
 * a first byte of <code>{</code> or <code>[</code> starts a newline-delimited message; a first
 * line of the form {@code Name: value} starts a header block that must carry a
 * {@code Content-Length} (case-insensitive, in bytes) and ends at a blank line; anything else is
 * a {@link Frame.Kind#NOISE} line. Whitespace between frames is skipped.
 *
 * <p>Limits hold whatever the chunking: a body longer than {@code maxBodyBytes} is skipped while
 * it streams past (only its first bytes are kept, to find its id) and reported as
 * {@link Frame.Kind#OVERSIZED}; a header block longer than {@code maxHeaderBytes} is
 * {@link Frame.Kind#BAD_HEADER}. Newline search resumes where it stopped, so a huge message fed
 * one byte at a time costs linear time. Not thread-safe: one reader thread per stream.
 */
public final class FrameReader {
    /** Bytes of an oversized frame kept so the relay can still find the message id. */
    static final int OVERSIZED_PREFIX = 64 * 1024;
    private static final int INITIAL = 64 * 1024;
    private static final int SMALL_FRAMES_BEFORE_SHRINK = 256;
    /**
     * Largest single read. The JDK mallocs a native buffer as large as the requested length for
     * reads over 8 KiB, so asking for a megabyte costs an mmap per call; a pipe holds 64 KiB.
     */
    private static final int READ_CHUNK = 64 * 1024;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Loaded on first use: only unusual frames need a parser, and start-up should not pay for it. */
    private static final class Json {
        static final JsonFactory FACTORY = new JsonFactory();
    }

    private final InputStream in;
    private final int maxBodyBytes;
    private final int maxHeaderBytes;
    private final Runnable beforeBlockingRead;
    private final Frame frame = new Frame();
    private byte[] buf = new byte[INITIAL];
    private int pos;
    private int lim;
    private boolean eof;
    private int smallFrames;
    private int streamFrom;
    private long streamRemaining;

    /**
     * @param in                 the stream to read; read in large chunks, never byte by byte
     * @param maxBodyBytes       largest JSON body forwarded, in bytes
     * @param maxHeaderBytes     largest Content-Length header block, in bytes
     * @param beforeBlockingRead run before every read that may block (the relay flushes its
     *                           writer there, so output is batched under load and prompt when idle)
     */
    public FrameReader(InputStream in, int maxBodyBytes, int maxHeaderBytes, Runnable beforeBlockingRead) {
        if (maxBodyBytes < 1 || maxHeaderBytes < 16) {
            throw new IllegalArgumentException("limits too small: body " + maxBodyBytes + ", header " + maxHeaderBytes);
        }
        this.in = in;
        this.maxBodyBytes = maxBodyBytes;
        this.maxHeaderBytes = maxHeaderBytes;
        this.beforeBlockingRead = beforeBlockingRead;
    }

    /** The next frame, or null at the end of the stream. The frame is reused by the next call. */
    public Frame next() throws IOException {
        shrinkIfIdle();
        while (true) {
            while (pos < lim && isSpace(buf[pos])) {
                pos++;
            }
            if (pos < lim) {
                break;
            }
            pos = 0;
            lim = 0;
            if (eof || fill() < 0) {
                return null;
            }
        }
        byte first = buf[pos];
        if (first == '{' || first == '[') {
            return readLine(Frame.Kind.MESSAGE);
        }
        return readHeaderBlock();
    }

    private Frame readLine(Frame.Kind kind) throws IOException {
        int scanned = 0;
        while (true) {
            int nl = indexOfNewline(pos + scanned, lim);
            if (nl >= 0) {
                int end = nl > pos && buf[nl - 1] == '\r' ? nl - 1 : nl;
                if (end - pos > maxBodyBytes) {
                    return oversizedLine(nl);
                }
                set(kind, Framing.NEWLINE, pos, end - pos, pos, nl + 1 - pos);
                pos = nl + 1;
                return frame;
            }
            scanned = lim - pos;
            if (scanned > maxBodyBytes + 1) {
                return oversizedLine(-1);
            }
            if (eof || fill() < 0) {
                return unterminatedLine(kind);
            }
        }
    }

    /** The stream ended after a line with no newline: a whole JSON value still counts. */
    private Frame unterminatedLine(Frame.Kind kind) {
        int len = lim - pos;
        set(kind, Framing.NEWLINE, pos, len, pos, len);
        pos = lim;
        if (kind == Frame.Kind.MESSAGE && !isCompleteJson(buf, frame.bodyOff, len)) {
            frame.kind = Frame.Kind.TRUNCATED;
            frame.problem = "the stream ended inside a message (" + len + " bytes with no closing newline and incomplete JSON)";
        }
        return frame;
    }

    /** Skips the rest of an over-long line while it streams past, keeping only its start. */
    private Frame oversizedLine(int knownNewline) throws IOException {
        byte[] prefix = Arrays.copyOfRange(buf, pos, pos + Math.min(OVERSIZED_PREFIX, lim - pos));
        long size;
        boolean ended = false;
        if (knownNewline >= 0) {
            size = knownNewline - pos;
            pos = knownNewline + 1;
        } else {
            size = lim - pos;
            pos = lim;
            while (true) {
                pos = 0;
                lim = 0;
                if (eof || fill() < 0) {
                    ended = true;
                    break;
                }
                int nl = indexOfNewline(0, lim);
                if (nl >= 0) {
                    size += nl;
                    pos = nl + 1;
                    break;
                }
                size += lim;
            }
        }
        return oversized(Framing.NEWLINE, prefix, size, "message of " + (ended ? "at least " : "") + size
                + " bytes exceeds the limit of " + maxBodyBytes + " bytes (--max-message-bytes)");
    }

    private Frame readHeaderBlock() throws IOException {
        int lineStart = pos;
        long contentLength = -1;
        String problem = null;
        while (true) {
            int nl = indexOfNewline(lineStart, lim);
            if (nl < 0) {
                if (lim - pos > maxHeaderBytes) {
                    return badHeaderSkip(lim, "header block longer than " + maxHeaderBytes + " bytes");
                }
                int consumedInLine = lineStart - pos;
                if (eof || fill() < 0) {
                    if (lineStart == pos) {
                        // a lone unterminated line that is not a header: junk
                        return unterminatedLine(Frame.Kind.NOISE);
                    }
                    return truncated("the stream ended inside a Content-Length header block");
                }
                lineStart = pos + consumedInLine;
                continue;
            }
            int end = nl > lineStart && buf[nl - 1] == '\r' ? nl - 1 : nl;
            if (nl + 1 - pos > maxHeaderBytes) {
                return badHeaderSkip(nl + 1, "header block longer than " + maxHeaderBytes + " bytes");
            }
            if (end == lineStart) {
                // blank line: end of headers
                int bodyStart = nl + 1;
                if (problem == null && contentLength < 0) {
                    // "Error: x" followed by a blank line is log text, not a header block
                    return noiseUpTo(lineStart, nl + 1);
                }
                if (problem != null) {
                    return badHeaderSkip(bodyStart, problem);
                }
                return readBody(bodyStart, contentLength);
            }
            int colon = headerColon(lineStart, end);
            if (colon < 0) {
                if (lineStart == pos) {
                    // the first line is not a header at all: a line of noise
                    set(Frame.Kind.NOISE, Framing.NEWLINE, pos, end - pos, pos, nl + 1 - pos);
                    pos = nl + 1;
                    return frame;
                }
                // "Warning: x" then a JSON line: the first lines were log text, keep the JSON
                return noiseUpTo(lineStart, lineStart);
            } else if (regionEqualsIgnoreCase(lineStart, colon, "content-length")) {
                String value = ascii(colon + 1, end).trim();
                long n = parseLength(value);
                if (n < 0) {
                    problem = "invalid Content-Length '" + value + "' (must be a non-negative whole number of bytes)";
                } else if (contentLength >= 0 && contentLength != n) {
                    problem = "two different Content-Length headers (" + contentLength + " and " + n + ")";
                } else {
                    contentLength = n;
                }
            }
            lineStart = nl + 1;
        }
    }

    private Frame readBody(int bodyStart, long length) throws IOException {
        int headerLen = bodyStart - pos;
        if (length > maxBodyBytes) {
            return oversizedBody(bodyStart, length);
        }
        int n = (int) length;
        if (streamFrom > 0 && n >= streamFrom && lim - bodyStart < n) {
            // the size is known: the body can go on as it arrives instead of after its last byte
            set(Frame.Kind.STREAM, Framing.CONTENT_LENGTH, bodyStart, 0, pos, headerLen);
            frame.size = length;
            pos = bodyStart;
            streamRemaining = n;
            return frame;
        }
        while (lim - bodyStart < n) {
            int offset = bodyStart - pos;
            if (eof || fill() < 0) {
                int got = lim - bodyStart;
                frame.kind = Frame.Kind.TRUNCATED;
                frame.framing = Framing.CONTENT_LENGTH;
                frame.buf = buf;
                frame.bodyOff = bodyStart;
                frame.bodyLen = got;
                frame.rawOff = pos;
                frame.rawLen = lim - pos;
                frame.size = length;
                frame.problem = "the stream ended inside a message: Content-Length " + length + " but only " + got + " bytes arrived";
                pos = lim;
                return frame;
            }
            bodyStart = pos + offset;
        }
        set(Frame.Kind.MESSAGE, Framing.CONTENT_LENGTH, bodyStart, n, pos, headerLen + n);
        frame.size = length;
        pos = bodyStart + n;
        return frame;
    }

    private Frame oversizedBody(int bodyStart, long length) throws IOException {
        int have = (int) Math.min(lim - bodyStart, length);
        byte[] prefix = Arrays.copyOfRange(buf, bodyStart, bodyStart + Math.min(have, OVERSIZED_PREFIX));
        long remaining = length - have;
        pos = bodyStart + have;
        boolean ended = false;
        while (remaining > 0) {
            pos = 0;
            lim = 0;
            if (eof || fill() < 0) {
                ended = true;
                break;
            }
            int take = (int) Math.min(remaining, lim);
            pos = take;
            remaining -= take;
        }
        return oversized(Framing.CONTENT_LENGTH, prefix, length, "message of " + length
                + " bytes (Content-Length) exceeds the limit of " + maxBodyBytes + " bytes (--max-message-bytes)"
                + (ended ? "; the stream ended before its end" : ""));
    }

    /** Receives the body of a {@link Frame.Kind#STREAM} frame piece by piece. */
    @FunctionalInterface
    public interface BodySink {
        void accept(byte[] b, int off, int len) throws IOException;
    }

    /**
     * Hands the body of the {@link Frame.Kind#STREAM} frame just returned to {@code sink} as it
     * arrives. Returns false if the stream ended before the whole body came.
     */
    public boolean streamBody(BodySink sink) throws IOException {
        while (streamRemaining > 0) {
            if (pos == lim) {
                pos = 0;
                lim = 0;
                if (eof || fill() < 0) {
                    streamRemaining = 0;
                    return false;
                }
            }
            int take = (int) Math.min(lim - pos, streamRemaining);
            sink.accept(buf, pos, take);
            pos += take;
            streamRemaining -= take;
        }
        return true;
    }

    /**
     * Content-Length bodies of at least this many bytes are returned as {@link Frame.Kind#STREAM}
     * frames (0: never). Only for a reader whose frames need not be judged whole before they go on.
     */
    public void streamBodiesFrom(int bytes) {
        this.streamFrom = bytes;
    }

    /** A skipped frame: only its first bytes are kept (to find its id), nothing of it is forwarded. */
    private Frame oversized(Framing framing, byte[] prefix, long size, String problem) {
        frame.kind = Frame.Kind.OVERSIZED;
        frame.framing = framing;
        frame.buf = prefix;
        frame.bodyOff = 0;
        frame.bodyLen = prefix.length;
        frame.rawOff = 0;
        frame.rawLen = 0;
        frame.size = size;
        frame.problem = problem;
        return frame;
    }

    private Frame badHeaderSkip(int upTo, String problem) {
        frame.kind = Frame.Kind.BAD_HEADER;
        frame.framing = Framing.CONTENT_LENGTH;
        frame.buf = buf;
        frame.bodyOff = pos;
        frame.bodyLen = Math.min(upTo - pos, 256);
        frame.rawOff = pos;
        frame.rawLen = upTo - pos;
        frame.size = -1;
        frame.problem = problem;
        pos = upTo;
        return frame;
    }

    /** Lines of text from {@code pos} up to {@code textEnd}; consumption resumes at {@code resume}. */
    private Frame noiseUpTo(int textEnd, int resume) {
        int end = textEnd;
        while (end > pos && (buf[end - 1] == '\n' || buf[end - 1] == '\r')) {
            end--;
        }
        set(Frame.Kind.NOISE, Framing.NEWLINE, pos, end - pos, pos, textEnd - pos);
        pos = resume;
        return frame;
    }

    private Frame truncated(String problem) {
        frame.kind = Frame.Kind.TRUNCATED;
        frame.framing = Framing.CONTENT_LENGTH;
        frame.buf = buf;
        frame.bodyOff = pos;
        frame.bodyLen = lim - pos;
        frame.rawOff = pos;
        frame.rawLen = lim - pos;
        frame.size = -1;
        frame.problem = problem;
        pos = lim;
        return frame;
    }

    private void set(Frame.Kind kind, Framing framing, int bodyOff, int bodyLen, int rawOff, int rawLen) {
        frame.kind = kind;
        frame.framing = framing;
        frame.buf = buf;
        frame.bodyOff = bodyOff;
        frame.bodyLen = bodyLen;
        frame.rawOff = rawOff;
        frame.rawLen = rawLen;
        frame.size = bodyLen;
        frame.problem = null;
    }

    /**
     * Reads more bytes after {@code lim}, compacting or growing the buffer first. Positions before
     * {@code pos} are discarded, so callers keep offsets relative to {@code pos}.
     */
    private int fill() throws IOException {
        if (pos > 0) {
            int live = lim - pos;
            System.arraycopy(buf, pos, buf, 0, live);
            pos = 0;
            lim = live;
        }
        if (lim == buf.length) {
            long cap = (long) maxBodyBytes + maxHeaderBytes + 2;
            int grown = (int) Math.min(Math.max((long) buf.length * 2, INITIAL), Math.max(cap, buf.length + 1L));
            buf = Arrays.copyOf(buf, grown);
        }
        if (beforeBlockingRead != null) {
            beforeBlockingRead.run();
        }
        int n = in.read(buf, lim, Math.min(buf.length - lim, READ_CHUNK));
        if (n < 0) {
            eof = true;
            return -1;
        }
        lim += n;
        return n;
    }

    /**
     * Gives back the memory of a huge message, but only after {@link #SMALL_FRAMES_BEFORE_SHRINK}
     * small frames in a row: a peer that sends one large message tends to send more, and growing
     * the buffer again each time is megabytes of garbage per message.
     */
    private void shrinkIfIdle() {
        if (buf.length <= 4 * INITIAL) {
            return;
        }
        if (lim - pos > INITIAL || frame.bodyLen > INITIAL) {
            smallFrames = 0;
            return;
        }
        if (++smallFrames >= SMALL_FRAMES_BEFORE_SHRINK) {
            smallFrames = 0;
            byte[] small = new byte[INITIAL];
            System.arraycopy(buf, pos, small, 0, lim - pos);
            lim -= pos;
            pos = 0;
            buf = small;
        }
    }

    /**
     * First {@code '\n'} in {@code buf[from, to)}, eight bytes per step (SWAR): a 1 MiB message
     * is scanned in about 0.1 ms even before the JIT's second tier.
     */
    private int indexOfNewline(int from, int to) {
        byte[] b = buf;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long x = (long) LONGS.get(b, i) ^ 0x0A0A0A0A0A0A0A0AL;
            long hit = (x - 0x0101010101010101L) & ~x & 0x8080808080808080L;
            if (hit != 0) {
                return i + (Long.numberOfTrailingZeros(hit) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private int headerColon(int from, int to) {
        int i = from;
        while (i < to) {
            byte c = buf[i];
            boolean token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!token) {
                break;
            }
            i++;
        }
        return i > from && i < to && buf[i] == ':' ? i : -1;
    }

    private boolean regionEqualsIgnoreCase(int from, int to, String name) {
        if (to - from != name.length()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.toLowerCase((char) buf[from + i]) != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private String ascii(int from, int to) {
        return new String(buf, from, Math.min(to - from, 200), StandardCharsets.ISO_8859_1);
    }

    private static long parseLength(String v) {
        if (v.isEmpty() || v.length() > 18) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    static boolean isCompleteJson(byte[] b, int off, int len) {
        try (JsonParser p = Json.FACTORY.createParser(b, off, len)) {
            if (p.nextToken() == null) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }
}
