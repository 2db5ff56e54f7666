package dev.agenttrace.report.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.SessionWriter;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceStore;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** show --follow: a session written by the store's own writer while it is followed. */
class FollowTest {
    @Test
    void printsEventsAsTheRecorderAppendsThemUntilTheSessionEnds(@TempDir Path dir) throws Exception {
        TraceStore store = TraceStore.at(dir);
        SessionMeta meta = new SessionMeta();
        meta.sessionId = "5e55e55e55e55e55";
        meta.startedAt = System.currentTimeMillis() / 1000.0;
        meta.agentName = "follow-test";
        SessionWriter w = store.create(meta, StoreOptions.defaults());
        List<String> seen = new CopyOnWriteArrayList<>();
        Thread recorder = new Thread(() -> {
            try {
                for (int i = 0; i < 5; i++) {
                    w.submit(event(meta.sessionId, EventTypes.TOOL_CALL, i));
                    Thread.sleep(30);
                }
                w.submit(event(meta.sessionId, EventTypes.SESSION_END, 99));
                w.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        recorder.start();
        Follow.End end = Follow.follow(store, meta.sessionId, e -> seen.add(e.eventType()), w2 -> { }, 20, 60, () -> false, Pacer.SYSTEM);
        recorder.join();
        assertEquals(Follow.End.SESSION_ENDED, end);
        assertEquals(EventTypes.SESSION_END, seen.get(seen.size() - 1));
        assertEquals(5, seen.stream().filter(EventTypes.TOOL_CALL::equals).count());
    }

    @Test
    void stopsAfterTheIdleSpellWhenNoEndComes(@TempDir Path dir) throws Exception {
        TraceStore store = TraceStore.at(TestFixturesStore.copy(dir));
        List<Long> slept = new CopyOnWriteArrayList<>();
        Follow.End end = Follow.follow(store, "31779b9b93994e44", e -> { }, w -> { }, 100, 2, () -> false, slept::add);
        assertEquals(Follow.End.IDLE, end, "the Python proxy was killed and never wrote session_end");
        assertEquals(20, slept.size(), "2 s of 100 ms looks, on the pacer's clock");
    }

    static TraceEvent event(String session, String type, int i) {
        return new TraceEvent(type, System.currentTimeMillis() / 1000.0, String.format("%012x", i + 1), session, null, null,
                JsonNodeFactory.instance.objectNode().put("tool_name", "echo").put("i", i));
    }
}
