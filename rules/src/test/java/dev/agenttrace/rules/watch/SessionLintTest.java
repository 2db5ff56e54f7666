package dev.agenttrace.rules.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.store.EventRead;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionLintTest {
    static final Path FIXTURES = TestFixtures.agentStraceStore();

    private final Events ev = new Events();

    private static SessionMeta meta(String id) {
        SessionMeta m = new SessionMeta();
        m.sessionId = id;
        return m;
    }

    private SessionLint.Report lint(List<TraceEvent> events) {
        return SessionLint.lint(meta(ev.session), new EventRead(events, List.of()), WatchConfig.defaults(), null, Map.of());
    }

    @Test
    void aRetryStormIsCritical() {
        List<TraceEvent> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            TraceEvent c = ev.call("read_file", "{\"path\": \"gone.txt\"}");
            events.add(c);
            events.add(ev.error(c, -32000, "ENOENT"));
        }
        SessionLint.Report r = lint(events);
        assertEquals(Severity.CRITICAL, r.worst());
        assertEquals("retry", r.findings().get(0).rule());
        assertEquals(events.get(8).eventId(), r.findings().get(0).eventId(), "found at the 4th retry");
    }

    @Test
    void aSilentFailureIsAWarning() {
        TraceEvent w = ev.call("write_file", "{\"path\": \"a\"}");
        SessionLint.Report r = lint(List.of(w, ev.error(w, 1, "EROFS"), ev.call("git_push", "{}")));
        assertEquals(Severity.WARNING, r.worst());
        assertEquals("silent_failure", r.findings().get(0).rule());
    }

    @Test
    void aLoopIsAWarning() {
        List<TraceEvent> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            for (String t : List.of("search", "open", "close")) {
                TraceEvent c = ev.call(t, "{}");
                events.add(c);
                events.add(ev.ok(c, "same"));
            }
        }
        SessionLint.Report r = lint(events);
        assertEquals(1, r.findings().size(), r.findings().toString());
        assertEquals("loop", r.findings().get(0).rule());
        assertEquals(Severity.WARNING, r.worst());
    }

    @Test
    void budgetProximityFromTheSessionsOwnBudgetOrTheCommandLine() {
        String big = "y".repeat(4_000);
        List<TraceEvent> events = new ArrayList<>();
        events.add(ev.event(EventTypes.SESSION_START, "{\"budget_dollars\": 0.0035}"));
        TraceEvent c = ev.call("read_file", "{\"path\": \"big\"}");
        events.add(c);
        events.add(ev.ok(c, big)); // ~1,000 tokens the model reads (input) at $3/M, with the call: $0.0033, 94% of the budget
        SessionLint.Report r = lint(events);
        assertEquals(1, r.findings().size(), r.findings().toString());
        assertEquals("budget", r.findings().get(0).rule());
        assertEquals(Severity.WARNING, r.worst());
        SessionLint.Report over = SessionLint.lint(meta(ev.session), new EventRead(events, List.of()), WatchConfig.defaults(), 0.002, Map.of());
        assertEquals(Severity.CRITICAL, over.worst(), over.findings().toString());
    }

    @Test
    void aCycleThroughParentSessionIdIsCritical() {
        SessionMeta a = meta("aaaa");
        SessionMeta b = meta("bbbb");
        SessionMeta c = meta("cccc");
        a.parentSessionId = "cccc";
        b.parentSessionId = "aaaa";
        c.parentSessionId = "bbbb";
        Map<String, SessionMeta> all = Map.of("aaaa", a, "bbbb", b, "cccc", c);
        List<SessionLint.Finding> f = SessionLint.delegation(b, all);
        assertEquals(1, f.size());
        assertEquals(Severity.CRITICAL, f.get(0).severity());
        assertTrue(f.get(0).message().contains("bbbb → aaaa → cccc → bbbb"), f.get(0).message());
    }

    @Test
    void anAgentDelegatingToItselfIsAWarningAndAPlainChainIsFine() {
        Map<String, SessionMeta> all = new HashMap<>();
        String parent = null;
        for (int i = 0; i < 5; i++) {
            SessionMeta m = meta("s" + i);
            m.agentName = "planner";
            m.command = "claude";
            m.parentSessionId = parent;
            all.put(m.sessionId, m);
            parent = m.sessionId;
        }
        List<SessionLint.Finding> deep = SessionLint.delegation(all.get("s4"), all);
        assertEquals(Severity.WARNING, deep.get(0).severity());
        assertTrue(deep.get(0).message().contains("delegated to itself 4 levels deep"), deep.get(0).message());
        assertTrue(SessionLint.delegation(all.get("s2"), all).isEmpty(), "two levels is normal delegation");
    }

    @Test
    void theAgentStraceFixturesLintCleanOrWithReadWarnings(@TempDir Path store) throws IOException {
        try (Stream<Path> all = Files.walk(FIXTURES)) {
            for (Path p : all.toList()) {
                Path target = store.resolve(FIXTURES.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        TraceStore s = TraceStore.at(store);
        Map<String, SessionMeta> byId = new HashMap<>();
        s.listSessions().forEach(m -> byId.put(m.sessionId, m));
        assertEquals(5, byId.size());
        for (SessionMeta m : byId.values()) {
            SessionLint.Report r = SessionLint.lint(m, s.readEvents(m.sessionId), WatchConfig.defaults(), null, byId);
            assertNull(r.worst(), m.sessionId + ": " + r.findings());
            if (m.sessionId.startsWith("torn")) {
                assertEquals(1, r.warnings().size(), r.warnings().toString());
            }
        }
        SessionLint.Report hooks = SessionLint.lint(byId.get("7f3e9a10-hooks-s"), s.readEvents("7f3e9a10-hooks-s"),
                WatchConfig.defaults(), null, byId);
        assertEquals(5, hooks.counters().toolCalls());
        assertEquals(1, hooks.counters().errors());
    }
}
