package dev.agenttrace.rules.watch;

import dev.agenttrace.store.SessionMeta;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code agent-trace watch} prints: one status line per session (calls, errors, cost,
 * elapsed time, tripped rules). On a terminal the lines are redrawn in place (at most ten times a
 * second) and other output is printed above them; otherwise a session's line is printed when it
 * changed, at most once a second, plus a line per alert and per session start and end, so a log
 * file stays readable.
 */
public final class StatusBoard implements LiveWatch.Listener {
    private static final String CLEAR_LINE = "\r\033[2K";

    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean inPlace;
    private final int width;
    private int drawn;
    private List<SessionCounters> last = List.of();
    private long lastDraw;
    private final Map<String, String> lastPlain = new HashMap<>();
    private final Map<String, Long> lastPlainAt = new HashMap<>();

    /**
     * @param inPlace redraw the status lines with ANSI escapes (stdout is a terminal)
     * @param width   the terminal's width: redrawn lines are cut to it, since a wrapped line would
     *                throw the redraw off by a row (0: do not cut)
     */
    public StatusBoard(PrintWriter out, PrintWriter err, boolean inPlace, int width) {
        this.out = out;
        this.err = err;
        this.inPlace = inPlace;
        this.width = width;
    }

    /** A status line: {@code 3f2a9c1b7d4e  calls 12  errors 3  cost ~$0.0123  1m02s  tripped: retry}. */
    public static String line(SessionCounters c) {
        StringBuilder b = new StringBuilder();
        String id = c.sessionId().length() > 16 ? c.sessionId().substring(0, 16) : c.sessionId();
        b.append(String.format(Locale.ROOT, "%-16s  calls %d  errors %d  cost %s$%.4f  %s", id, c.toolCalls(), c.errors(),
                c.costEstimated() ? "~" : "", c.costUsd(), elapsed(c.elapsedSeconds())));
        if (c.outstandingCalls() > 0) {
            b.append("  waiting ").append(c.outstandingCalls());
        }
        b.append(c.tripped().isEmpty() ? "  ok" : "  tripped: " + String.join(", ", c.tripped()));
        if (c.blocked() != null) {
            b.append("  BLOCKED");
        }
        if (c.ended()) {
            b.append("  (ended)");
        }
        return b.toString();
    }

    static String elapsed(double seconds) {
        long s = (long) seconds;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    @Override
    public synchronized void started(SessionMeta session, boolean existing) {
        above(out, "watching " + session.sessionId + (session.agentName == null ? "" : " (" + session.agentName + ")")
                + (existing ? "" : ", a new session"));
    }

    @Override
    public synchronized void alert(Alert a, boolean live) {
        if (live && a.has(ActionKind.TERMINAL)) {
            return; // the terminal action prints it (on stderr, through printAbove)
        }
        above(out, (live ? "ALERT " : "ALERT (before the watch started) ") + a.line() + " [session " + a.sessionId() + "]");
    }

    @Override
    public synchronized void status(List<SessionCounters> sessions) {
        last = sessions;
        if (inPlace) {
            long now = System.nanoTime();
            if (now - lastDraw > 100_000_000L) {
                redraw();
            }
            return;
        }
        long now = System.currentTimeMillis();
        for (SessionCounters c : sessions) {
            String l = line(c);
            String before = lastPlain.get(c.sessionId());
            boolean newRules = before == null || !sameTripped(before, l);
            if (l.equals(before) || (!newRules && now - lastPlainAt.getOrDefault(c.sessionId(), 0L) < 1_000)) {
                continue;
            }
            lastPlain.put(c.sessionId(), l);
            lastPlainAt.put(c.sessionId(), now);
            out.println(l);
        }
        out.flush();
    }

    /** The last counters of every session, each line printed unless it is what was printed last (no once-a-second limit). */
    @Override
    public synchronized void finalStatus(List<SessionCounters> sessions) {
        last = sessions;
        if (inPlace) {
            redraw();
            return;
        }
        for (SessionCounters c : sessions) {
            String l = line(c);
            if (!l.equals(lastPlain.get(c.sessionId()))) {
                lastPlain.put(c.sessionId(), l);
                out.println(l);
            }
        }
        out.flush();
    }

    private static boolean sameTripped(String a, String b) {
        int i = a.indexOf("  tripped: ");
        int j = b.indexOf("  tripped: ");
        return (i < 0 ? "" : a.substring(i)).equals(j < 0 ? "" : b.substring(j));
    }

    @Override
    public synchronized void ended(SessionCounters session) {
        above(out, "ended " + line(session));
    }

    @Override
    public synchronized void warning(String message) {
        above(err, "agent-trace watch: " + message);
    }

    /** Prints a line on stderr above the status lines (the terminal action's sink). */
    public synchronized void printAbove(String line) {
        above(err, line);
    }

    private void above(PrintWriter stream, String line) {
        if (inPlace) {
            erase();
            stream.println(line);
            stream.flush();
            redraw();
        } else {
            stream.println(line);
            stream.flush();
        }
    }

    private void erase() {
        if (drawn > 0) {
            out.print("\033[" + drawn + "A");
            for (int i = 0; i < drawn; i++) {
                out.print(CLEAR_LINE + "\n");
            }
            out.print("\033[" + drawn + "A");
            out.flush();
            drawn = 0;
        }
    }

    private void redraw() {
        if (drawn > 0) {
            out.print("\033[" + drawn + "A");
        }
        for (SessionCounters c : last) {
            String l = line(c);
            out.print(CLEAR_LINE + (width > 1 && l.length() >= width ? l.substring(0, width - 2) + "…" : l) + "\n");
        }
        drawn = last.size();
        out.flush();
        lastDraw = System.nanoTime();
    }
}
