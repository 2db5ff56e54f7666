package dev.agenttrace.store.analysis;

import static dev.agenttrace.store.analysis.Events.event;
import static dev.agenttrace.store.analysis.Events.meta;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.TraceStore;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionDiffTest {
    private static SessionSummary session(String id, String... calls) {
        SessionAnalyzer a = new SessionAnalyzer(meta(id));
        double t = 1000;
        for (String c : calls) {
            String[] tp = c.split(":");
            a.accept(event("tool_call", t += 1, id + t, null, null,
                    "{\"tool_name\":\"" + tp[0] + "\",\"arguments\":{\"path\":\"" + tp[1] + "\"}}"));
        }
        return a.finish(List.of());
    }

    @Test
    void findsTheFirstCallWhereTwoSessionsPartWays() {
        SessionDiff d = SessionDiff.of(session("a", "read:/x", "edit:/x", "bash:/t"), session("b", "read:/x", "edit:/y", "bash:/t", "bash:/t"));
        assertEquals(1, d.divergence().index());
        assertTrue(d.divergence().callA().startsWith("edit {\"path\":\"/x\"}"));
        assertTrue(d.divergence().callB().startsWith("edit {\"path\":\"/y\"}"));
        assertEquals("a1002.0", d.divergence().eventA(), "A's second call, to look around with get_session");
        assertEquals("b1002.0", d.divergence().eventB());
        assertEquals(List.of("bash"), List.copyOf(d.toolCallDiff().keySet()), "only tools whose counts differ");
        assertArrayEquals(new long[] {1, 2}, d.toolCallDiff().get("bash"));
        assertEquals(List.of("/y"), d.filesOnlyInB());
        assertEquals(List.of("/t", "/x"), d.filesInBoth());
        ObjectNode json = d.toJson();
        assertEquals(1, json.at("/divergence/index").asInt());
        assertEquals(2, json.at("/tool_call_diff/bash/session_b").asInt());
    }

    @Test
    void aPrefixDivergesWhereTheShorterStopsAndEqualSessionsNever() {
        SessionDiff d = SessionDiff.of(session("a", "read:/x"), session("b", "read:/x", "read:/z"));
        assertEquals(1, d.divergence().index());
        assertNull(d.divergence().callA());
        assertNull(SessionDiff.of(session("a", "read:/x"), session("b", "read:/x")).divergence());
    }

    @Test
    void comparesTheFixtureProxySessionWithItsTornCopy() {
        TraceStore store = TraceStore.at(Events.fixtures());
        SessionDiff d = SessionDiff.of(SessionAnalyzer.analyze(store, store.resolve("31779b")),
                SessionAnalyzer.analyze(store, store.resolve("torn")));
        assertNull(d.divergence());
        assertEquals(0, d.tokenDelta());
        assertEquals(1, d.a().errorCount());
        assertTrue(AnalysisText.diff(d).contains("same calls in the same order"));
    }
}
