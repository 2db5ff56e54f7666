package dev.agenttrace.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.agenttrace.rules.watch.SessionLint;
import dev.agenttrace.rules.watch.Severity;
import dev.agenttrace.rules.watch.WatchConfig;
import dev.agenttrace.store.SessionCoverage;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceJson;
import dev.agenttrace.store.TraceStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agent-trace lint}: the watchers over recorded sessions, with exit codes for CI. */
@Command(name = "lint", mixinStandardHelpOptions = true,
        description = {"Replay the watchers over recorded sessions: retry storms, silent failures, loops, budget proximity, "
                + "recursive delegation (a cycle through parent_session_id), plus any rule of --config or .agent-watch.json.",
                "Exit 0 clean, 1 warnings (with --strict) or a session that could not be read at all, 2 critical findings (or bad input)."})
final class LintCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SESSION", arity = "0..*", description = "Session ids or prefixes (default: latest).")
    List<String> sessions;

    @Option(names = "--all", description = "Lint every session in the store.")
    boolean all;

    @Option(names = "--strict", description = "Exit 1 on warnings too.")
    boolean strict;

    @Option(names = "--json", description = "Print JSON: one object per session.")
    boolean json;

    @Option(names = "--config", paramLabel = "FILE", description = "Watch configuration whose rules are added (repeatable).")
    List<Path> configs;

    @Option(names = "--budget", paramLabel = "DOLLARS", description = "Cost budget for the budget-proximity check (default: the config's cost rule, or the session's own).")
    Double budget;

    @Mixin
    TraceDirOption traceDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (budget != null && budget <= 0) {
            throw new UserError("--budget " + budget + " must be more than 0");
        }
        WatchConfig config = WatchConfig.defaults().mergedWith(WatchCommand.load(configs, WatchConfig.empty()));
        TraceStore store = traceDir.store();
        List<SessionMeta> listing = store.listSessions();
        List<SessionMeta> targets = new ArrayList<>();
        if (all) {
            targets.addAll(listing);
        } else if (sessions == null || sessions.isEmpty()) {
            targets.add(store.resolve("latest"));
        } else {
            for (String s : sessions) {
                targets.add(store.resolve(s));
            }
        }
        Map<String, SessionMeta> byId = new HashMap<>();
        listing.forEach(m -> byId.put(m.sessionId, m));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ArrayNode jsonOut = TraceJson.mapper().createArrayNode();
        long critical = 0;
        long warnings = 0;
        int unreadable = 0;
        for (SessionMeta m : targets) {
            SessionLint.Report r = SessionLint.lint(m, store.readEvents(m.sessionId), config, budget, byId);
            for (String w : r.warnings()) {
                err.println("agent-trace: " + w);
            }
            SessionCoverage coverage = SessionCoverage.of(store, m, r.warnings());
            if (coverage.unreadable() != null) {
                unreadable++;
            }
            critical += r.count(Severity.CRITICAL);
            warnings += r.count(Severity.WARNING);
            if (json) {
                com.fasterxml.jackson.databind.node.ObjectNode o = r.toJson();
                o.put("complete", coverage.complete());
                if (coverage.note() != null) {
                    o.put("coverage", coverage.note());
                }
                jsonOut.add(o);
                continue;
            }
            Severity worst = r.worst();
            out.printf(Locale.ROOT, "session %s  %d calls, %d errors, cost %s$%.4f  %s%n", m.sessionId, r.counters().toolCalls(),
                    r.counters().errors(), r.counters().costEstimated() ? "~" : "", r.counters().costUsd(),
                    coverage.unreadable() != null ? "NOT LINTED" : worst == null ? (coverage.complete() ? "clean" : "clean so far")
                            : worst.wireName());
            if (coverage.note() != null) {
                out.printf("  note: this session %s%n", coverage.note());
            }
            for (SessionLint.Finding f : r.findings()) {
                out.printf(Locale.ROOT, "  %-8s  %-20s %s%s%n", f.severity().wireName().toUpperCase(Locale.ROOT), f.rule(), f.message(),
                        f.eventId() == null ? "" : "  (event " + f.eventId() + ")");
                if (f.suggestion() != null) {
                    out.printf("  %30s%s%n", "", f.suggestion());
                }
            }
        }
        if (json) {
            out.println(jsonOut.toPrettyString());
        } else {
            out.printf("%d session%s: %d critical, %d warning%s%s%n", targets.size(), targets.size() == 1 ? "" : "s", critical, warnings,
                    warnings == 1 ? "" : "s", warnings > 0 && critical == 0 && !strict ? " (exit 0; --strict fails on warnings)" : "");
        }
        if (unreadable > 0 && !json) {
            out.printf("%d session%s could not be read at all: not linted (exit " + ExitCodes.FAILURE + ")%n", unreadable, unreadable == 1 ? "" : "s");
        }
        out.flush();
        if (unreadable > 0) {
            return ExitCodes.FAILURE;
        }
        return critical > 0 || strict && warnings > 0 ? ExitCodes.FOUND : ExitCodes.OK;
    }
}
