package dev.agenttrace.cli;

import dev.agenttrace.store.SessionCoverage;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceStore;
import dev.agenttrace.store.analysis.AnalysisText;
import dev.agenttrace.store.analysis.SessionAnalyzer;
import dev.agenttrace.store.analysis.SessionSummary;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code agent-trace explain [SESSION] [--json]}. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Explain a session: phases (one per user prompt), errors, retries, files read and written, slowest calls and cost.")
final class ExplainCommand implements Callable<Integer> {
    @Mixin
    TraceDirsOption traceDir;

    @Mixin
    SessionArgument args;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        dev.agenttrace.store.StoreSet.Found found = traceDir.stores().resolve(args.session);
        TraceStore store = found.store();
        SessionMeta meta = found.meta();
        SessionSummary s = SessionAnalyzer.analyze(store, meta);
        SessionCoverage coverage = SessionCoverage.of(store, meta, s.warnings());
        if (args.json) {
            com.fasterxml.jackson.databind.node.ObjectNode o = s.toJson();
            o.put("complete", coverage.complete());
            if (coverage.note() != null) {
                o.put("coverage", coverage.note());
            }
            Analysis.printJson(out, o);
        } else {
            if (coverage.note() != null) {
                out.println("note: this session " + coverage.note() + "; the answer below covers what was recorded.");
            }
            out.print(AnalysisText.explain(s));
            out.flush();
        }
        return coverage.unreadable() != null ? ExitCodes.FAILURE : ExitCodes.OK;
    }
}
