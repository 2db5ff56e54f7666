package dev.agenttrace.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.rules.ScopeFirewall;
import dev.agenttrace.rules.SessionAudit;
import dev.agenttrace.store.SessionCoverage;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceJson;
import dev.agenttrace.store.TraceStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agent-trace audit}: the firewall over recorded sessions (agent-strace hook sessions too). */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Judge every tool call of recorded sessions against a policy: the backtest before enforcing it.",
                "Exit 0 if no call breaks the policy, 1 if any does or a session could not be read at all."})
final class AuditCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SESSION", arity = "0..*", description = "Session ids or prefixes (default: latest).")
    List<String> sessions;

    @Option(names = "--all", description = "Audit every session in the store.")
    boolean all;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Mixin
    TraceDirOption traceDir;

    @Mixin
    PolicyOptions policy;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ScopeFirewall fw = policy.load(null, policy.root);
        TraceStore store = traceDir.store();
        List<SessionMeta> targets = new ArrayList<>();
        if (all) {
            targets.addAll(store.listSessions());
        } else if (sessions == null || sessions.isEmpty()) {
            targets.add(store.resolve("latest"));
        } else {
            for (String s : sessions) {
                targets.add(store.resolve(s));
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        Path home = Path.of(System.getProperty("user.home"));
        int violations = 0;
        int unreadable = 0;
        ArrayNode jsonOut = TraceJson.mapper().createArrayNode();
        for (SessionMeta m : targets) {
            SessionAudit.Report r = SessionAudit.audit(store, m, fw.policy(), policy.root, home);
            violations += r.violations().size();
            for (String w : r.warnings()) {
                spec.commandLine().getErr().println("agent-trace: " + w);
            }
            SessionCoverage coverage = SessionCoverage.of(store, m, r.warnings());
            if (coverage.unreadable() != null) {
                unreadable++;
            }
            if (json) {
                ObjectNode s = r.toJson();
                s.put("complete", coverage.complete());
                if (coverage.note() != null) {
                    s.put("coverage", coverage.note());
                }
                jsonOut.add(s);
                continue;
            }
            out.printf("session %s  root %s  %d tool calls, %d violations%s%n", m.sessionId, r.root(), r.calls(), r.violations().size(),
                    coverage.complete() ? "" : coverage.unreadable() != null ? "  (NOT JUDGED)" : "  (partial trace)");
            if (coverage.note() != null) {
                out.printf("  note: this session %s%n", coverage.note());
            }
            for (SessionAudit.Violation v : r.violations()) {
                out.printf("  %s  %-10s %s%s%n", Format.time(v.timestamp()), v.tool(), v.decision().reason(),
                        v.wasBlocked() ? "  (blocked at the time)" : "");
                if (v.decision().rule() != null) {
                    out.printf("  %19s rule: %s%n", "", v.decision().rule().display());
                }
            }
        }
        if (json) {
            out.println(jsonOut.toPrettyString());
        }
        if (unreadable > 0 && !json) {
            out.printf("%d session%s could not be read at all: not judged (exit " + ExitCodes.FAILURE + ")%n", unreadable, unreadable == 1 ? "" : "s");
        }
        out.flush();
        return unreadable > 0 ? ExitCodes.FAILURE : violations > 0 ? ExitCodes.FOUND : ExitCodes.OK;
    }
}
