package dev.agenttrace.rules.watch;

import static dev.agenttrace.rules.watch.Events.feed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.store.TraceEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoopWatcherTest {
    private final Events ev = new Events();

    private List<Alert> calls(SessionWatch w, String... tools) {
        List<Alert> out = new ArrayList<>();
        for (String t : tools) {
            TraceEvent c = ev.call(t, "{\"q\": 1}");
            out.addAll(feed(w, c, ev.ok(c, "same answer")));
        }
        return out;
    }

    @Test
    void tripsOnASequenceRepeatedMaxRepeatsTimesInARow() {
        SessionWatch w = ev.watch("{\"watchers\": {\"loop\": {\"sequence_length\": 3, \"max_repeats\": 3}}}");
        assertTrue(calls(w, "A", "B", "C", "A", "B", "C", "A", "B").isEmpty());
        List<Alert> alerts = calls(w, "C");
        assertEquals(1, alerts.size());
        assertEquals("the sequence A → B → C repeated 3 times in a row", alerts.get(0).message());
        assertTrue(calls(w, "A", "B", "C", "A").isEmpty(), "the same loop, seen from another call of the cycle, is not reported again");
    }

    @Test
    void findsShorterCyclesToo() {
        SessionWatch w = ev.watch("{\"watchers\": {\"loop\": {\"sequence_length\": 3, \"max_repeats\": 3}}}");
        List<Alert> alerts = calls(w, "read", "edit", "read", "edit", "read", "edit");
        assertEquals(1, alerts.size());
        assertTrue(alerts.get(0).message().contains("read → edit"), alerts.get(0).message());
    }

    @Test
    void aBrokenPatternOrDifferentArgumentsIsNotALoop() {
        SessionWatch w = ev.watch("{\"watchers\": {\"loop\": {\"sequence_length\": 3, \"max_repeats\": 3}}}");
        assertTrue(calls(w, "A", "B", "C", "A", "B", "C", "A", "C", "B", "A", "B", "D").isEmpty());
        for (int i = 0; i < 9; i++) {
            TraceEvent c = ev.call("read_file", "{\"path\": \"f" + (i % 3 == 0 ? i : 0) + "\"}");
            assertTrue(w.observe(c).isEmpty());
        }
    }

    @Test
    void theSameCallWithinAWindowTripsWhenConfigured() {
        SessionWatch w = ev.watch("{\"watchers\": {\"loop\": {\"window\": 5, \"max_same_calls\": 3}}}");
        assertTrue(calls(w, "X", "Y", "X", "Z", "W", "V").isEmpty(), "X twice in a window of 5");
        List<Alert> alerts = calls(w, "X", "Q", "X", "R", "X");
        assertEquals(1, alerts.size(), alerts.toString());
        assertTrue(alerts.get(0).message().contains("3 times within the last 5 calls"), alerts.get(0).message());
    }

    @Test
    void theSameCallWindowIsOffUnlessConfigured() {
        SessionWatch w = ev.watch("{\"watchers\": {\"loop\": {}}}");
        assertTrue(calls(w, "X", "Y", "X", "Z", "X", "W", "X").isEmpty());
    }
}
