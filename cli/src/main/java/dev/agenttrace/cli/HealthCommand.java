package dev.agenttrace.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.export.health.HealthReport;
import dev.agenttrace.export.health.RunHealth;
import dev.agenttrace.export.health.WatchBudgets;
import dev.agenttrace.rules.watch.WatchConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code agent-trace health}: the six health signals of the last runs. */
@Command(name = "health", mixinStandardHelpOptions = true,
        description = {"The agent's health over its last runs: cost against its baseline (median of its previous N runs), "
                + "loop and retry triggers, breaker trips and state, budget utilisation, tool error rate by kind, cache read share."})
final class HealthCommand implements Callable<Integer> {
    @Mixin
    TraceDirOption traceDir;

    @Option(names = "--last", paramLabel = "N", defaultValue = "10", description = "Runs to report, and previous runs in a baseline (default: ${DEFAULT-VALUE}).")
    int last;

    @Option(names = "--agent", paramLabel = "A", description = "Only runs whose agent name or command contains A.")
    String agent;

    @Option(names = "--alert-factor", paramLabel = "X", defaultValue = "3", description = "A run costing X times its baseline or more is an alert (default: ${DEFAULT-VALUE}).")
    double factor;

    @Option(names = "--watch", paramLabel = "FILE", description = "Watch configuration with the budgets (default: .agent-watch.json / .watch-rules.json when present; repeatable).")
    List<Path> watchFiles;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (last < 1) {
            throw new UserError("--last " + last + " must be at least 1");
        }
        if (factor <= 1) {
            throw new UserError("--alert-factor " + factor + " must be more than 1 (3 alerts at three times the baseline)");
        }
        WatchConfig config = WatchConfig.defaults().mergedWith(WatchCommand.load(watchFiles, WatchConfig.empty()));
        List<Path> budgetFiles = WatchCommand.files(watchFiles);
        WatchBudgets budgets = WatchBudgets.read(budgetFiles);
        HealthReport.Report r = HealthReport.compute(traceDir.store(), agent, last, factor, config, budgets);
        PrintWriter out = spec.commandLine().getOut();
        r.warnings().forEach(w -> spec.commandLine().getErr().println("agent-trace: " + w));
        if (json) {
            out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(HealthReport.toJson(r)));
            return ExitCodes.OK;
        }
        if (r.runs().isEmpty()) {
            spec.commandLine().getErr().println("agent-trace: no runs" + (agent == null ? "" : " of an agent matching '" + agent + "'")
                    + " in " + traceDir.resolve().toAbsolutePath());
            return ExitCodes.OK;
        }
        out.printf(Locale.ROOT, "%-18s %-14s %10s %10s %7s %5s %5s %5s %-7s %6s %7s  %s%n", "SESSION", "AGENT", "COST", "BASELINE",
                "x", "LOOP", "RETRY", "TRIPS", "BREAKER", "ERR%", "CACHE", "BUDGET");
        for (RunHealth h : r.runs()) {
            out.printf(Locale.ROOT, "%-18s %-14s %10s %10s %7s %5d %5d %5d %-7s %5.0f%% %7s  %s%s%n", h.sessionId(),
                    Format.clip(h.agent() == null ? "" : h.agent(), 14), (h.costEstimated() ? "~" : "") + String.format(Locale.ROOT, "$%.4f", h.costUsd()),
                    h.baselineUsd() == null ? "-" : String.format(Locale.ROOT, "$%.4f", h.baselineUsd()),
                    h.costRatio() == null ? "-" : String.format(Locale.ROOT, "%.1fx", h.costRatio()), h.loopTriggers(), h.retryTriggers(),
                    h.breakerTrips(), h.breakerState(), h.errorRate() * 100,
                    h.cacheReadShare() == null ? "-" : String.format(Locale.ROOT, "%.0f%%", h.cacheReadShare() * 100),
                    budgetText(h.budgetUse()), h.costAlert() ? "  ALERT: cost " + String.format(Locale.ROOT, "%.1fx", h.costRatio()) + " its baseline" : "");
        }
        Map<String, Long> kinds = r.errorsByKind();
        if (!kinds.isEmpty()) {
            StringBuilder sb = new StringBuilder("tool errors by kind:");
            kinds.forEach((k, v) -> sb.append(String.format(Locale.ROOT, " %s %d (%.1f%%)", k, v, r.toolCalls() == 0 ? 0 : 100.0 * v / r.toolCalls())));
            out.println(sb);
        }
        return ExitCodes.OK;
    }

    private static String budgetText(Map<String, Double> use) {
        if (use.isEmpty()) {
            return "-";
        }
        StringBuilder sb = new StringBuilder();
        use.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append(' ').append(Math.round(v * 100)).append('%'));
        return sb.toString();
    }
}
