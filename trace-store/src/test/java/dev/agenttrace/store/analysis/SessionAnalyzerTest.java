package dev.agenttrace.store.analysis;

import static dev.agenttrace.store.analysis.Events.event;
import static dev.agenttrace.store.analysis.Events.meta;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.store.TraceStore;
import dev.agenttrace.store.analysis.SessionSummary.ToolStats;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionAnalyzerTest {
    private final TraceStore fixtures = TraceStore.at(Events.fixtures());

    @Test
    void explainsAClaudeCodeHooksSession() {
        SessionSummary s = SessionAnalyzer.analyze(fixtures, fixtures.resolve("7f3e9a10"));
        assertEquals(14, s.eventCount());
        assertEquals(5, s.toolCalls());
        assertEquals(1, s.errorCount());
        assertEquals(1, s.phases().size(), "session_start belongs to the first prompt's phase");
        assertEquals("fix the failing auth test", s.phases().get(0).label());
        assertFalse(s.phases().get(0).failed(), "it recovered from its one error: the phase did not end badly");
        assertEquals(1, s.phases().get(0).errors());
        assertEquals(1, s.retryCount(), "Bash again after Bash failed");
        SessionSummary.Retry r = s.retries().get(0);
        assertEquals("Bash", r.toolName());
        assertTrue(r.afterError());
        assertTrue(r.arguments().contains("python -m pytest"), "the arguments of the first attempt: " + r.arguments());
        assertEquals(List.of("/home/dev/proj/src/auth.py"), s.filesWritten());
        assertEquals(List.of("/home/dev/proj/.env", "/home/dev/proj/src/auth.py"), s.filesRead());
        assertEquals("Bash", s.slowest().get(0).toolName());
        assertEquals(638.705, s.slowest().get(0).durationMs(), 0.001);
        assertEquals(6536.142, s.durationMs(), 0.001);
        assertEquals("estimate", s.cost().tokenSource());
        assertEquals("sonnet", s.cost().pricedAs(), "claude-sonnet-4-5 from session_start");
        assertEquals("claude-sonnet-4-5", s.cost().model());
        assertTrue(s.cost().costUsd() > 0);
        assertEquals(0, s.cost().wastedCostUsd(), 1e-12, "the phase recovered from its error: nothing was spent in vain");
        ToolStats bash = s.tools().get(0);
        assertEquals("Bash", bash.toolName());
        assertEquals(2, bash.calls());
        assertEquals(1, bash.errors());
        assertEquals(0.5, bash.errorRate());
        assertEquals(637.162, bash.p50Ms(), 0.001);
        assertEquals(638.705, bash.p95Ms(), 0.001);
    }

    @Test
    void linksAPythonProxyErrorToItsCallByRequestId() {
        SessionSummary s = SessionAnalyzer.analyze(fixtures, fixtures.resolve("31779b9b"));
        ToolStats nope = s.tools().stream().filter(t -> t.toolName().equals("nope")).findFirst().orElseThrow();
        assertEquals(1, nope.errors(), "the unlinked error names request req-4, the nope call");
        assertEquals("nope", s.errors().get(0).toolName());
        assertEquals("-32602", s.errors().get(0).code());
        assertEquals("Unknown tool", s.errors().get(0).message());
        assertNull(s.endedAt(), "the recorder was killed: no end");
        assertNull(s.exitCode());
    }

    @Test
    void readsATornSessionAndSaysSo() {
        SessionSummary s = SessionAnalyzer.analyze(fixtures, fixtures.resolve("torn"));
        assertEquals(5, s.eventCount());
        assertEquals(1, s.warnings().size());
        assertTrue(s.warnings().get(0).contains("torn last line"));
    }

    @Test
    void aHookCallLinkedToRecordsCopyIsSetApartForAnalysesAcrossSessions() {
        SessionAnalyzer a = new SessionAnalyzer(meta("s"));
        a.accept(event("tool_call", 1000.1, "c1", null, null, "{\"tool_name\":\"mcp__fs__read_file\",\"arguments\":{\"path\":\"/a\"}}"));
        a.accept(event("error", 1000.2, "e1", "c1", 100.0, "{\"tool_name\":\"mcp__fs__read_file\",\"error\":\"ENOENT\"}"));
        a.accept(event("decision", 1000.3, "l1", "c1", null,
                "{\"kind\":\"mcp_link\",\"linked_session_id\":\"r\",\"linked_event_id\":\"x\"}"));
        a.accept(event("tool_call", 1000.4, "c2", null, null, "{\"tool_name\":\"Bash\",\"arguments\":{\"command\":\"false\"}}"));
        a.accept(event("error", 1000.5, "e2", "c2", 10.0, "{\"tool_name\":\"Bash\",\"error\":\"exit 1\"}"));
        a.accept(event("decision", 1000.6, "d2", "c2", null, "{\"kind\":\"compact\"}"));
        SessionSummary s = a.finish(null);
        assertEquals(2, s.toolCalls(), "the session itself shows every call it saw");
        assertEquals(1, s.linkedToolCalls());
        assertEquals(1, s.ownToolCalls());
        assertEquals(1, s.ownErrorCount());
        assertEquals(List.of("e2"), s.ownErrors().stream().map(SessionSummary.ErrorItem::eventId).toList());
        assertEquals(1, s.toJson().get("linked_tool_calls").asLong());
    }

    @Test
    void anIsErrorResultIsAFailureAndTheSameCallAgainIsARetry() {
        SessionAnalyzer a = new SessionAnalyzer(meta("s"));
        a.accept(event("tool_call", 1000.1, "c1", null, null, "{\"tool_name\":\"read_file\",\"arguments\":{\"path\":\"/a\"},\"request_id\":1}"));
        a.accept(event("tool_result", 1000.2, "r1", "c1", 100.0, "{\"request_id\":1,\"is_error\":true,\"content_preview\":\"ENOENT\"}"));
        a.accept(event("tool_call", 1000.3, "c2", null, null, "{\"tool_name\":\"read_file\",\"arguments\":{\"path\":\"/a\"},\"request_id\":2}"));
        a.accept(event("tool_result", 1000.4, "r2", "c2", 50.0, "{\"request_id\":2,\"is_error\":true,\"content_preview\":\"ENOENT\"}"));
        a.accept(event("tool_call", 1000.5, "c3", null, null, "{\"tool_name\":\"read_file\",\"arguments\":{\"path\":\"/a\"},\"request_id\":3}"));
        a.accept(event("tool_call", 1000.6, "c4", null, null, "{\"tool_name\":\"write_file\",\"arguments\":{\"path\":\"file:///b\"},\"request_id\":4}"));
        a.accept(event("session_end", 1001.0, "e", null, null, "{\"exit_code\":3,\"duration_ms\":1000}"));
        SessionSummary s = a.finish(List.of());
        assertEquals(2, s.errorCount());
        assertEquals(2, s.retryCount());
        assertEquals(1, s.retries().size(), "one run of three attempts");
        assertEquals(3, s.retries().get(0).attempts());
        assertEquals(List.of("/b"), s.filesWritten(), "file:// is dropped");
        assertEquals(List.of("/a"), s.filesRead(), "the third read got no answer: listed as asked");
        assertEquals(List.of("/a"), s.filesFailed(), "the two failed reads are kept apart");
        assertEquals(3, s.exitCode());
        assertEquals("ENOENT", s.errors().get(0).message());
        assertEquals("read_file ×3, write_file", s.phases().get(0).label(), "no prompt: the tools it used, most first");
        assertTrue(s.phases().get(0).failed(), "its last answered call failed: the phase ended badly");
    }

    @Test
    void realTokenCountsWinAndTheSessionsModelSetsThePrice() {
        SessionAnalyzer a = new SessionAnalyzer(meta("s"));
        a.accept(event("llm_request", 1000.1, "l1", null, null, "{\"model\":\"claude-opus-4-1\",\"usage\":{\"input_tokens\":90000}}"));
        a.accept(event("llm_response", 1000.2, "l2", "l1", 5.0, "{\"usage\":{\"output_tokens\":20000}}"));
        SessionSummary s = a.finish(List.of());
        assertEquals("trace", s.cost().tokenSource());
        assertEquals("opus", s.cost().pricedAs());
        assertEquals(110_000, s.cost().totalTokens());
        assertEquals(90000 * 15e-6 + 20000 * 75e-6, s.cost().costUsd(), 1e-9);
    }

    @Test
    void aLongSessionStreamsThroughWithBoundedAnswers() {
        SessionAnalyzer a = new SessionAnalyzer(meta("s"));
        for (int i = 0; i < 60_000; i++) {
            a.accept(event("user_prompt", 1000 + i, "p" + i, null, null, "{\"prompt\":\"step " + i + "\"}"));
            a.accept(event("tool_call", 1000 + i + 0.1, "c" + i, null, null,
                    "{\"tool_name\":\"t" + (i % 7) + "\",\"arguments\":{\"path\":\"/f" + i + "\"}}"));
            a.accept(event("error", 1000 + i + 0.2, "e" + i, "c" + i, 1.0 + i % 100, "{\"message\":\"no\"}"));
        }
        SessionSummary s = a.finish(List.of());
        assertEquals(180_000, s.eventCount());
        assertEquals(60_000, s.errorCount());
        assertEquals(SessionAnalyzer.MAX_PHASES, s.phases().size());
        assertEquals(SessionAnalyzer.MAX_ERRORS, s.errors().size());
        assertEquals(SessionAnalyzer.MAX_FILES, s.filesFailed().size(), "every call failed: no file was read");
        assertTrue(s.filesRead().isEmpty());
        assertEquals(SessionAnalyzer.MAX_SEQUENCE, s.callSequence().size());
        assertEquals(7, s.tools().size());
        assertEquals(50.0, s.tools().get(0).p50Ms(), 1.0);
        assertFalse(s.toJson().toString().isEmpty());
    }

    @Test
    void percentilesAreNearestRank() {
        double[] v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertEquals(5.0, Percentiles.nearestRank(v, 50));
        assertEquals(10.0, Percentiles.nearestRank(v, 95));
        assertEquals(1.0, Percentiles.nearestRank(new double[] {1}, 95));
        assertNull(Percentiles.nearestRank(new double[0], 50));
    }
}
