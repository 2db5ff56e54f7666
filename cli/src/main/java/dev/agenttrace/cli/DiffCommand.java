package dev.agenttrace.cli;

import dev.agenttrace.store.TraceStore;
import dev.agenttrace.store.analysis.AnalysisText;
import dev.agenttrace.store.analysis.SessionDiff;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agent-trace diff A B [--json]}. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = "Compare two sessions: tool call counts, files, errors, tokens, cost, duration, and the first call where they diverge.")
final class DiffCommand implements Callable<Integer> {
    @Mixin
    TraceDirsOption traceDir;

    @Parameters(index = "0", paramLabel = "A", description = "The first session: an id, a unique prefix of one, 'latest', or STORE/ID (its directory).")
    String a;

    @Parameters(index = "1", paramLabel = "B", description = "The second session (B - A is reported).")
    String b;

    @Option(names = "--json", description = "Print JSON (the shape the MCP server's diff_sessions returns).")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        dev.agenttrace.store.StoreSet stores = traceDir.stores();
        SessionDiff d = SessionDiff.of(Analysis.summarize(stores, a), Analysis.summarize(stores, b));
        if (json) {
            Analysis.printJson(out, d.toJson());
        } else {
            out.print(AnalysisText.diff(d));
            out.flush();
        }
        return ExitCodes.OK;
    }
}
