package dev.agenttrace.rules.watch;

import static dev.agenttrace.rules.watch.Events.feed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.TraceEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The breaker a {@code block} rule opens: cool-down, one test call (half-open), closed or open again, resume. */
class BreakerTest {
    private final Events ev = new Events();

    /** What the proxy records when it refuses a call of a blocked session. */
    private TraceEvent refused(SessionWatch w, TraceEvent call) {
        ObjectNode d = Events.json("{\"kind\": \"watch_block\", \"choice\": \"block\"}");
        d.put("rule", w.blocked().rule());
        return ev.event(EventTypes.DECISION, call.eventId(), d);
    }

    /** Trips the retry rule (max 1) on write_file: the third failing call is refused. */
    private TraceEvent storm(SessionWatch w) {
        for (int i = 0; i < 2; i++) {
            TraceEvent c = ev.call("write_file", "{\"path\": \"/etc/x\"}");
            feed(w, c, ev.error(c, -32000, "EACCES: permission denied"));
        }
        TraceEvent c3 = ev.call("write_file", "{\"path\": \"/etc/x\"}");
        assertEquals(1, w.observe(c3).size());
        assertNotNull(w.blocked(), "the tripping call is refused");
        w.observe(refused(w, c3));
        return c3;
    }

    private static List<String> choices(SessionWatch w) {
        List<String> out = new ArrayList<>();
        for (TraceEvent e : w.drainBreakerEvents()) {
            assertEquals(AlertEvents.BREAKER_KIND, e.data().path("kind").asText());
            out.add(e.data().path("choice").asText());
        }
        return out;
    }

    @Test
    void aFailedTestCallDoublesTheCoolDownAndASuccessfulOneClosesTheBreaker() {
        SessionWatch w = ev.watch("{\"watchers\": {\"retry\": {\"max\": 1, \"alert\": \"block\", \"cooldown_seconds\": 30}}}");
        storm(w);
        assertTrue(w.blocked().blockedMessage("write_file").contains("blocked for 30 s"), w.blocked().blockedMessage("write_file"));

        ev.advance(20);
        TraceEvent early = ev.call("read_file", "{\"path\": \"a\"}");
        w.observe(early);
        assertNotNull(w.blocked(), "20 s into a 30 s cool-down: still refused");
        w.observe(refused(w, early));

        ev.advance(11);
        TraceEvent probe = ev.call("write_file", "{\"path\": \"/etc/x\"}");
        w.observe(probe);
        assertNull(w.blocked(), "after the cool-down one call is let through");
        TraceEvent other = ev.call("read_file", "{\"path\": \"b\"}");
        w.observe(other);
        assertNotNull(w.blocked(), "while it runs, any other call is refused");
        w.observe(refused(w, other));
        w.observe(ev.error(probe, -32000, "EACCES: permission denied"));
        assertNotNull(w.blocked(), "the test call failed: open again");
        assertEquals(List.of("half_open", "open"), choices(w));

        ev.advance(40);
        TraceEvent tooSoon = ev.call("write_file", "{\"path\": \"/etc/x\"}");
        w.observe(tooSoon);
        assertNotNull(w.blocked(), "the second wait is 60 s, not 30");
        w.observe(refused(w, tooSoon));

        ev.advance(21);
        TraceEvent probe2 = ev.call("write_file", "{\"path\": \"/tmp/x\"}");
        w.observe(probe2);
        assertNull(w.blocked());
        w.observe(ev.ok(probe2, "wrote /tmp/x"));
        assertNull(w.blocked(), "the test call succeeded: closed");
        assertFalse(w.breakerOpen());
        TraceEvent after = ev.call("read_file", "{\"path\": \"c\"}");
        w.observe(after);
        assertNull(w.blocked(), "calls flow again");
        w.observe(ev.ok(after, "c"));
        assertEquals(List.of("half_open", "closed"), choices(w));

        // the rule was re-armed: the next retry of the failing call opens the breaker again
        List<Alert> again = w.observe(ev.call("write_file", "{\"path\": \"/etc/x\"}"));
        assertEquals(List.of("retry"), again.stream().map(Alert::rule).toList());
        assertNotNull(w.blocked());
    }

    @Test
    void aBudgetRuleHoldsUntilResumeAndResumeIsRecorded() {
        SessionWatch w = ev.watch("{\"rules\": [{\"name\": \"ten calls\", \"condition\": \"tool_calls > 3\", \"action\": \"block\"}]}");
        for (int i = 0; i < 4; i++) {
            TraceEvent c = ev.call("read_file", "{\"path\": \"f" + i + "\"}");
            w.observe(c);
            if (w.blocked() == null) {
                w.observe(ev.ok(c, "x"));
            } else {
                w.observe(refused(w, c));
            }
        }
        assertNotNull(w.blocked());
        assertTrue(w.blocked().blockedMessage("read_file").contains("agent-trace resume " + ev.session), w.blocked().blockedMessage("read_file"));
        ev.advance(86_400);
        TraceEvent late = ev.call("read_file", "{\"path\": \"g\"}");
        w.observe(late);
        assertNotNull(w.blocked(), "a budget has no cool-down: a day later it still holds");
        w.observe(refused(w, late));
        assertTrue(choices(w).isEmpty());

        TraceEvent closed = w.unblock();
        assertNotNull(closed);
        assertEquals("closed", closed.data().path("choice").asText());
        assertEquals("resume", closed.data().path("by").asText());
        assertNull(w.blocked());
        assertNull(w.unblock(), "closing a closed breaker records nothing");

        // a replay of the trace (lint, a restarted serve) agrees with the live session
        SessionWatch replay = ev.watch("{\"rules\": [{\"name\": \"ten calls\", \"condition\": \"tool_calls > 3\", \"action\": \"block\"}]}");
        Events again = new Events();
        List<TraceEvent> trace = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            TraceEvent c = again.call("read_file", "{\"path\": \"f" + i + "\"}");
            trace.add(c);
            trace.add(i < 3 ? again.ok(c, "x") : again.event(EventTypes.DECISION, c.eventId(),
                    Events.json("{\"kind\": \"watch_block\", \"choice\": \"block\", \"rule\": \"ten calls\"}")));
        }
        trace.add(again.event(EventTypes.DECISION, null, (ObjectNode) closed.data()));
        for (TraceEvent e : trace) {
            replay.observe(e);
        }
        assertNull(replay.blocked(), "the recorded resume closes the replayed breaker too");
    }

    @Test
    void coolDownIsConfiguredPerRuleAndCheckedStrictly() throws Exception {
        WatchConfig c = Events.config("{\"watchers\": {\"retry\": {\"alert\": \"block\"}, \"loop\": {\"alert\": \"block\", \"cooldown_seconds\": false},"
                + " \"cost\": {\"alert\": \"block\", \"cooldown_seconds\": 120}}}");
        for (RuleSpec r : c.rules()) {
            switch (r.name()) {
                case "retry" -> assertEquals(RuleSpec.DEFAULT_COOLDOWN_SECONDS, r.cooldownSeconds());
                case "loop" -> assertTrue(Double.isNaN(r.cooldownSeconds()));
                case "cost" -> assertEquals(120, r.cooldownSeconds());
                default -> { }
            }
        }
        WatchConfigException e = assertThrows(WatchConfigException.class, () -> WatchConfigParser.parse(
                "{\"watchers\": {\"retry\": {\"cooldown_seconds\": \"60\"}}}", ".agent-watch.json", Path.of(".")));
        assertTrue(e.getMessage().contains("cooldown_seconds") && e.getMessage().contains("without quotes"), e.getMessage());
        e = assertThrows(WatchConfigException.class, () -> WatchConfigParser.parse(
                "{\"watchers\": {\"retry\": {\"cooldown_seconds\": true}}}", ".agent-watch.json", Path.of(".")));
        assertTrue(e.getMessage().contains("false for a breaker only"), e.getMessage());
    }

    @Test
    void resumeFromAnotherProcessTakesTheMarkerAwayAndTheNextTickClosesTheBreaker(@TempDir Path dir) throws Exception {
        SessionWatch w = ev.watch("{\"watchers\": {\"retry\": {\"max\": 1, \"alert\": \"block\", \"cooldown_seconds\": false}}}");
        List<TraceEvent> recorded = new CopyOnWriteArrayList<>();
        try (AlertActions actions = AlertActions.builder().traceDir(dir).terminal(s -> { }).build()) {
            WatchedSession ws = new WatchedSession(new SessionTarget(w, dir, 0, recorded::add, true), actions);
            for (int i = 0; i < 2; i++) {
                TraceEvent c = ev.call("write_file", "{\"path\": \"/etc/x\"}");
                ws.observe(c);
                ws.observe(ev.error(c, -32000, "EACCES"));
            }
            ws.observe(ev.call("write_file", "{\"path\": \"/etc/x\"}"));
            assertNotNull(ws.blocked());
            assertTrue(ws.awaitActions(Duration.ofSeconds(30)));
            Path marker = dir.resolve(AlertActions.BLOCKED_MARKER);
            assertEquals(Long.toString(ProcessHandle.current().pid()), Files.readString(marker), "the marker names the recorder");

            ws.tick(ev.advance(1).now());
            assertNotNull(ws.blocked(), "the marker is up: still blocked");
            Files.delete(marker); // what agent-trace resume does
            ws.tick(ev.advance(1).now());
            assertNull(ws.blocked());
            assertTrue(ws.awaitActions(Duration.ofSeconds(30)));
            TraceEvent last = recorded.get(recorded.size() - 1);
            assertEquals("closed", last.data().path("choice").asText());
            assertEquals("resume", last.data().path("by").asText());
            assertFalse(Files.exists(marker));
        }
    }
}
