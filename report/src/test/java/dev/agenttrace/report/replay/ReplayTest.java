package dev.agenttrace.report.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.report.TestSessions;
import dev.agenttrace.store.EventRead;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Replay against a clock that only counts: the waits are the session's own gaps, divided by the speed. */
class ReplayTest {
    final TraceStore store = TraceStore.at(TestSessions.fixtures());
    final SessionMeta hooks = store.resolve("7f3e");
    final EventRead read = store.readEvents(hooks.sessionId);
    final List<Long> waits = new ArrayList<>();
    final StringWriter text = new StringWriter();

    int play(double speed, int from, double maxGap, boolean status) throws InterruptedException {
        return new Replay(new Replay.Options(speed, from, maxGap, status), TraceEvent::eventType, new PrintWriter(text), waits::add)
                .play(read.events(), hooks.startedAt);
    }

    long total() {
        return waits.stream().mapToLong(Long::longValue).sum();
    }

    @Test
    void playsAtTheSessionsOwnPace() throws InterruptedException {
        assertEquals(14, play(1, 1, 60, false));
        List<TraceEvent> ev = read.events();
        long span = Math.round((ev.get(ev.size() - 1).timestamp() - ev.get(0).timestamp()) * 1000);
        assertEquals(span, total(), 14, "the waits add up to the session's length (within a millisecond per event)");
        assertTrue(text.toString().contains("tool_call"), text.toString());
        assertTrue(text.toString().endsWith("replayed 14 of 14 events at 1x: 5 tool calls, 1 errors\n"), text.toString());
    }

    @Test
    void fasterDividesEveryWait() throws InterruptedException {
        play(1, 1, 60, false);
        long asRecorded = total();
        waits.clear();
        play(10, 1, 60, false);
        assertEquals(asRecorded / 10.0, total(), 14);
    }

    @Test
    void fromSkipsTheEarlierEventsWithoutWaiting() throws InterruptedException {
        assertEquals(3, play(1, 12, 60, false));
        List<TraceEvent> ev = read.events();
        long tail = Math.round((ev.get(13).timestamp() - ev.get(11).timestamp()) * 1000);
        assertEquals(tail, total(), 2);
        assertThrows(IllegalArgumentException.class, () -> play(1, 15, 60, false));
        assertThrows(IllegalArgumentException.class, () -> new Replay.Options(0, 1, 5, false));
    }

    @Test
    void aLongPauseIsCutShortAndSaidSo() throws InterruptedException {
        play(1, 1, 0.1, false);
        assertTrue(waits.stream().allMatch(w -> w <= 100), waits.toString());
        assertTrue(text.toString().contains("idle, skipped to 0.1s"), text.toString());
    }

    @Test
    void theStatusLineSaysWhereThePlaybackIs() throws InterruptedException {
        play(1000, 1, 60, true);
        assertTrue(text.toString().contains("▶ event 3/14"), text.toString());
        assertTrue(text.toString().contains("calls 1  errors 0"), text.toString());
    }
}
