package dev.agenttrace.cli;

import dev.agenttrace.report.replay.Pacer;
import dev.agenttrace.report.replay.Replay;
import dev.agenttrace.store.EventRead;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceStore;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agent-trace replay SESSION [--speed X] [--from N]}: the session played back in the terminal. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Play a recorded session back in the terminal at its own pace (or --speed times faster), with a status line.")
final class ReplayCommand implements Callable<Integer> {
    @Mixin
    TraceDirOption traceDir;

    @Parameters(paramLabel = "SESSION", defaultValue = "latest",
            description = "A session id, a unique prefix of one, or 'latest' (the most recently started; default).")
    String session;

    @Option(names = "--speed", paramLabel = "X", defaultValue = "1", description = "Play X times faster (default: ${DEFAULT-VALUE}, as recorded; 0.5 is half speed).")
    double speed;

    @Option(names = "--from", paramLabel = "N", defaultValue = "1", description = "Start at event N (1-based; show numbers them in order).")
    int from;

    @Option(names = "--max-gap", paramLabel = "SECONDS", defaultValue = "5",
            description = "Cut any pause longer than this (in session time) down to it (default: ${DEFAULT-VALUE}).")
    double maxGap;

    @Option(names = "--no-status", description = "No status line (the default when stdout is not a terminal).")
    boolean noStatus;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (maxGap < 0) {
            throw new UserError("--max-gap " + maxGap + ": give seconds, 0 or more");
        }
        Replay.Options options;
        try {
            options = new Replay.Options(speed, from, maxGap, !noStatus && System.console() != null);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        TraceStore store = traceDir.store();
        SessionMeta meta = store.resolve(session);
        EventRead read = store.readEvents(meta.sessionId);
        PrintWriter err = spec.commandLine().getErr();
        read.warnings().forEach(w -> err.println("agent-trace: " + w));
        double origin = meta.startedAt != null ? meta.startedAt : read.events().isEmpty() ? 0 : read.events().get(0).timestamp();
        PrintWriter out = spec.commandLine().getOut();
        out.println("replay  " + meta.sessionId + (meta.agentName == null ? "" : "  (" + meta.agentName + ")") + "  " + read.events().size() + " events");
        try {
            new Replay(options, ShowCommand::describe, out, Pacer.SYSTEM).play(read.events(), origin);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        return ExitCodes.OK;
    }
}
