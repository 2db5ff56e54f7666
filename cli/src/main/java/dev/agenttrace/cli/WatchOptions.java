package dev.agenttrace.cli;

import dev.agenttrace.rules.watch.AlertActions;
import dev.agenttrace.rules.watch.SessionContext;
import dev.agenttrace.rules.watch.SessionTarget;
import dev.agenttrace.rules.watch.SessionWatch;
import dev.agenttrace.rules.watch.WatchConfig;
import dev.agenttrace.rules.watch.WatchedSession;
import dev.agenttrace.store.TraceEvent;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/** {@code --watch}, {@code --no-watch} and {@code --agent-pid}: watchers inline in a proxy (record, record-http). */
final class WatchOptions {
    @Option(names = "--watch", paramLabel = "FILE",
            description = "Circuit breakers run inline, on every message before it is forwarded (.agent-watch.json or .watch-rules.json; "
                    + "repeatable, later files win). A rule whose action is block stops the very call that trips it. "
                    + "Default: those files in the working directory, when present.")
    List<Path> files;

    @Option(names = "--no-watch", description = "Run no watchers, even if .agent-watch.json or .watch-rules.json is present.")
    boolean off;

    @Option(names = "--agent-pid", paramLabel = "PID",
            description = "The agent process that pause and kill act on (default for record: the proxy's parent, the agent that started it).")
    long agentPid;

    /** Whether watchers will run; checks the options (a user error if they contradict each other). */
    boolean wanted() {
        if (off && files != null && !files.isEmpty()) {
            throw new UserError("--watch and --no-watch: choose one");
        }
        if (agentPid < 0) {
            throw new UserError("--agent-pid " + agentPid + " is not a pid");
        }
        return !off && !WatchCommand.files(files()).isEmpty();
    }

    /** The configuration (a user error with file:line:column if it does not parse); null when none applies. */
    WatchConfig load() {
        return WatchCommand.load(files(), null);
    }

    /** The --watch files, else the config file's watch list, else null (the default files). */
    List<Path> files() {
        return files != null && !files.isEmpty() ? files : Config.get().watch();
    }

    /** Says on stderr what is watched. */
    static void announce(WatchConfig config, PrintStream err) {
        List<String> names = new ArrayList<>();
        config.rules().forEach(r -> names.add(r.name()));
        err.println("agent-trace: watching inline with rules from " + String.join(", ", config.sources()) + ": "
                + (names.isEmpty() ? "none" : String.join(", ", names)));
        config.warnings().forEach(w -> err.println("agent-trace: watch warning: " + w));
    }

    /** The actions of a proxy's alerts: alerts.log in the store, webhooks and signals as configured. */
    static AlertActions actions(WatchConfig config, Path traceDir) {
        return AlertActions.builder().config(config).traceDir(traceDir).build();
    }

    /** The watch of one session recorded by this process, with its alerts wired to its trace. */
    static WatchedSession session(WatchConfig config, AlertActions actions, String sessionId, double startedAt, Path root,
                                  Path traceDir, long agentPid, Consumer<TraceEvent> recorder) {
        Path home = Path.of(System.getProperty("user.home"));
        return new WatchedSession(new SessionTarget(new SessionWatch(config, new SessionContext(sessionId, startedAt, root, home)),
                traceDir.resolve(sessionId), agentPid, recorder, true), actions);
    }
}
