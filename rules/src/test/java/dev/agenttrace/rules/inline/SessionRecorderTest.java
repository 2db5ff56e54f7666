package dev.agenttrace.rules.inline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.store.EventSink;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionWriter;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.mcp.BufferingSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class SessionRecorderTest {
    /** A writer that applies work at once to a buffering sink. */
    static final class ListWriter implements SessionWriter {
        final BufferingSink sink = new BufferingSink("5e55105e55105e55", StoreOptions.defaults());
        int submitted;

        @Override
        public String sessionId() {
            return sink.sessionId();
        }

        @Override
        public boolean submit(Consumer<EventSink> work, long approxBytes) {
            submitted++;
            work.accept(sink);
            return true;
        }

        @Override
        public long dropped() {
            return 0;
        }

        @Override
        public boolean incomplete() {
            return false;
        }

        @Override
        public void close(Duration timeout) {
        }
    }

    @Test
    void workDroppedBeforeTheSessionOpenedMarksTheTraceIncomplete() {
        SessionRecorder rec = new SessionRecorder();
        for (int i = 0; i < 10_003; i++) {
            rec.work(sink -> { });
        }
        ListWriter w = new ListWriter();
        rec.attach(w);
        assertEquals(10_000, w.submitted, "the backlog holds 10,000 items, in order");
        rec.sessionEnd(System.nanoTime(), 1.0, d -> { });
        List<TraceEvent> events = new ArrayList<>();
        w.sink.forEachEvent(events::add);
        TraceEvent end = events.get(events.size() - 1);
        assertEquals(EventTypes.SESSION_END, end.eventType());
        assertTrue(end.data().path("trace_incomplete").asBoolean(), end.data().toString());
        assertEquals(3, end.data().path("dropped_events").asLong());
    }
}
