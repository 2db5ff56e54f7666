package dev.agenttrace.report.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.report.TestSessions;
import dev.agenttrace.report.dashboard.DriftReport.Change;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drift over generated stores whose answers are known, and over the agent-strace fixtures. */
class DriftTest {
    static final double T0 = 1_795_000_000.0;

    /**
     * A steady run of the agent: {@code files} files read, then one Bash call; with {@code retries}
     * extra identical Bash calls, {@code blocked} firewall blocks and {@code extraTool} called once.
     */
    static String run(Path store, int i, String agent, int files, int retries, int blocked, String extraTool) throws IOException {
        String id = String.format(Locale.ROOT, "d0d0d0d0%08d", i);
        double t = T0 + i * 3600.0;
        TestSessions.Writer w = new TestSessions.Writer(store, id, agent, t);
        w.write(EventTypes.SESSION_START, t, null, null, w.data());
        w.write(EventTypes.USER_PROMPT, t + 0.1, null, null, w.data().put("prompt", "fix the build"));
        double at = t + 0.2;
        for (int f = 0; f < files; f++) {
            TraceEvent c = w.call(at, "Read", TestSessions.args("file_path", "src/f" + f + ".java"), null);
            w.result(c, at + 0.01, "ok", false);
            at += 0.1;
        }
        for (int r = 0; r <= retries; r++) {
            TraceEvent c = w.call(at, "Bash", TestSessions.args("command", "mvn test"), null);
            w.result(c, at + 0.5, r < retries ? "1 failed" : "ok", r < retries);
            at += 1;
        }
        for (int b = 0; b < blocked; b++) {
            TraceEvent c = w.call(at, "Bash", TestSessions.args("command", "curl evil.example/" + b), null);
            w.blocked(c, at + 0.001, "commands.deny \"curl\"", "denied");
            at += 0.1;
        }
        if (extraTool != null) {
            TraceEvent c = w.call(at, extraTool, TestSessions.args("url", "https://example.com"), null);
            w.result(c, at + 0.2, "ok", false);
        }
        TestSessions.finish(store, w);
        return id;
    }

    @Test
    void aSessionWhoseFilesTouchedJumpsIsNamedAndSteadySessionsAreNot(@TempDir Path store) throws IOException {
        for (int i = 0; i < 8; i++) {
            run(store, i, "nightly", i == 6 ? 40 : 8 + i % 2, 0, 0, null);
        }
        DriftReport r = Drift.read(TraceStore.at(store), 30, null, 5, 2.0);
        assertEquals(8, r.sessions().size());
        assertEquals("d0d0d0d000000000", r.sessions().get(0).trend().sessionId(), "oldest first");
        assertNull(r.sessions().get(2).baseline(), "three earlier sessions make a baseline, two do not");
        assertEquals(8.5, r.sessions().get(4).baseline().get(Drift.Metric.FILES_TOUCHED), 1e-9, "median of 8, 9, 8, 9");
        assertEquals(1, r.changes().size(), r.toJson().toPrettyString());
        Change c = r.changes().get(0);
        assertEquals("d0d0d0d000000006", c.trend().sessionId());
        assertEquals("files_touched", c.metric());
        assertEquals("up", c.direction());
        assertEquals(40, c.value(), 1e-9);
        assertEquals(9, c.baseline(), 1e-9, "the median of the five sessions before it: 9, 8, 9, 8, 9");
    }

    @Test
    void retriesBlocksAndToolsThatAppearOrVanishAreNamedWithValueAndBaseline(@TempDir Path store) throws IOException {
        for (int i = 0; i < 5; i++) {
            run(store, i, "fixer", 3, 0, 0, "WebFetch");
        }
        run(store, 5, "fixer", 3, 3, 2, null); // 3 retries in its one task, 2 blocked calls, no WebFetch
        run(store, 6, "other-agent", 50, 0, 0, null); // another agent: no baseline of its own yet
        DriftReport r = Drift.read(TraceStore.at(store), 30, null, 5, 2.0);
        List<String> found = r.changes().stream()
                .map(c -> c.trend().sessionId().substring(14) + " " + c.metric() + " " + c.direction() + (c.tool() == null ? " " + c.value() + "/" + c.baseline() : " " + c.tool()))
                .toList();
        assertEquals(List.of("05 retries_per_task up 3.0/0.0", "05 blocked up 2.0/0.0", "05 errors up 3.0/0.0", "05 tools vanished WebFetch"), found,
                "three failed attempts are at the errors floor of 3; the other agent has no baseline yet: " + r.toJson().toPrettyString());
    }

    @Test
    void theNumbersAreTheDashboardsOwn(@TempDir Path store) throws IOException {
        TestSessions.runs(store, 12);
        List<SessionTrend> dashboard = Trends.read(TraceStore.at(store), 6, null, 4);
        DriftReport r = Drift.read(TraceStore.at(store), 6, null, 4, 2.0);
        assertEquals(dashboard, r.sessions().stream().map(DriftReport.Row::trend).toList(), "the same sessions, the same numbers");
    }

    @Test
    void theAgentStraceFixturesReadWithoutABaselineAndNothingChanged(@TempDir Path store) throws IOException {
        TestSessions.copyFixtures(store);
        DriftReport r = Drift.read(TraceStore.at(store), 30, null, 5, 2.0);
        assertEquals(5, r.sessions().size(), "every fixture session, the torn one too");
        SessionTrend hooks = r.sessions().stream().map(DriftReport.Row::trend).filter(t -> t.sessionId().equals("7f3e9a10-hooks-s")).findFirst().orElseThrow();
        assertEquals(1, hooks.retries(), "the failing Bash retried once");
        assertTrue(hooks.tools().containsAll(List.of("Bash", "Edit", "Read")), hooks.tools().toString());
        assertTrue(hooks.filesTouched() >= 2, "src/auth.py, .env: " + hooks.filesTouched());
        assertEquals(List.of(), r.changes());
        assertThrows(IllegalArgumentException.class, () -> Drift.compute(List.of(), 0, 2.0, 1));
    }
}
