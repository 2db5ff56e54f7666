package dev.agenttrace.rules.watch;

import static dev.agenttrace.rules.watch.Events.feed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.TraceEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cost, budget, tokens, context, duration, files modified and failing test runs: one threshold watcher. */
class ThresholdWatchersTest {
    private final Events ev = new Events();

    @Test
    void costIsEstimatedFromPayloadSizeAtFourCharactersAToken() {
        SessionWatch w = ev.watch("{\"watchers\": {\"cost\": {\"max_dollars\": 0.02}}}");
        String big = "x".repeat(40_000); // ~10k tokens the model reads (input) at $3/M = $0.03
        TraceEvent c = ev.call("read_file", "{\"path\": \"big\"}");
        List<Alert> alerts = feed(w, c, ev.ok(c, big));
        List<String> rules = alerts.stream().map(Alert::rule).toList();
        assertEquals(List.of("cost", "budget"), rules, "over the limit: both the cost rule and its 90% warning");
        Alert cost = alerts.get(0);
        assertTrue(cost.message().startsWith("cost_usd > 0.02: now $0.03"), cost.message());
        assertTrue(cost.message().contains("estimated from payload size, priced as sonnet"), cost.message());
        SessionCounters k = w.counters(ev.now());
        assertTrue(k.costEstimated());
        assertEquals(10_000, k.totalTokens(), 60);
    }

    @Test
    void budgetProximityWarnsBeforeTheLimit() {
        SessionWatch w = ev.watch("{\"watchers\": {\"cost\": {\"max_dollars\": 1.0, \"alert\": \"kill\"}}}");
        TraceEvent r = ev.event(EventTypes.LLM_RESPONSE, "{\"model\": \"claude-sonnet-4-5\", \"usage\": {\"input_tokens\": 1000, \"output_tokens\": 61000}}");
        List<Alert> alerts = w.observe(r);
        assertEquals(1, alerts.size(), "$0.918: 92% of the budget");
        assertEquals("budget", alerts.get(0).rule());
        assertEquals(Severity.WARNING, alerts.get(0).severity());
        assertFalse(alerts.get(0).has(ActionKind.KILL), "the early warning never kills");
    }

    @Test
    void realTokenCountsWinOverTheEstimateAndTheModelSetsThePrice() {
        SessionWatch w = ev.watch("{\"watchers\": {\"tokens\": {\"max\": 100000}, \"cost\": {\"max_dollars\": 100}}}");
        w.observe(ev.event(EventTypes.SESSION_START, "{\"model\": \"claude-opus-4-1\"}"));
        List<Alert> alerts = w.observe(ev.event(EventTypes.LLM_RESPONSE, "{\"usage\": {\"input_tokens\": 90000, \"output_tokens\": 20000}}"));
        assertEquals("tokens", alerts.get(0).rule());
        SessionCounters k = w.counters(ev.now());
        assertFalse(k.costEstimated());
        assertEquals("opus", k.model());
        assertEquals(90000 * 15e-6 + 20000 * 75e-6, k.costUsd(), 1e-9);
    }

    @Test
    void contextPercentUsesTheLatestRequestNotTheSum() {
        SessionWatch w = ev.watch("{\"max_context_pct\": 90}");
        for (int i = 0; i < 5; i++) {
            assertTrue(w.observe(ev.event(EventTypes.LLM_REQUEST, "{\"model\": \"gpt-4o\", \"input_tokens\": 100000}")).isEmpty(),
                    "78% of 128k each time; agent-strace summed them and cried wolf");
        }
        List<Alert> alerts = w.observe(ev.event(EventTypes.LLM_REQUEST, "{\"model\": \"gpt-4o\", \"input_tokens\": 120000}"));
        assertEquals("context", alerts.get(0).rule());
    }

    @Test
    void durationTripsOnTheClockEvenWithoutEvents() {
        SessionWatch w = new SessionWatch(Events.config("{\"watchers\": {\"duration\": {\"max_minutes\": 1}}}"),
                SessionContext.here(ev.session, ev.now()));
        assertTrue(w.observe(ev.call("a", "{}")).isEmpty());
        assertTrue(w.tick(ev.now() + 59).isEmpty());
        List<Alert> alerts = w.tick(ev.now() + 61);
        assertEquals(1, alerts.size());
        assertTrue(alerts.get(0).message().startsWith("duration_minutes > 1: now 1.0 min"), alerts.get(0).message());
        assertTrue(alerts.get(0).event() == null);
    }

    @Test
    void filesModifiedCountsDistinctWrittenPaths() {
        SessionWatch w = ev.watch("{\"watchers\": {\"files_modified\": {\"max\": 2}}}");
        assertTrue(feed(w, ev.call("Write", "{\"file_path\": \"src/a.py\"}"), ev.call("Edit", "{\"file_path\": \"./src/a.py\"}"),
                ev.call("Read", "{\"file_path\": \"src/c.py\"}"), ev.call("write_file", "{\"path\": \"src/b.py\"}")).isEmpty());
        List<Alert> alerts = feed(w, ev.call("create_note", "{\"path\": \"notes.md\"}"));
        assertEquals(1, alerts.size(), "a tool outside the table that looks like a write counts too");
        assertTrue(alerts.get(0).message().contains("now 3 files"), alerts.get(0).message());
    }

    @Test
    void consecutiveTestFailuresCountOnlyTestRunsAndResetOnAPass() {
        SessionWatch w = ev.watch("{\"watchers\": {\"test_failures\": {\"consecutive\": 3}}}");
        TraceEvent t1 = ev.call("Bash", "{\"command\": \"uv run pytest -q\"}");
        TraceEvent t2 = ev.call("Bash", "{\"command\": \"npm test\"}");
        TraceEvent t3 = ev.call("Bash", "{\"command\": \"go test ./...\"}");
        TraceEvent other = ev.call("Bash", "{\"command\": \"grep -r error src\"}");
        assertTrue(feed(w, t1, ev.ok(t1, "2 failed, 10 passed"), other, ev.ok(other, "error: x"), t2, ev.ok(t2, "Tests: 12 passed")).isEmpty());
        TraceEvent t4 = ev.call("Bash", "{\"command\": \"pytest\"}");
        TraceEvent t5 = ev.call("run_tests", "{}");
        assertTrue(feed(w, t3, ev.failed(t3, "FAIL pkg 0.1s"), t4, ev.ok(t4, "AssertionError: x != y")).isEmpty());
        List<Alert> alerts = feed(w, t5, ev.ok(t5, "1 failed"));
        assertEquals(1, alerts.size());
        assertTrue(alerts.get(0).message().contains("now 3 failed test runs in a row"), alerts.get(0).message());
    }

    @Test
    void rulesFileMetricsTripOnceWhenTheConditionHolds() {
        SessionWatch w = ev.watch("{\"rules\": [{\"name\": \"busy\", \"condition\": \"tool_calls >= 3\", \"action\": \"file\"}]}");
        assertTrue(feed(w, ev.call("a", "{}"), ev.call("b", "{}")).isEmpty());
        List<Alert> alerts = feed(w, ev.call("c", "{}"), ev.call("d", "{}"));
        assertEquals(1, alerts.size());
        assertEquals("busy", alerts.get(0).rule());
        assertEquals("rule", alerts.get(0).kind());
    }
}
