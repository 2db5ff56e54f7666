package dev.agenttrace.rules.watch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The session measures a {@code .watch-rules.json} condition may name ({@code cost_usd > 0.5}),
 * also behind the threshold watchers of {@code .agent-watch.json}: one computation for both.
 */
public enum Metric {
    COST_USD("USD") {
        @Override
        double value(SessionState s, double now) {
            return s.costUsd();
        }

        @Override
        String format(double v) {
            return String.format(Locale.ROOT, "$%.4f", v);
        }
    },
    TOTAL_TOKENS("tokens") {
        @Override
        double value(SessionState s, double now) {
            return s.totalTokens();
        }
    },
    CONTEXT_PCT("% of the context window") {
        @Override
        double value(SessionState s, double now) {
            return s.contextPercent();
        }

        @Override
        String format(double v) {
            return String.format(Locale.ROOT, "%.0f%%", v);
        }
    },
    DURATION_MINUTES("minutes") {
        @Override
        double value(SessionState s, double now) {
            return s.elapsedSeconds(now) / 60.0;
        }

        @Override
        String format(double v) {
            return String.format(Locale.ROOT, "%.1f min", v);
        }

        @Override
        boolean changesWithTime() {
            return true;
        }
    },
    FILES_MODIFIED("files") {
        @Override
        double value(SessionState s, double now) {
            return s.filesModified.size();
        }
    },
    CONSECUTIVE_TEST_FAILURES("failed test runs in a row") {
        @Override
        double value(SessionState s, double now) {
            return s.consecutiveTestFailures;
        }
    },
    TOOL_CALLS("calls") {
        @Override
        double value(SessionState s, double now) {
            return s.toolCalls;
        }
    },
    ERRORS("errors") {
        @Override
        double value(SessionState s, double now) {
            return s.errors;
        }
    };

    private final String unit;

    Metric(String unit) {
        this.unit = unit;
    }

    abstract double value(SessionState s, double now);

    /** The value as a message shows it, with its unit. */
    String format(double v) {
        if (v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%d %s", (long) v, unit);
        }
        return String.format(Locale.ROOT, "%.2f %s", v, unit);
    }

    /** True if the value grows with the clock, not only with events (checked on ticks too). */
    boolean changesWithTime() {
        return false;
    }

    /** {@code cost_usd}, {@code files_modified}, ... */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Metric fromWireName(String s) {
        for (Metric m : values()) {
            if (m.wireName().equals(s)) {
                return m;
            }
        }
        return null;
    }

    static List<String> wireNames() {
        List<String> out = new ArrayList<>();
        for (Metric m : values()) {
            out.add(m.wireName());
        }
        return out;
    }
}
