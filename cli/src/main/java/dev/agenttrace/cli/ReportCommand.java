package dev.agenttrace.cli;

import dev.agenttrace.report.ReportPages;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceStore;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agent-trace report [SESSION] [-o FILE.html]}: one session as a self-contained HTML page. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write one session as a self-contained HTML report (inline CSS, script and SVG; it never touches the network): "
                + "a waterfall of calls on a time axis with errors, firewall blocks and breaker alerts, the story explain tells, "
                + "cost and tokens by phase, files, slowest calls and per-tool p50/p95; every call opens to its arguments and result.",
                "Open it from disk or send it as an attachment."})
final class ReportCommand implements Callable<Integer> {
    @Mixin
    TraceDirOption traceDir;

    @Parameters(paramLabel = "SESSION", defaultValue = "latest",
            description = "A session id, a unique prefix of one, or 'latest' (the most recently started; default).")
    String session;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE.html",
            description = "Where to write it (default: agent-trace-<session>.html in the working directory; '-' for stdout).")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TraceStore store = traceDir.store();
        SessionMeta meta = store.resolve(session);
        if (output != null && output.toString().equals("-")) {
            OutputStream out = new BufferedOutputStream(System.out);
            ReportPages.session(store, meta, out);
            out.flush();
            return ExitCodes.OK;
        }
        Path file = output != null ? output : Path.of("agent-trace-" + meta.sessionId + ".html");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new UserError("cannot write " + file + ": directory " + parent + " does not exist; create it or choose another -o");
        }
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            ReportPages.session(store, meta, out);
        }
        spec.commandLine().getErr().println("agent-trace: wrote " + file + " (" + Files.size(file) / 1024 + " KiB)");
        return ExitCodes.OK;
    }
}
