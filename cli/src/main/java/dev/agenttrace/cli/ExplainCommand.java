package dev.agenttrace.cli;

import dev.agenttrace.store.analysis.AnalysisText;
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
    TraceDirOption traceDir;

    @Mixin
    SessionArgument args;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        SessionSummary s = Analysis.summarize(traceDir.store(), args.session);
        if (args.json) {
            Analysis.printJson(out, s.toJson());
        } else {
            out.print(AnalysisText.explain(s));
            out.flush();
        }
        return ExitCodes.OK;
    }
}
