package dev.agenttrace.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.analysis.AnalysisText;
import dev.agenttrace.store.analysis.SessionSummary;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code agent-trace stats [SESSION] [--json]}. */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Per-tool statistics of a session: calls, errors, error rate, p50 and p95 latency.")
final class StatsCommand implements Callable<Integer> {
    @Mixin
    TraceDirsOption traceDir;

    @Mixin
    SessionArgument args;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        SessionSummary s = Analysis.summarize(traceDir.stores(), args.session);
        if (args.json) {
            Analysis.printJson(out, stats(s));
        } else {
            out.print(AnalysisText.stats(s));
            out.flush();
        }
        return ExitCodes.OK;
    }

    static ObjectNode stats(SessionSummary s) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("session_id", s.sessionId());
        o.put("tool_calls", s.toolCalls());
        o.put("error_count", s.errorCount());
        if (s.linkedToolCalls() > 0) {
            // MCP calls of a hook session that record also recorded: counted once across sessions (health, dashboard)
            o.put("linked_tool_calls", s.linkedToolCalls());
        }
        o.put("error_rate", Math.round(s.errorRate() * 1000) / 1000.0);
        o.set("tools", s.toJson().get("tools"));
        return o;
    }
}
