package dev.agenttrace.cli;

import dev.agenttrace.rules.watch.AlertActions;
import dev.agenttrace.rules.watch.LiveWatch;
import dev.agenttrace.rules.watch.StatusBoard;
import dev.agenttrace.rules.watch.WatchConfig;
import dev.agenttrace.rules.watch.WatchConfigException;
import dev.agenttrace.rules.watch.WatchConfigParser;
import dev.agenttrace.store.TraceStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agent-trace watch}: circuit breakers on sessions another process is recording. */
@Command(name = "watch", mixinStandardHelpOptions = true, subcommands = {WatchCommand.Check.class},
        description = {"Follow sessions another process records (agent-trace record, agent-strace hooks) and trip circuit breakers "
                + "(retry storms, loops, cost, scope, hung calls, ...) within milliseconds of each event.",
                "Rules: --config FILE (repeatable), else .agent-watch.json and .watch-rules.json in the working directory, "
                        + "else the defaults: retry 5, cost $10, duration 30 min, loop 3x3, all alerting on the terminal.",
                "Shows calls, errors, cost, elapsed time and tripped rules per session. 'watch check FILE' validates a configuration."})
final class WatchCommand implements Callable<Integer> {

    @Parameters(paramLabel = "SESSION", arity = "0..*", description = "Session ids or prefixes (default: the latest session).")
    List<String> sessions;

    @Option(names = "--latest", description = "Watch the latest session (the default).")
    boolean latest;

    @Option(names = "--all", description = "Watch every session, including sessions that start while watching.")
    boolean all;

    @Option(names = "--config", paramLabel = "FILE", description = "Watch configuration (.agent-watch.json or .watch-rules.json); repeatable, later files win.")
    List<Path> configs;

    @Option(names = "--agent-pid", paramLabel = "PID", description = "The agent process pause and kill act on (default: agent_pid in each session's meta).")
    long agentPid;

    @Option(names = "--dry-run", description = "Say what pause and kill would do instead of sending signals.")
    boolean dryRun;

    @Option(names = "--max-idle", paramLabel = "SECONDS", description = "Stop after this long without any event (default: never).")
    double maxIdle;

    @Mixin
    TraceDirOption traceDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (all && ((sessions != null && !sessions.isEmpty()) || latest)) {
            throw new UserError("--all watches every session: drop the session ids and --latest");
        }
        if (latest && sessions != null && !sessions.isEmpty()) {
            throw new UserError("--latest and session ids: choose one");
        }
        if (agentPid < 0) {
            throw new UserError("--agent-pid " + agentPid + " is not a pid");
        }
        WatchConfig config = load(configs, WatchConfig.defaults());
        TraceStore store = traceDir.store();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        StatusBoard board = new StatusBoard(out, err, System.console() != null, columns());
        List<String> names = new ArrayList<>();
        config.rules().forEach(r -> names.add(r.name()));
        err.println("agent-trace watch: rules from " + String.join(", ", config.sources()) + ": "
                + (names.isEmpty() ? "none" : String.join(", ", names)) + (dryRun ? " (dry run: no signals)" : ""));
        for (String w : config.warnings()) {
            err.println("agent-trace watch: warning: " + w);
        }
        err.flush();
        List<String> targets = all ? List.of() : sessions == null || sessions.isEmpty() ? List.of("latest") : sessions;
        try (AlertActions actions = AlertActions.builder().config(config).traceDir(store.dir()).terminal(board::printAbove)
                .problems(board::warning).dryRun(dryRun).build()) {
            LiveWatch live = new LiveWatch(store, config, actions, board,
                    new LiveWatch.Options(all ? LiveWatch.Mode.ALL : LiveWatch.Mode.SESSIONS, targets, agentPid, 50, maxIdle));
            // on SIGTERM the hook asks the watch to stop and waits for its last status lines: the JVM
            // halts when its hooks return, which raced the final board (a session's last counts lost)
            java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
            Thread stopper = new Thread(() -> {
                live.stop();
                try {
                    finished.await(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "agent-trace-watch-stop");
            Runtime.getRuntime().addShutdownHook(stopper);
            try {
                live.run();
                out.flush();
                err.flush();
            } finally {
                finished.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(stopper);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: nothing to remove
                }
            }
        }
        return ExitCodes.OK;
    }

    /** $COLUMNS when the shell exports it, else 120. */
    private static int columns() {
        try {
            String c = System.getenv("COLUMNS");
            return c == null ? 120 : Math.max(20, Integer.parseInt(c.strip()));
        } catch (NumberFormatException e) {
            return 120;
        }
    }

    /**
     * The explicit files merged in order, else the default files present in the working directory
     * merged into {@code whenNone}'s place, else {@code whenNone}. A bad file is a one-line user error.
     */
    static WatchConfig load(List<Path> explicit, WatchConfig whenNone) {
        try {
            WatchConfig c = WatchConfig.load(files(explicit));
            return c == null ? whenNone : c;
        } catch (WatchConfigException e) {
            throw new UserError(e.getMessage());
        }
    }

    /** The explicit files, else the default files present in the working directory. */
    static List<Path> files(List<Path> explicit) {
        return explicit != null && !explicit.isEmpty() ? explicit : WatchConfig.filesIn(Path.of(""));
    }

    /** {@code agent-trace watch check FILE...}. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Validate watch configuration files and show what they watch.",
                    "Exit 0 if every file is usable, 2 with FILE:LINE:COLUMN, the problem and the fix if not."})
    static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "1..*", description = ".agent-watch.json or .watch-rules.json files.")
        List<Path> files;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            for (Path f : files) {
                WatchConfig c;
                try {
                    c = WatchConfigParser.parse(f);
                } catch (WatchConfigException e) {
                    throw new UserError(e.getMessage());
                }
                out.println(f + ": ok");
                out.println(c.describe());
            }
            out.flush();
            return ExitCodes.OK;
        }
    }
}
