package dev.agenttrace.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.report.session.Mark;
import dev.agenttrace.report.session.Row;
import dev.agenttrace.report.session.SessionReport;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the waterfall is made of, read from stores without a browser. */
class SessionReportTest {
    @Test
    void anErrorWithoutParentIsPairedToItsCallByRequestId() {
        TraceStore store = TraceStore.at(TestSessions.fixtures());
        SessionReport r = SessionReport.read(store, store.resolve("3177"));
        List<Row> rows = r.waterfall().rows();
        assertEquals(2, rows.size());
        Row nope = rows.get(1);
        assertEquals("nope", nope.tool());
        assertTrue(nope.has(Row.FAILED) && !nope.has(Row.OPEN) && !nope.has(Row.IS_ERROR), "a JSON-RPC error, linked by request_id \"req-4\"");
        assertEquals("[-32602] Unknown tool", nope.result());
        assertEquals("héllo wörld", rows.get(0).result());
        assertEquals(55.87, rows.get(0).durationMs(), 0.01);
    }

    @Test
    void aTornLastLineIsAWarningNotAFailure() {
        TraceStore store = TraceStore.at(TestSessions.fixtures());
        SessionReport r = SessionReport.read(store, store.resolve("torn"));
        assertEquals(2, r.waterfall().rows().size());
        assertTrue(!r.warnings().isEmpty(), "the torn line is reported");
    }

    @Test
    void aFirewallBlockMarksItsCallWithTheRule(@TempDir Path dir) throws Exception {
        String id = TestSessions.firewalled(dir);
        SessionReport r = SessionReport.read(TraceStore.at(dir), TraceStore.at(dir).resolve(id));
        Row env = r.waterfall().rows().get(1);
        assertTrue(env.has(Row.BLOCKED) && env.has(Row.IS_ERROR));
        assertEquals("files.read.deny \".env\"", env.rule());
        Mark policy = r.waterfall().marks().stream().filter(m -> m.kind().equals("policy")).findFirst().orElseThrow();
        assertEquals(1, policy.row());
        assertEquals("block", policy.choice());
        Mark alert = r.waterfall().marks().stream().filter(m -> m.kind().equals("alert")).findFirst().orElseThrow();
        assertEquals("retry", alert.rule());
        assertEquals(4, alert.row(), "the third Bash call tripped it");
        assertTrue(r.waterfall().marks().stream().anyMatch(m -> m.kind().equals("error") && m.reason().contains("Unknown tool: nope")),
                "an error no call owns is a mark");
        assertEquals(List.of(0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0), r.waterfall().rows().stream().map(Row::depth).toList(), "Grep and Read inside the Task");
    }

    @Test
    void aSubagentSessionIsNestedUnderItsParent(@TempDir Path dir) throws Exception {
        String parent = TestSessions.firewalled(dir);
        TestSessions.Writer w = new TestSessions.Writer(dir, "c41dc41dc41dc41d", "subagent", 1_795_400_002.05);
        w.meta.parentSessionId = parent;
        w.meta.depth = 1;
        TraceEvent c = w.call(1_795_400_002.2, "Glob", TestSessions.args("pattern", "**/*.py"), 1);
        w.result(c, 1_795_400_002.25, "src/app.py", false);
        TestSessions.finish(dir, w);
        TraceStore store = TraceStore.at(dir);
        SessionMeta meta = store.resolve(parent);
        SessionReport r = SessionReport.read(store, meta);
        assertEquals(List.of("c41dc41dc41dc41d"), r.children().stream().map(m -> m.sessionId).toList());
        Row glob = r.waterfall().rows().stream().filter(x -> x.tool().equals("Glob")).findFirst().orElseThrow();
        assertEquals(1, glob.depth());
        assertEquals(2200, glob.startMs(), 1, "on the parent's time axis");
        assertEquals(12, r.waterfall().rows().size());
    }

    @Test
    void anImportedTranscriptsResultFindsItsCallByToolUseId(@TempDir Path dir) throws Exception {
        TestSessions.Writer w = new TestSessions.Writer(dir, "1a9071ed1a9071ed", "claude-code (import)", 1_795_300_000.0);
        TraceEvent call = w.call(1_795_300_000.5, "Read", TestSessions.args("file_path", "README.md"), "toolu_01abc");
        var d = TestSessions.F.objectNode().put("tool_use_id", "toolu_01abc").put("content_preview", "# agent-trace");
        w.write(dev.agenttrace.store.EventTypes.TOOL_RESULT, 1_795_300_001.0, null, null, d);
        TestSessions.finish(dir, w);
        TraceStore store = TraceStore.at(dir);
        Row r = SessionReport.read(store, store.resolve("1a9071ed")).waterfall().rows().get(0);
        assertEquals("# agent-trace", r.result());
        assertEquals(500, r.durationMs(), 1);
        assertTrue(!r.has(Row.OPEN));
        assertEquals(call.eventId(), r.eventId());
    }
}
