package dev.agenttrace.cli;

import dev.agenttrace.report.dashboard.Drift;
import dev.agenttrace.report.dashboard.Drift.Metric;
import dev.agenttrace.report.dashboard.DriftReport;
import dev.agenttrace.report.dashboard.SessionTrend;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code agent-trace drift [--agent A] [--window N] [--last N] [--factor X] [--json]}: how behaviour moves across sessions. */
@Command(name = "drift", mixinStandardHelpOptions = true,
        description = {"How the agent's behaviour moves across sessions, oldest first: retries per task, files touched, duration, "
                + "tools used, blocked calls, errors; each against the median of the same agent's previous N sessions, "
                + "and the sessions where a metric changed. The dashboard shows the same numbers.",
                "Exit 0 (a change is information, not a failure); 2 bad input."})
final class DriftCommand implements Callable<Integer> {
    @Mixin
    TraceDirOption traceDir;

    @Option(names = "--agent", paramLabel = "A", description = "Only sessions whose agent name or command contains A.")
    String agent;

    @Option(names = "--window", paramLabel = "N", defaultValue = "" + Drift.DEFAULT_WINDOW,
            description = "The baseline of a session is the median of the same agent's N sessions before it (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--last", paramLabel = "N", defaultValue = "30", description = "Show the N most recent sessions (default: ${DEFAULT-VALUE}).")
    int last;

    @Option(names = "--factor", paramLabel = "X", defaultValue = "" + Drift.DEFAULT_FACTOR,
            description = "A metric X times its baseline or more (or 1/X or less) has changed, when the difference is also above "
                    + "the metric's floor (default: ${DEFAULT-VALUE}).")
    double factor;

    @Option(names = "--json", description = "Print JSON: {\"window\",\"factor\",\"min_history\",\"floors\",\"sessions\":[...],\"changes\":[...]}.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (window < 1) {
            throw new UserError("--window " + window + ": give a number of earlier sessions, 1 or more");
        }
        if (last < 1) {
            throw new UserError("--last " + last + ": give a number of sessions, 1 or more");
        }
        if (!(factor > 1)) {
            throw new UserError("--factor " + factor + " must be more than 1 (2 marks a metric that doubled or halved)");
        }
        DriftReport r = Drift.read(traceDir.store(), last, agent, window, factor);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(r.toJson().toString());
            return ExitCodes.OK;
        }
        if (r.sessions().isEmpty()) {
            spec.commandLine().getErr().println("agent-trace: no sessions" + (agent == null ? "" : " of an agent matching '" + agent + "'")
                    + " in " + traceDir.resolve().toAbsolutePath());
            return ExitCodes.OK;
        }
        out.printf(Locale.ROOT, "%-18s %-19s %-14s %8s %6s %10s %6s %7s %6s  %s%n", "SESSION", "STARTED", "AGENT", "RETRY/T", "FILES",
                "DURATION", "CALLS", "BLOCKED", "ERRORS", "TOOLS");
        for (DriftReport.Row row : r.sessions()) {
            SessionTrend t = row.trend();
            out.printf(Locale.ROOT, "%-18s %-19s %-14s %8.2f %6d %10s %6d %7d %6d  %s%n", Format.clip(safe(t.sessionId()), 18),
                    Format.time(t.startedAt()), Format.clip(safe(t.agentName()), 14), t.retriesPerTask(), t.filesTouched(),
                    Format.duration(t.durationMs()), t.toolCalls(), t.blocked(), t.errors(), Format.clip(safe(String.join(",", t.tools())), 60));
        }
        out.println();
        String rule = String.format(Locale.ROOT, "%sx or 1/%sx the median of the agent's previous %d session%s, %d at least, and past the metric's floor",
                num(factor), num(factor), window, window == 1 ? "" : "s", Drift.minHistory(window));
        if (r.changes().isEmpty()) {
            out.println("no changes (" + rule + ")");
            return ExitCodes.OK;
        }
        out.println("changes (" + rule + "):");
        for (DriftReport.Change c : r.changes()) {
            String what;
            if (c.tool() != null) {
                what = "tool " + safe(c.tool()) + (c.direction().equals("appeared") ? " appeared" : " vanished (used in every baseline session)");
            } else {
                String ratio = c.baseline() == 0 ? "" : String.format(Locale.ROOT, ", %.1fx", c.value() / c.baseline());
                what = c.metric() + " " + c.direction() + ": " + value(c.metric(), c.value()) + " (baseline " + value(c.metric(), c.baseline()) + ratio + ")";
            }
            out.println("  " + Format.clip(safe(c.trend().sessionId()), 18) + "  " + Format.time(c.trend().startedAt()) + "  " + what);
        }
        return ExitCodes.OK;
    }

    private static String value(String metric, double v) {
        if (metric.equals(Metric.DURATION_MS.wireName)) {
            return Format.duration(v);
        }
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String num(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** Names come from recorded traffic: no escape sequence reaches the terminal. */
    private static String safe(String s) {
        return s == null ? "" : s.replaceAll("\\p{Cntrl}", "?");
    }
}
