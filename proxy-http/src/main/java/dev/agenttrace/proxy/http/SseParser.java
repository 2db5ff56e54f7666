package dev.agenttrace.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * An incremental {@code text/event-stream} parser that reads a relayed stream beside the byte
 * relay, without consuming it: the proxy forwards the original bytes and learns from here which
 * JSON-RPC messages went by and where each event ends.
 *
 * <p>Follows the HTML living standard's event-stream interpretation: lines end in CRLF, LF or CR
 * (a CRLF split across two chunks is one line end); {@code :} starts a comment; {@code data}
 * lines join with {@code \n}; a blank line dispatches; an event without {@code event:} is a
 * {@code message}. Limits hold whatever the chunking: a line or an event's data longer than
 * {@code maxEventBytes} is an overflow: reported, and that event is then only a boundary.
 */
final class SseParser {
    /** Receives each dispatched event (or bare boundary) as its blank line is read. */
    interface Listener {
        /**
         * @param type     the event type ({@code message} when the stream named none), null for a
         *                 boundary that dispatches nothing (a comment or keep-alive block)
         * @param data     the event's data, UTF-8 (null with type)
         * @param id       the event's {@code id:} field, or null
         * @param endIndex the index in the fed buffer just past the blank line's terminator
         */
        void onEvent(String type, byte[] data, String id, int endIndex);

        /** An event broke the size limit; called once for that event. */
        default void onOverflow(String what) {
        }
    }

    private final int maxEventBytes;
    private static final int INITIAL_LINE = 128;
    private byte[] line = new byte[INITIAL_LINE];
    private int lineLen;
    private boolean skipLf;
    private boolean overflowed;
    /** The rest of an over-long line is skipped, not read as a new line. */
    private boolean discardLine;
    private String eventType;
    private String eventId;
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();
    private boolean hasData;
    /** The most data one event held (its buffer keeps that capacity). */
    private int dataPeak;
    private boolean midEvent;

    SseParser(int maxEventBytes) {
        this.maxEventBytes = maxEventBytes;
    }

    /** True when everything fed so far ends on an event boundary. */
    boolean atBoundary() {
        return !midEvent && lineLen == 0 && !discardLine;
    }

    /**
     * Reads the readable bytes of {@code buf} without moving its indexes. Line ends are found by
     * Netty's bulk search and each line's bytes copied in one go: a byte-at-a-time loop paid a
     * bounds and reference-count check per byte on the event loop.
     */
    void feed(ByteBuf buf, Listener listener) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end) {
            if (skipLf) {
                skipLf = false;
                if (buf.getByte(i) == '\n') {
                    i++;
                    continue;
                }
            }
            int eol = buf.forEachByte(i, end - i, ByteProcessor.FIND_CRLF);
            int runEnd = eol < 0 ? end : eol;
            if (runEnd > i) {
                append(buf, i, runEnd - i, listener);
            }
            if (eol < 0) {
                return;
            }
            skipLf = buf.getByte(eol) == '\r';
            endLine(listener, eol + 1);
            i = eol + 1;
        }
    }

    /** Adds {@code len} bytes of a line (no line end among them). */
    private void append(ByteBuf buf, int from, int len, Listener listener) {
        if (discardLine) {
            return;
        }
        int cap = Math.max(INITIAL_LINE, maxEventBytes);
        if (lineLen + len > cap) {
            overflow("an SSE line longer than " + maxEventBytes + " bytes", listener);
            lineLen = 0;
            discardLine = true;
            midEvent = true;
            return;
        }
        if (lineLen + len > line.length) {
            line = java.util.Arrays.copyOf(line, Math.min(cap, Math.max(lineLen + len, line.length * 2)));
        }
        buf.getBytes(from, line, lineLen, len);
        lineLen += len;
    }

    private void endLine(Listener listener, int endIndex) {
        if (discardLine) {
            discardLine = false;
            return;
        }
        if (lineLen == 0) {
            dispatch(listener, endIndex);
            return;
        }
        midEvent = true;
        int n = lineLen;
        lineLen = 0;
        if (line[0] == ':') {
            return;
        }
        int colon = -1;
        for (int i = 0; i < n; i++) {
            if (line[i] == ':') {
                colon = i;
                break;
            }
        }
        int nameLen = colon < 0 ? n : colon;
        int vs = colon < 0 ? n : colon + 1;
        if (vs < n && line[vs] == ' ') {
            vs++;
        }
        // the field's name compared as bytes: no String per line
        if (nameLen == 4 && is(DATA)) {
            if (hasData) {
                data.write('\n');
            }
            if (data.size() + (n - vs) > maxEventBytes) {
                overflow("an SSE event with more than " + maxEventBytes + " bytes of data", listener);
                data.reset();
            } else {
                data.write(line, vs, n - vs);
                dataPeak = Math.max(dataPeak, data.size());
            }
            hasData = true;
        } else if (nameLen == 5 && is(EVENT)) {
            eventType = new String(line, vs, n - vs, StandardCharsets.UTF_8);
        } else if (nameLen == 2 && is(ID)) {
            eventId = new String(line, vs, n - vs, StandardCharsets.UTF_8);
        }
        // retry and unknown fields: nothing to record
    }

    private static final byte[] DATA = {'d', 'a', 't', 'a'};
    private static final byte[] EVENT = {'e', 'v', 'e', 'n', 't'};
    private static final byte[] ID = {'i', 'd'};

    /** True when the line starts with {@code name} (its length checked by the caller). */
    private boolean is(byte[] name) {
        for (int i = 0; i < name.length; i++) {
            if (line[i] != name[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Ready for a new stream, as if new; false (and not reset) when its buffers grew past 64 KiB,
     * which a pooled connection should not keep.
     */
    boolean reset() {
        if (line.length > 64 * 1024 || dataPeak > 64 * 1024) {
            return false;
        }
        lineLen = 0;
        skipLf = false;
        overflowed = false;
        discardLine = false;
        eventType = null;
        eventId = null;
        data.reset();
        hasData = false;
        midEvent = false;
        return true;
    }

    private void dispatch(Listener listener, int endIndex) {
        midEvent = false;
        if (hasData && !overflowed) {
            String type = eventType == null || eventType.isEmpty() ? "message" : eventType;
            listener.onEvent(type, data.toByteArray(), eventId, endIndex);
        } else {
            listener.onEvent(null, null, eventId, endIndex);
        }
        overflowed = false;
        eventType = null;
        eventId = null;
        hasData = false;
        data.reset();
    }

    private void overflow(String what, Listener listener) {
        if (!overflowed) {
            overflowed = true;
            listener.onOverflow(what);
        }
    }
}
