package dev.agenttrace.cli;

import dev.agenttrace.rules.watch.PauseControl;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agent-trace resume}: SIGCONT to a paused agent; closes a blocked session's breaker. */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = {"Continue an agent that a watch 'pause' rule stopped (SIGCONT), and close the breaker of a session a",
                "'block' rule stopped (its recorder lets tool calls through again within a second and records so).",
                "SESSION is a session id or prefix (its paused pid is on record), or a pid."})
final class ResumeCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SESSION|PID", arity = "0..1", defaultValue = "latest", description = "Session or pid (default: the latest session).")
    String target;

    @Mixin
    TraceDirOption traceDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PauseControl.Resumed r;
        try {
            r = PauseControl.resume(traceDir.store(), target);
        } catch (PauseControl.ResumeException e) {
            throw new UserError(e.getMessage());
        }
        String session = r.sessionId() == null ? "" : " (session " + r.sessionId() + ")";
        if (r.breakerPid() > 0) {
            spec.commandLine().getOut().println("closed the breaker of the recorder pid " + r.breakerPid() + session);
        }
        if (r.pid() > 0) {
            spec.commandLine().getOut().println("resumed pid " + r.pid() + session);
        }
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
