package dev.agenttrace.proxy.stdio;

/**
 * What {@link FrameReader#next()} found. The byte ranges point into the reader's buffer and are
 * valid only until the next call: forward them, copy what must outlive the call.
 */
public final class Frame {

    /** What kind of thing was read. */
    public enum Kind {
        /** A complete message: {@link #body} is the JSON text, {@link #raw} the frame as received. */
        MESSAGE,
        /** A line that is not JSON-RPC (log output, junk); {@link #body} holds it without the line end. */
        NOISE,
        /** A frame larger than the limit; it was skipped. {@link #body} holds its first bytes. */
        OVERSIZED,
        /** A Content-Length header block that cannot be used; it was skipped. */
        BAD_HEADER,
        /** The stream ended inside a frame; {@link #body} holds what arrived. */
        TRUNCATED,
        /**
         * A large Content-Length message whose body has not been read yet: {@link #raw} holds its
         * header block, {@link #size} the body length. Read the body with
         * {@link FrameReader#streamBody} before the next call to {@code next()}.
         */
        STREAM
    }

    Kind kind;
    Framing framing;
    byte[] buf;
    int bodyOff;
    int bodyLen;
    int rawOff;
    int rawLen;
    /** Full size of an oversized frame (bytes), or the declared Content-Length. */
    long size;
    /** Human-readable problem for the non-MESSAGE kinds. */
    String problem;

    public Kind kind() {
        return kind;
    }

    public Framing framing() {
        return framing;
    }

    public byte[] buffer() {
        return buf;
    }

    public int bodyOffset() {
        return bodyOff;
    }

    public int bodyLength() {
        return bodyLen;
    }

    public int rawOffset() {
        return rawOff;
    }

    public int rawLength() {
        return rawLen;
    }

    public long size() {
        return size;
    }

    public String problem() {
        return problem;
    }

    /** A copy of the body bytes. */
    /** A copy that owns its bytes (the reader reuses its buffer for the next frame). */
    Frame detached() {
        Frame f = new Frame();
        f.kind = kind;
        f.framing = framing;
        f.buf = new byte[rawLen > 0 ? rawLen : bodyLen];
        if (rawLen > 0) {
            System.arraycopy(buf, rawOff, f.buf, 0, rawLen);
            f.rawLen = rawLen;
            f.bodyOff = bodyOff - rawOff;
        } else {
            System.arraycopy(buf, bodyOff, f.buf, 0, bodyLen);
        }
        f.bodyLen = bodyLen;
        f.size = size;
        f.problem = problem;
        return f;
    }

    public byte[] copyBody() {
        byte[] b = new byte[bodyLen];
        System.arraycopy(buf, bodyOff, b, 0, bodyLen);
        return b;
    }
}
