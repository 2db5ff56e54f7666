package dev.agenttrace.cli;

import dev.agenttrace.report.ReportPages;
import dev.agenttrace.report.dashboard.Drift;
import dev.agenttrace.report.dashboard.DriftReport;
import dev.agenttrace.report.dashboard.SessionTrend;
import dev.agenttrace.report.dashboard.Trends;
import dev.agenttrace.report.session.SessionReport;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceStore;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code agent-trace dashboard [--last N] [--agent A] [-o FILE.html]}: trends across sessions. */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
        description = {"Write trends across sessions as one self-contained HTML page: cost per session against its baseline, "
                + "tool error rate by kind, loops and retries per run, breaker trips, tool latency, sessions per day, files touched and "
                + "the drift across sessions (as agent-trace drift prints it).",
                "Each session's report is written beside it (reports/ID.html), one click away."})
final class DashboardCommand implements Callable<Integer> {
    @Mixin
    TraceDirOption traceDir;

    @Option(names = "--last", paramLabel = "N", defaultValue = "30", description = "The N most recent sessions (default: ${DEFAULT-VALUE}).")
    int last;

    @Option(names = "--agent", paramLabel = "A", description = "Only sessions whose agent name or command contains A.")
    String agent;

    @Option(names = "--baseline", paramLabel = "N", defaultValue = "10",
            description = "The cost baseline of a session is the median of the N sessions before it (default: ${DEFAULT-VALUE}).")
    int baseline;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE.html", defaultValue = "agent-trace-dashboard.html",
            description = "Where to write it (default: ${DEFAULT-VALUE}); the reports go to a reports/ directory beside it.")
    Path output;

    @Option(names = "--no-reports", description = "Do not write the session reports (the dashboard then has no links).")
    boolean noReports;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (last < 1) {
            throw new UserError("--last " + last + ": give a number of sessions, 1 or more");
        }
        if (baseline < 1) {
            throw new UserError("--baseline " + baseline + ": give a number of earlier sessions, 1 or more");
        }
        Path parent = output.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            throw new UserError("cannot write " + output + ": directory " + parent + " does not exist; create it or choose another -o");
        }
        TraceStore store = traceDir.store();
        // the window before the shown sessions gives the first of them a drift baseline: the dashboard's
        // drift is what agent-trace drift --last N prints with its defaults
        DriftReport drift = Drift.compute(Trends.read(store, last + Drift.DEFAULT_WINDOW, agent, baseline), Drift.DEFAULT_WINDOW,
                Drift.DEFAULT_FACTOR, last);
        List<SessionTrend> trends = drift.sessions().stream().map(DriftReport.Row::trend).toList();
        if (!noReports) {
            Path dir = parent.resolve("reports");
            Files.createDirectories(dir);
            List<SessionMeta> all = store.listSessions();
            for (SessionTrend t : trends) {
                SessionMeta meta = all.stream().filter(m -> m.sessionId.equals(t.sessionId())).findFirst().orElseThrow();
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dir.resolve(t.sessionId() + ".html")), 1 << 16)) {
                    ReportPages.session(SessionReport.read(store, meta, all), out, null);
                }
            }
        }
        String title = "agent-trace dashboard" + (agent == null ? "" : " · " + agent);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(output), 1 << 16)) {
            ReportPages.dashboard(drift, out, noReports ? null : id -> "reports/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + ".html", title);
        }
        spec.commandLine().getErr().println("agent-trace: wrote " + output + " (" + trends.size() + " session" + (trends.size() == 1 ? "" : "s")
                + (noReports ? "" : ", reports in " + parent.resolve("reports")) + ")");
        return ExitCodes.OK;
    }
}
