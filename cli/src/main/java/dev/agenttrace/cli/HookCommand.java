package dev.agenttrace.cli;

import dev.agenttrace.hooks.HookService;
import dev.agenttrace.hooks.command.HookRunner;
import dev.agenttrace.hooks.command.ServeLauncher;
import dev.agenttrace.hooks.event.Agent;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agent-trace hook <agent> [<event>]}: one hook as a command (stdin JSON, answer on stdout and exit code). */
@Command(name = "hook", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Answer one agent hook: read its JSON on stdin, hand it to a running 'agent-trace serve' (or judge it here when "
                + "none runs), print the answer in the agent's protocol on stdout.",
                "Agents: claude-code, cursor, gemini, codex, copilot. EVENT is the agent's event name (PreToolUse, beforeShellExecution, "
                        + "BeforeTool, preToolUse); without it the payload's hook_event_name is used.",
                "stdout carries only the answer; messages go to stderr."})
final class HookCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "AGENT", description = "claude-code, cursor, gemini, codex or copilot.")
    String agentName;

    @Parameters(index = "1", paramLabel = "EVENT", arity = "0..1", description = "The hook event (default: the payload's hook_event_name).")
    String event;

    @Option(names = "--serve-url", paramLabel = "URL", defaultValue = "http://127.0.0.1:3100",
            description = "Where serve listens (default: ${DEFAULT-VALUE}).")
    String serveUrl;

    @Option(names = "--no-serve", description = "Judge and record in this process; do not try serve.")
    boolean noServe;

    @Option(names = "--ensure-serve", description = "Start serve in the background if none answers (the SessionStart hook setup installs).")
    boolean ensureServe;

    @Option(names = "--strict", description = "Refuse a tool call agent-trace cannot judge (serve slow or failing, payload unreadable); "
            + "default: leave it to the agent, as every agent does with a failed hook.")
    boolean strict;

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "30000",
            description = "How long serve may take to answer (default: ${DEFAULT-VALUE}; keep it under the agent's hook timeout).")
    long timeoutMs;

    @Mixin
    TraceDirOption traceDir;

    @Option(names = "--policy", paramLabel = "FILE", description = "In-process: the policy of a project without .agent-scope.json.")
    Path defaultPolicy;

    @Option(names = "--watch", paramLabel = "FILE", description = "In-process: the breakers of a project without .agent-watch.json.")
    Path defaultWatch;

    @Mixin
    PolicyModeOption policyMode;

    @Override
    public Integer call() throws IOException {
        Agent agent = Agent.parse(agentName);
        if (agent == null) {
            throw new UserError("'" + agentName + "' is not an agent agent-trace knows: use one of " + Agent.choices());
        }
        URI serve = null;
        if (!noServe) {
            try {
                serve = URI.create(serveUrl.endsWith("/") ? serveUrl : serveUrl + "/");
            } catch (IllegalArgumentException e) {
                throw new UserError("--serve-url '" + serveUrl + "' is not a URL: give http://127.0.0.1:PORT");
            }
        }
        byte[] stdin = System.in.readNBytes(64 * 1024 * 1024);
        PrintStream err = System.err;
        Path dir = traceDir.resolve();
        if (ensureServe && serve != null && !HookRunner.serveAnswers(serve, Duration.ofMillis(300))) {
            String problem = ServeLauncher.start(serve, dir, Duration.ofSeconds(5));
            if (problem != null) {
                err.println("agent-trace: " + problem);
            }
        }
        var mode = policyMode.mode();
        HookRunner runner = new HookRunner(agent, event, serve, Duration.ofMillis(timeoutMs), strict);
        HookRunner.Result r = runner.run(stdin, () -> HookService.create(dir, true, mode, defaultPolicy, defaultWatch, err, Duration.ofSeconds(540))
                .modeFromCommandLine(policyMode.explicit()));
        if (r.stderr() != null) {
            err.println(r.stderr());
        }
        System.out.write(r.stdout());
        System.out.flush();
        return r.exitCode();
    }
}
