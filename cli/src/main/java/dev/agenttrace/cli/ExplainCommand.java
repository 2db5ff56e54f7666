package dev.agenttrace.cli;

import dev.agenttrace.store.analysis.AnalysisText;
import dev.agenttrace.store.analysis.SessionSummary;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agent-trace explain [SESSION] [--json]}. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Explain a session: phases (one per user prompt), errors, retries, files read and written, slowest calls and cost.")
final class ExplainCommand implements Callable<Integer> {
    @Mixin
    TraceDirOption traceDir;

    @Parameters(paramLabel = "SESSION", defaultValue = "latest",
            description = "A session id, a unique prefix of one, or 'latest' (the most recently started; default).")
    String session;

    @Option(names = "--json", description = "Print JSON (the shape the MCP server's tools return).")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        SessionSummary s = Analysis.summarize(traceDir.store(), session);
        if (json) {
            Analysis.printJson(out, s.toJson());
        } else {
            out.print(AnalysisText.explain(s));
            out.flush();
        }
        return ExitCodes.OK;
    }
}
