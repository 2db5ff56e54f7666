package dev.agenttrace.rules.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusBoardTest {
    private static SessionCounters counters(long calls, List<String> tripped, boolean ended) {
        return new SessionCounters("3f2a9c1b7d4e5f60", calls, 1, 0.01234, true, 3000, "sonnet", 62, 0, 0, 0, ended, tripped, null);
    }

    @Test
    void aStatusLineShowsCallsErrorsCostElapsedAndTrippedRules() {
        assertEquals("3f2a9c1b7d4e5f60  calls 12  errors 1  cost ~$0.0123  1m02s  tripped: retry, loop  (ended)",
                StatusBoard.line(counters(12, List.of("retry", "loop"), true)));
        assertEquals("3f2a9c1b7d4e5f60  calls 3  errors 1  cost ~$0.0123  1m02s  ok", StatusBoard.line(counters(3, List.of(), false)));
    }

    @Test
    void plainOutputPrintsALineOnlyWhenSomethingChanged() {
        StringWriter out = new StringWriter();
        StatusBoard b = new StatusBoard(new PrintWriter(out), new PrintWriter(new StringWriter()), false, 0);
        b.status(List.of(counters(1, List.of(), false)));
        b.status(List.of(counters(1, List.of(), false)));
        b.status(List.of(counters(2, List.of(), false)));
        b.status(List.of(counters(3, List.of("retry"), false)));
        List<String> lines = out.toString().lines().toList();
        assertEquals(2, lines.size(), "unchanged: nothing; changed within a second: held back; a new tripped rule: at once\n" + out);
        assertTrue(lines.get(1).endsWith("tripped: retry"), lines.get(1));
        assertFalse(out.toString().contains("\033"), "no escapes when stdout is not a terminal");
    }

    @Test
    void theFinalStatusShowsTheLastCountsEvenWithinTheSecondThatHeldThemBack() {
        StringWriter out = new StringWriter();
        StatusBoard b = new StatusBoard(new PrintWriter(out), new PrintWriter(new StringWriter()), false, 0);
        b.status(List.of(counters(1, List.of(), false)));
        b.status(List.of(counters(3, List.of(), false))); // held back: within a second of the last line
        b.finalStatus(List.of(counters(3, List.of(), false)));
        b.finalStatus(List.of(counters(3, List.of(), false)));
        List<String> lines = out.toString().lines().toList();
        assertEquals(2, lines.size(), out.toString());
        assertTrue(lines.get(1).contains("calls 3"), "a watch stopped at once still says where the session got to: " + out);
    }

    @Test
    void onATerminalTheLinesAreRedrawnInPlaceAndCutToTheWidth() {
        StringWriter out = new StringWriter();
        StatusBoard b = new StatusBoard(new PrintWriter(out), new PrintWriter(new StringWriter()), true, 40);
        b.status(List.of(counters(1, List.of(), false)));
        b.printAbove("agent-trace watch: [warning] retry: ...");
        String s = out.toString();
        assertTrue(s.startsWith("\r\033[2K3f2a9c1b7d4e5f60  calls 1  errors 1  c…\n"), s);
        assertTrue(s.contains("\033[1A"), "moved up to redraw: " + s);
    }
}
