package dev.agenttrace.rules.inline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.store.EventSink;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionWriter;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.mcp.BufferingSink;
import dev.agenttrace.store.mcp.Direction;
import java.nio.charset.StandardCharsets;
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
        // a backlog of 10 items' worth of bytes (work() counts 512 bytes an item)
        SessionRecorder rec = new SessionRecorder(new ChangeFence(), 10 * 512);
        for (int i = 0; i < 13; i++) {
            rec.work(sink -> { });
        }
        ListWriter w = new ListWriter();
        rec.attach(w);
        assertEquals(10, w.submitted, "the backlog holds what its byte budget allows");
        rec.sessionEnd(System.nanoTime(), 1.0, d -> { });
        List<TraceEvent> events = new ArrayList<>();
        w.sink.forEachEvent(events::add);
        TraceEvent end = events.get(events.size() - 1);
        assertEquals(EventTypes.SESSION_END, end.eventType());
        assertTrue(end.data().path("trace_incomplete").asBoolean(), end.data().toString());
        assertEquals(3, end.data().path("dropped_events").asLong());
    }

    @Test
    void aPipelinedFloodBeforeTheSessionOpensIsKeptWholeAndInOrder() {
        // a client that pipelines while the store opens: 100,000 calls (an item count of 10,000
        // dropped 90% of them), within the default byte budget
        SessionRecorder rec = new SessionRecorder();
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            String call = "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                    + "\"arguments\":{\"text\":\"" + "x".repeat(100) + "\"}}}";
            rec.message(Direction.CLIENT_TO_SERVER, call.getBytes(StandardCharsets.UTF_8), "newline");
        }
        ListWriter w = new ListWriter();
        rec.attach(w);
        assertEquals(n, w.submitted);
        List<TraceEvent> calls = new ArrayList<>();
        w.sink.forEachEvent(e -> {
            if (e.eventType().equals(EventTypes.TOOL_CALL)) {
                calls.add(e);
            }
        });
        assertEquals(n, calls.size());
        for (int i = 0; i < n; i++) {
            assertEquals(i, calls.get(i).data().path("request_id").asInt(-1), "call " + i + " is out of place: " + calls.get(i).data());
        }
    }
}
