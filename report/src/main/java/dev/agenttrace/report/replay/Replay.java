package dev.agenttrace.report.replay;

import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.analysis.EventFacts;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A recorded session played back in the terminal at its own pace, or {@code speed} times faster:
 * each event printed when its time comes, and on a terminal a status line under them (event n of
 * m, session time, calls, errors). A pause longer than {@code maxGapSeconds} is cut short and
 * said so: nobody waits an hour for an agent that waited an hour.
 */
public final class Replay {
    /**
     * @param speed         1 = as recorded, 10 = ten times faster; must be positive
     * @param from          the first event to play (1-based); the ones before are skipped at once
     * @param maxGapSeconds the longest wait between two events, in session time
     * @param statusLine    redraw a status line (a terminal); off for pipes and files
     */
    public record Options(double speed, int from, double maxGapSeconds, boolean statusLine) {
        public Options {
            if (!(speed > 0) || Double.isInfinite(speed)) {
                throw new IllegalArgumentException("--speed " + speed + ": give a positive factor (1 = as recorded, 10 = ten times faster)");
            }
            if (from < 1) {
                throw new IllegalArgumentException("--from " + from + ": events are numbered from 1");
            }
        }
    }

    private final Options options;
    private final Function<TraceEvent, String> describe;
    private final PrintWriter out;
    private final Pacer pacer;

    public Replay(Options options, Function<TraceEvent, String> describe, PrintWriter out, Pacer pacer) {
        this.options = options;
        this.describe = describe;
        this.out = out;
        this.pacer = pacer;
    }

    /** Plays the events; returns how many were printed. */
    public int play(List<TraceEvent> events, double originSeconds) throws InterruptedException {
        int n = events.size();
        if (options.from() > n && n > 0) {
            throw new IllegalArgumentException("--from " + options.from() + ": the session has " + n + " events");
        }
        double end = n == 0 ? originSeconds : events.get(n - 1).timestamp();
        long calls = 0;
        long errors = 0;
        double previous = Double.NaN;
        int printed = 0;
        for (int i = 0; i < n; i++) {
            TraceEvent e = events.get(i);
            if (EventTypes.TOOL_CALL.equals(e.eventType())) {
                calls++;
            }
            if (EventFacts.isError(e)) {
                errors++;
            }
            if (i + 1 < options.from()) {
                continue;
            }
            if (!Double.isNaN(previous)) {
                double gap = Math.max(0, e.timestamp() - previous);
                if (gap > options.maxGapSeconds()) {
                    clearStatus();
                    out.printf(Locale.ROOT, "  %10s  … %s idle, skipped to %s%n", "", seconds(gap), seconds(options.maxGapSeconds()));
                    gap = options.maxGapSeconds();
                }
                long wait = Math.round(gap * 1000 / options.speed());
                if (wait > 0) {
                    out.flush();
                    pacer.sleep(wait);
                }
            }
            previous = e.timestamp();
            clearStatus();
            out.printf(Locale.ROOT, "  %+9.3fs  %-14s %s%n", e.timestamp() - originSeconds, e.eventType(), describe.apply(e));
            printed++;
            if (options.statusLine()) {
                out.printf(Locale.ROOT, "\u001b[7m ▶ event %d/%d  %s of %s  %s  calls %d  errors %d \u001b[0m", i + 1, n,
                        seconds(e.timestamp() - originSeconds), seconds(end - originSeconds), speed(), calls, errors);
            }
            out.flush();
        }
        clearStatus();
        out.printf(Locale.ROOT, "replayed %d of %d events at %s: %d tool calls, %d errors%n", printed, n, speed(), calls, errors);
        out.flush();
        return printed;
    }

    private void clearStatus() {
        if (options.statusLine()) {
            out.print("\r\u001b[2K");
        }
    }

    private String speed() {
        double s = options.speed();
        return (s == Math.rint(s) ? String.format(Locale.ROOT, "%.0f", s) : String.format(Locale.ROOT, "%.2f", s)) + "x";
    }

    static String seconds(double s) {
        if (s < 120) {
            return String.format(Locale.ROOT, "%.1fs", s);
        }
        if (s < 7200) {
            return String.format(Locale.ROOT, "%.1f min", s / 60);
        }
        return String.format(Locale.ROOT, "%.1f h", s / 3600);
    }
}
