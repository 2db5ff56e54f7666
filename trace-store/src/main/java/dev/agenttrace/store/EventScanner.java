package dev.agenttrace.store;

import java.nio.file.Path;
import java.util.List;

/**
 * The line handler behind {@link TraceStore#scanEvents}: parses only the lines the raw filter lets
 * through, hands each event to the visitor once its line is complete (with the offset just past
 * it, where a later scan may resume), counts lines, and stops when the visitor has enough.
 */
final class EventScanner implements NdjsonLines.Handler {
    private final TraceStore.RawLineFilter filter;
    private final TraceStore.EventVisitor visitor;
    private final EventLineParser parser;
    private final long fromOffset;
    private TraceEvent pending;
    private long pendingLine;
    private long nextLine;
    private boolean stopped;

    EventScanner(Path file, long fromOffset, long firstLine, boolean finished, TraceStore.RawLineFilter filter,
                 TraceStore.EventVisitor visitor, List<String> warnings) {
        this.filter = filter;
        this.visitor = visitor;
        this.fromOffset = fromOffset;
        this.nextLine = firstLine;
        this.parser = new EventLineParser(file, e -> pending = e, warnings, finished);
    }

    @Override
    public void line(byte[] buf, int off, int len, long lineNo, boolean terminated) {
        pending = null;
        if (filter.accept(buf, off, len)) {
            pendingLine = lineNo;
            parser.line(buf, off, len, lineNo, terminated);
        }
    }

    @Override
    public void tooLong(long lineNo, long bytes, boolean terminated) {
        pending = null;
        parser.tooLong(lineNo, bytes, terminated);
    }

    @Override
    public boolean consumed(long endOffset) {
        nextLine++;
        TraceEvent e = pending;
        pending = null;
        if (e != null && visitor.visit(e, pendingLine, fromOffset + endOffset)) {
            stopped = true;
        }
        return stopped;
    }

    /** After the read: an unterminated last line that parsed (a finished file's torn line) is still an event. */
    void finish(long endOffset) {
        if (pending != null && !stopped) {
            visitor.visit(pending, pendingLine, endOffset);
        }
        pending = null;
    }

    long nextLine() {
        return nextLine;
    }

    boolean stopped() {
        return stopped;
    }
}
