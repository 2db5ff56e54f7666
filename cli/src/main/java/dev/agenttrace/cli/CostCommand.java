package dev.agenttrace.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.analysis.AnalysisText;
import dev.agenttrace.store.analysis.SessionAnalyzer;
import dev.agenttrace.store.analysis.SessionSummary;
import dev.agenttrace.store.cost.PriceTable;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code agent-trace cost [SESSION] [--json]}. */
@Command(name = "cost", mixinStandardHelpOptions = true,
        description = "Tokens and estimated cost of a session, per phase (real token counts where the trace has them, else payload size / 4; prices per model in trace-store's prices.json).")
final class CostCommand implements Callable<Integer> {
    @Mixin
    TraceDirsOption traceDir;

    @Mixin
    SessionArgument args;

    @Option(names = "--model", paramLabel = "MODEL",
            description = "Price at this model instead of the session's own (sonnet, opus, haiku, gpt4o, ... or a full model id).")
    String model;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PriceTable.Model priced = null;
        if (model != null) {
            priced = PriceTable.standard().find(model);
            if (priced == null) {
                throw new UserError("unknown model '" + model + "' for --model; known: " + String.join(", ", PriceTable.standard().names())
                        + " (or a full model id such as claude-sonnet-4-5)");
            }
        }
        dev.agenttrace.store.StoreSet.Found found = traceDir.stores().resolve(args.session);
        SessionSummary s = SessionAnalyzer.analyze(found.store(), found.meta(), priced);
        if (args.json) {
            Analysis.printJson(out, cost(s));
        } else {
            out.print(AnalysisText.cost(s));
            out.flush();
        }
        return ExitCodes.OK;
    }

    static ObjectNode cost(SessionSummary s) {
        ObjectNode full = s.toJson();
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("session_id", s.sessionId());
        o.setAll((ObjectNode) full.get("cost"));
        var phases = o.putArray("phases");
        full.get("phases").forEach(p -> {
            ObjectNode n = phases.addObject();
            n.set("index", p.get("index"));
            n.set("label", p.get("label"));
            n.set("cost_usd", p.get("cost_usd"));
            n.set("failed", p.get("failed"));
        });
        return o;
    }
}
