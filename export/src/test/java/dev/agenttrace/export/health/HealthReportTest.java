package dev.agenttrace.export.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.rules.watch.WatchConfig;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.Ids;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.SessionWriter;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The health signals over a store generated with known answers. */
class HealthReportTest {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** Writes one session; each event is {type, data, parent index or -1}. */
    private static String session(TraceStore store, String agent, double startedAt, List<Object[]> events) {
        SessionMeta meta = new SessionMeta();
        meta.agentName = agent;
        meta.command = agent + " run";
        meta.startedAt = startedAt;
        SessionWriter w = store.create(meta, StoreOptions.defaults());
        List<String> ids = new ArrayList<>();
        double t = startedAt;
        ObjectNode start = F.objectNode().put("mode", "claude-code-hooks").put("model", "claude-sonnet-4-5");
        w.submit(new TraceEvent(EventTypes.SESSION_START, t, Ids.eventId(), meta.sessionId, null, null, start));
        for (Object[] e : events) {
            t += 1;
            String id = Ids.eventId();
            ids.add(id);
            int parent = (Integer) e[2];
            w.submit(new TraceEvent((String) e[0], t, id, meta.sessionId, parent < 0 ? null : ids.get(parent),
                    parent < 0 ? null : 10.0, (ObjectNode) e[1]));
        }
        w.submit(new TraceEvent(EventTypes.SESSION_END, t + 1, Ids.eventId(), meta.sessionId, null, null, F.objectNode()));
        w.close();
        return meta.sessionId;
    }

    private static Object[] ev(String type, ObjectNode data, int parent) {
        return new Object[] {type, data, parent};
    }

    private static Object[] call(String tool, String key, String value) {
        ObjectNode d = F.objectNode().put("tool_name", tool);
        d.putObject("arguments").put(key, value);
        return ev(EventTypes.TOOL_CALL, d, -1);
    }

    private static Object[] llm(long input, long cacheRead) {
        ObjectNode usage = F.objectNode().put("input_tokens", input).put("output_tokens", 0).put("cache_read_input_tokens", cacheRead);
        ObjectNode d = F.objectNode().put("model", "claude-sonnet-4-5");
        d.set("usage", usage);
        return ev(EventTypes.LLM_RESPONSE, d, -1);
    }

    @Test
    void signalsOfTheNewestRunAgainstItsAgentsBaseline(@TempDir Path dir) throws Exception {
        TraceStore store = TraceStore.at(dir);
        for (int i = 0; i < 4; i++) {
            session(store, "builder", 1_000 + i * 100, List.<Object[]>of(llm(1_000_000, 0))); // $3.00 each at sonnet's $3/M input
        }
        session(store, "other", 1_450, List.<Object[]>of(llm(10_000_000, 0))); // $30, another agent: not in the builder's baseline
        List<Object[]> newest = List.of(
                llm(4_000_000, 1_000_000), // $12.00; cache reads 1M of 5M input
                call("Read", "file_path", "a"),
                ev(EventTypes.TOOL_RESULT, F.objectNode().put("tool_name", "Read").put("result", "ok"), 1),
                call("Read", "file_path", "b"),
                ev(EventTypes.TOOL_RESULT, F.objectNode().put("tool_name", "Read").put("is_error", true)
                        .put("content_preview", "Error: ENOENT: no such file or directory, open 'b'"), 3),
                call("fetch", "url", "u1"),
                ev(EventTypes.ERROR, F.objectNode().put("tool_name", "fetch").put("code", -32001).put("message", "MCP error -32001: Request timed out"), 5),
                call("fetch", "url", "u2"),
                ev(EventTypes.TOOL_RESULT, F.objectNode().put("tool_name", "fetch").put("is_error", true)
                        .put("content_preview", "Error: 429 Too Many Requests"), 7),
                ev(EventTypes.DECISION, F.objectNode().put("kind", "alert").put("choice", "block").put("watcher", "loop")
                        .put("rule", "loop").put("reason", "the same sequence 3 times"), 7));
        String id = session(store, "builder", 2_000, newest);

        HealthReport.Report r = HealthReport.compute(store, "builder", 10, 3.0, WatchConfig.defaults(),
                new WatchBudgets(24.0, 10_000_000L, null));
        assertEquals(5, r.runs().size(), "the builder's five runs, not the other agent's");
        RunHealth h = r.runs().get(0);
        assertEquals(id, h.sessionId(), "newest first");
        assertEquals(12.0, h.costUsd(), 1e-9);
        assertFalse(h.costEstimated());
        assertEquals(3.0, h.baselineUsd(), 1e-9, "median of the builder's previous runs");
        assertEquals(4.0, h.costRatio(), 1e-9);
        assertTrue(h.costAlert(), "4x is past the 3x alert");
        assertEquals(1, h.breakerTrips());
        assertEquals("open", h.breakerState(), "a blocking trip and no resume");
        assertTrue(h.loopTriggers() >= 1);
        assertEquals(0.5, h.budgetUse().get("cost"), 1e-9);
        assertEquals(4, h.toolCalls());
        assertEquals(3, h.toolErrors());
        assertEquals(Map.of("NOT_FOUND", 1L, "TIMEOUT", 1L, "RATE_LIMITED", 1L), h.errorsByKind());
        assertEquals(0.2, h.cacheReadShare(), 1e-9, "1M cache reads of 5M input tokens");

        RunHealth oldest = r.runs().get(4);
        assertNull(oldest.baselineUsd(), "the first run has no baseline");
        assertFalse(oldest.costAlert());
        assertEquals("closed", oldest.breakerState());
        assertEquals(0.0, oldest.cacheReadShare(), 1e-9);
        assertEquals(3.0, r.runs().get(1).baselineUsd(), 1e-9);
        assertEquals(1.0, r.runs().get(1).costRatio(), 1e-9);

        HealthReport.Report two = HealthReport.compute(store, null, 2, 3.0, WatchConfig.defaults(), WatchBudgets.none());
        assertEquals(2, two.runs().size());
        assertEquals(3.0, two.runs().get(0).baselineUsd(), 1e-9, "the baseline spans --last runs of the same agent");
    }
}
