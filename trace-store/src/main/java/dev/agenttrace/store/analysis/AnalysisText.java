package dev.agenttrace.store.analysis;

import dev.agenttrace.store.analysis.SessionSummary.ErrorItem;
import dev.agenttrace.store.analysis.SessionSummary.Phase;
import dev.agenttrace.store.analysis.SessionSummary.Retry;
import dev.agenttrace.store.analysis.SessionSummary.SlowCall;
import dev.agenttrace.store.analysis.SessionSummary.ToolStats;
import java.util.List;
import java.util.Locale;

/** The readable forms of the analyses, shared by the CLI and the MCP server's text content. */
public final class AnalysisText {
    private static final int SHOWN = 10;

    private AnalysisText() {
    }

    /** {@code agent-trace explain}: what happened, phase by phase. */
    public static String explain(SessionSummary s) {
        StringBuilder b = new StringBuilder();
        b.append("Session ").append(s.sessionId());
        if (s.agentName() != null) {
            b.append(" (").append(s.agentName()).append(')');
        }
        b.append('\n');
        if (s.command() != null) {
            b.append("Command: ").append(s.command()).append('\n');
        }
        b.append(String.format(Locale.ROOT, "Duration: %s   events %d   tool calls %d   errors %d   retries %d%s%n",
                duration(s.durationMs()), s.eventCount(), s.toolCalls(), s.errorCount(), s.retryCount(),
                s.exitCode() == null ? "" : "   exit code " + s.exitCode()));
        b.append(costLine(s)).append('\n');
        b.append('\n').append("Phases:\n");
        for (Phase p : s.phases()) {
            b.append(String.format(Locale.ROOT, "  %d. %s  [%s, %d calls%s%s]%n", p.index() + 1, p.label(), duration(p.durationMs()),
                    p.toolCalls(), p.errors() > 0 ? ", " + p.errors() + " error" + (p.errors() == 1 ? "" : "s") : "",
                    p.retries() > 0 ? ", " + p.retries() + " retr" + (p.retries() == 1 ? "y" : "ies") : ""));
        }
        if (!s.errors().isEmpty()) {
            b.append('\n').append("Errors:\n");
            for (ErrorItem e : s.errors().subList(0, Math.min(SHOWN, s.errors().size()))) {
                b.append("  ").append(e.toolName() == null ? "" : e.toolName() + ": ")
                        .append(e.code() == null ? "" : "[" + e.code() + "] ").append(one(e.message())).append('\n');
            }
        }
        if (!s.retries().isEmpty()) {
            b.append('\n').append("Retries:\n");
            for (Retry r : s.retries().subList(0, Math.min(SHOWN, s.retries().size()))) {
                int n = r.attempts() - 1; // the same count as the header's: retries, not attempts
                b.append("  ").append(r.toolName()).append(" retried ").append(n).append(n == 1 ? " time" : " times")
                        .append(r.afterError() ? " after an error" : " with the same arguments").append('\n');
            }
        }
        if (!s.filesRead().isEmpty() || !s.filesWritten().isEmpty() || !s.filesFailed().isEmpty()) {
            b.append('\n').append("Files:\n");
            list(b, "  wrote  ", s.filesWritten());
            list(b, "  read   ", s.filesRead());
            list(b, "  failed ", s.filesFailed());
        }
        if (!s.slowest().isEmpty()) {
            b.append('\n').append("Slowest calls:\n");
            for (SlowCall c : s.slowest()) {
                b.append("  ").append(c.toolName()).append("  ").append(duration(c.durationMs()))
                        .append(c.failed() ? "  (failed)" : "").append('\n');
            }
        }
        for (String w : s.warnings()) {
            b.append("warning: ").append(w).append('\n');
        }
        return b.toString();
    }

    /** {@code agent-trace stats}: per tool. */
    public static String stats(SessionSummary s) {
        StringBuilder b = new StringBuilder();
        b.append("Session ").append(s.sessionId()).append(": ").append(s.toolCalls()).append(s.toolCalls() == 1 ? " tool call, " : " tool calls, ")
                .append(s.errorCount()).append(s.errorCount() == 1 ? " error (" : " errors (").append(percent(s.errorRate())).append(")\n\n");
        b.append(String.format(Locale.ROOT, "%-32s %7s %7s %7s %10s %10s%n", "TOOL", "CALLS", "ERRORS", "RATE", "P50", "P95"));
        for (ToolStats t : s.tools()) {
            b.append(String.format(Locale.ROOT, "%-32s %7d %7d %7s %10s %10s%n", clip(t.toolName(), 32), t.calls(), t.errors(),
                    percent(t.errorRate()), t.p50Ms() == null ? "-" : duration(t.p50Ms()), t.p95Ms() == null ? "-" : duration(t.p95Ms())));
        }
        return b.toString();
    }

    /** {@code agent-trace cost}. */
    public static String cost(SessionSummary s) {
        SessionSummary.Cost c = s.cost();
        StringBuilder b = new StringBuilder();
        b.append("Session ").append(s.sessionId()).append('\n');
        b.append(costLine(s)).append('\n');
        b.append(String.format(Locale.ROOT, "  input  %,d tokens%n  output %,d tokens%n", c.inputTokens(), c.outputTokens()));
        b.append("  model  ").append(c.model() == null ? "unknown" : c.model()).append(", priced as ").append(c.pricedAs())
                .append(" (prices as of ").append(c.pricesAsOf()).append(")\n");
        if (c.wastedCostUsd() > 0) {
            b.append(String.format(Locale.ROOT, "  spent in phases that ended in an error: $%.4f%n", c.wastedCostUsd()));
        }
        b.append('\n').append("By phase:\n");
        for (Phase p : s.phases()) {
            b.append(String.format(Locale.ROOT, "  %d. %-50s $%.4f%s%n", p.index() + 1, clip(p.label(), 50), p.costUsd(),
                    p.failed() ? "  (ended in an error)" : ""));
        }
        return b.toString();
    }

    /** {@code agent-trace diff}. */
    public static String diff(SessionDiff d) {
        SessionSummary a = d.a();
        SessionSummary b2 = d.b();
        StringBuilder b = new StringBuilder();
        b.append("A ").append(a.sessionId()).append(a.agentName() == null ? "" : " (" + a.agentName() + ")").append('\n');
        b.append("B ").append(b2.sessionId()).append(b2.agentName() == null ? "" : " (" + b2.agentName() + ")").append('\n');
        b.append(String.format(Locale.ROOT, "%n%-14s %14s %14s %14s%n", "", "A", "B", "B - A"));
        row(b, "duration", duration(a.durationMs()), duration(b2.durationMs()), signed(d.durationDeltaMs() / 1000, "s"));
        row(b, "tool calls", a.toolCalls(), b2.toolCalls(), b2.toolCalls() - a.toolCalls());
        row(b, "errors", a.errorCount(), b2.errorCount(), b2.errorCount() - a.errorCount());
        row(b, "retries", a.retryCount(), b2.retryCount(), b2.retryCount() - a.retryCount());
        row(b, "tokens", a.cost().totalTokens(), b2.cost().totalTokens(), d.tokenDelta());
        row(b, "cost", String.format(Locale.ROOT, "$%.4f", a.cost().costUsd()), String.format(Locale.ROOT, "$%.4f", b2.cost().costUsd()),
                String.format(Locale.ROOT, "%+.4f", d.costDeltaUsd()));
        if (!d.toolCallDiff().isEmpty()) {
            b.append("\nTool calls that differ:\n");
            d.toolCallDiff().forEach((t, c) -> b.append(String.format(Locale.ROOT, "  %-30s A %d  B %d%n", clip(t, 30), c[0], c[1])));
        }
        if (!d.filesOnlyInA().isEmpty() || !d.filesOnlyInB().isEmpty()) {
            b.append("\nFiles:\n");
            list(b, "  only A  ", d.filesOnlyInA());
            list(b, "  only B  ", d.filesOnlyInB());
        }
        b.append('\n');
        if (d.divergence() == null) {
            b.append("The two sessions made the same calls in the same order.\n");
        } else {
            SessionDiff.Divergence v = d.divergence();
            b.append("They diverge at call ").append(v.index() + 1).append(":\n");
            b.append("  A: ").append(v.callA() == null ? "(no more calls)" : clip(v.callA(), 160) + "  [event " + v.eventA() + "]").append('\n');
            b.append("  B: ").append(v.callB() == null ? "(no more calls)" : clip(v.callB(), 160) + "  [event " + v.eventB() + "]").append('\n');
        }
        return b.toString();
    }

    /** The first lines of a list, then how many more there are (the JSON has them all). */
    private static void list(StringBuilder b, String prefix, List<String> items) {
        items.stream().limit(SHOWN).forEach(f -> b.append(prefix).append(f).append('\n'));
        if (items.size() > SHOWN) {
            b.append(prefix).append("... and ").append(items.size() - SHOWN).append(" more\n");
        }
    }

    private static void row(StringBuilder b, String label, Object a, Object b2, Object delta) {
        String d = delta instanceof Long l ? String.format(Locale.ROOT, "%+d", l) : String.valueOf(delta);
        b.append(String.format(Locale.ROOT, "%-14s %14s %14s %14s%n", label, a, b2, d));
    }

    private static String signed(double v, String unit) {
        return String.format(Locale.ROOT, "%+.2f %s", v, unit);
    }

    private static String costLine(SessionSummary s) {
        SessionSummary.Cost c = s.cost();
        return String.format(Locale.ROOT, "Cost: $%.4f for %,d tokens (%s, priced as %s)", c.costUsd(), c.totalTokens(),
                "trace".equals(c.tokenSource()) ? "token counts from the trace" : "estimated from payload size", c.pricedAs());
    }

    static String duration(double ms) {
        if (ms < 1000) {
            return String.format(Locale.ROOT, "%.1f ms", ms);
        }
        if (ms < 120_000) {
            return String.format(Locale.ROOT, "%.2f s", ms / 1000);
        }
        return String.format(Locale.ROOT, "%.1f min", ms / 60_000);
    }

    private static String percent(double rate) {
        return String.format(Locale.ROOT, "%.1f%%", rate * 100);
    }

    private static String clip(String s, int max) {
        if (s == null) {
            return "";
        }
        String one = one(s);
        return one.length() <= max ? one : one.substring(0, max - 1) + "…";
    }

    private static String one(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    static List<String> lines(String s) {
        return List.of(s.split("\n"));
    }
}
