package dev.agenttrace.export.file;

import dev.agenttrace.export.span.SpanAssembler;
import dev.agenttrace.export.span.SpanRecord;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceStore;
import java.util.ArrayList;
import java.util.List;

/**
 * A stored session's spans, made by the same {@link SpanAssembler} as the live export from the
 * events and the wire log merged in the order they were written, so the spans and their ids are
 * the live ones (agent-strace sessions, which have no wire log, give their tool spans).
 */
public final class SessionSpans {
    private SessionSpans() {
    }

    public static List<SpanRecord> of(TraceStore store, SessionMeta meta, boolean captureContent, List<String> warnings) {
        List<SpanRecord> spans = new ArrayList<>();
        SpanAssembler a = new SpanAssembler(spans::add, captureContent);
        a.start(meta);
        var read = store.readEventsAndMessages(meta.sessionId);
        warnings.addAll(read.warnings());
        for (TraceEvent e : read.events()) {
            a.accept(e, EventTypes.MCP_MESSAGE.equals(e.eventType()));
        }
        a.finish(meta);
        return spans;
    }
}
