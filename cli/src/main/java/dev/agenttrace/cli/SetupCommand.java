package dev.agenttrace.cli;

import dev.agenttrace.hooks.event.Agent;
import dev.agenttrace.hooks.setup.AgentHooks;
import dev.agenttrace.hooks.setup.HookConfigFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agent-trace setup <agent>}: install (or {@code --undo}) agent-trace's hooks in an agent's configuration. */
@Command(name = "setup", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Install agent-trace's hooks in an agent's configuration, merged with what is there (other hooks and keys kept, "
                + "formatting untouched, a backup beside the file); running it twice changes nothing; --undo restores the file exactly.",
                "Agents: claude-code (.claude/settings.json), cursor (.cursor/hooks.json), gemini (.gemini/settings.json), "
                        + "codex (.codex/hooks.json), copilot (.github/hooks/agent-trace.json)."})
final class SetupCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "AGENT", description = "claude-code, cursor, gemini, codex or copilot.")
    String agentName;

    @Option(names = "--project", description = "Install in the project (default): the configuration in --dir.")
    boolean project;

    @Option(names = "--user", description = "Install for the user: the configuration in the home directory (all projects).")
    boolean user;

    @Option(names = "--dir", paramLabel = "DIR", description = "The project directory (default: the working directory).")
    Path dir;

    @Option(names = "--strict", description = "Refuse a tool call when agent-trace cannot answer (serve down, slow or failing); "
            + "without it the agent runs the call, as every agent does when a hook fails.")
    boolean strict;

    @Option(names = "--undo", description = "Restore the configuration as it was before setup.")
    boolean undo;

    @Option(names = "--force", description = "With --undo: restore even if the file was edited after setup (those edits are lost).")
    boolean force;

    @Option(names = "--dry-run", description = "Print what would change; write nothing.")
    boolean dryRun;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "3100", description = "serve's port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--command", paramLabel = "PATH",
            description = "How the hooks run agent-trace (default: $AGENT_TRACE_BIN, else agent-trace on PATH).")
    String command;

    @Option(names = "--trace-dir", paramLabel = "DIR",
            description = "Where hook sessions are recorded (default: .agent-traces in the project; ~/.agent-traces with --user).")
    Path traceDir;

    @Option(names = "--wrap-servers", description = "Also run the agent's stdio MCP servers through agent-trace record "
            + "(as 'agent-trace wrap AGENT'; with --undo, as 'agent-trace unwrap AGENT').")
    boolean wrapServers;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Agent agent = Agent.parse(agentName);
        if (agent == null) {
            throw new UserError("'" + agentName + "' is not an agent agent-trace can set up: use one of " + Agent.choices());
        }
        if (project && user) {
            throw new UserError("--project and --user: choose one");
        }
        if (port < 1 || port > 65535) {
            throw new UserError("--port " + port + " is not a port: use 1-65535");
        }
        Path home = Path.of(System.getProperty("user.home"));
        Path projectDir = (dir != null ? dir : Path.of("")).toAbsolutePath().normalize();
        AgentHooks.Scope scope = user ? AgentHooks.Scope.USER : AgentHooks.Scope.PROJECT;
        String cmd = command != null ? command : System.getenv().getOrDefault("AGENT_TRACE_BIN", "agent-trace");
        Path traces = traceDir != null ? traceDir.toAbsolutePath() : (user ? home : projectDir).resolve(".agent-traces");
        AgentHooks.Options o = new AgentHooks.Options(cmd, URI.create("http://127.0.0.1:" + port + "/"), traces, strict);
        String codexHomeEnv = System.getenv("CODEX_HOME");
        Path codexHome = codexHomeEnv != null && !codexHomeEnv.isBlank() ? Path.of(codexHomeEnv).toAbsolutePath() : home.resolve(".codex");
        HookConfigFile.Plan plan = AgentHooks.plan(agent, scope, projectDir, home, codexHome, o);
        PrintWriter out = spec.commandLine().getOut();
        String prefix = dryRun ? "[dry run] " : "";
        try {
            if (undo) {
                // servers first: wrap wrote after setup, and Gemini keeps both in one file, whose undo checks it is as setup left it
                wrapServers(out, agent, true, cmd);
                HookConfigFile.Outcome r = HookConfigFile.undo(plan.file(), dryRun, force);
                out.println(prefix + (r.changed() ? plan.file() + ": " + r.note() + " (agent-trace hooks removed)" : r.note()));
                return ExitCodes.OK;
            }
            HookConfigFile.Outcome r = HookConfigFile.apply(plan, dryRun);
            if (!r.changed()) {
                out.println(plan.file() + ": agent-trace hooks already installed (" + String.join(", ", r.present()) + "); nothing changed");
            } else {
                out.println(prefix + plan.file() + ": added agent-trace hooks for " + String.join(", ", r.added())
                        + (r.present().isEmpty() ? "" : " (already there: " + String.join(", ", r.present()) + ")"));
                if (!dryRun) {
                    out.println("backup: " + r.backup() + " (undo: agent-trace setup " + agent.wireName() + (user ? " --user" : " --project")
                            + (dir != null ? " --dir " + dir : "") + " --undo)");
                } else {
                    out.println(r.text());
                }
            }
            wrapServers(out, agent, false, cmd);
            if (agent == Agent.CODEX && !dryRun) {
                // Codex skips an untrusted hook without a word in `codex exec`: these hooks do nothing until trusted
                out.println("note: Codex runs a hook only once you have trusted it (by its hash: editing it untrusts it again);"
                        + " review them with /hooks in codex" + (user ? "" : ", and trust the project (codex exec --trust, or"
                        + " trust_level = \"trusted\" under [projects.\"" + projectDir + "\"] in " + codexHome.resolve("config.toml")
                        + "): Codex ignores .codex/ of an untrusted project"));
            }
            if (agent == Agent.GEMINI && !user) {
                // the real CLI (0.61.0) ran a whole `gemini -p --skip-trust` session with none of these hooks
                out.println("note: Gemini CLI runs project hooks only in a folder you have trusted (or with GEMINI_CLI_TRUST_WORKSPACE=true);"
                        + " gemini --skip-trust in an untrusted folder runs its tools with NO project hooks, unjudged and unrecorded:"
                        + " guard such runs with agent-trace setup gemini --user");
            }
            if (agent == Agent.CLAUDE_CODE && !strict) {
                out.println("note: HTTP hooks fail open (a call runs if serve is down); --strict refuses calls agent-trace cannot answer");
            }
            out.flush();
            return ExitCodes.OK;
        } catch (IOException e) {
            throw new UserError(e.getMessage());
        }
    }

    /** --wrap-servers: the agent's MCP servers, as wrap/unwrap would (record's own trace store, the hooks' --trace-dir if given). */
    private void wrapServers(PrintWriter out, Agent agent, boolean unwrap, String cmd) {
        if (!wrapServers) {
            return;
        }
        String servers = switch (agent) {
            case CLAUDE_CODE -> "claude-code";
            case CURSOR -> "cursor";
            case GEMINI -> "gemini";
            case COPILOT -> "vscode";
            case CODEX -> null;
        };
        if (servers == null) {
            out.println("note: Codex keeps its MCP servers in .codex/config.toml, which wrap does not rewrite; wrap them by hand");
            return;
        }
        java.util.List<String> extra = traceDir != null ? java.util.List.of("--trace-dir", traceDir.toAbsolutePath().normalize().toString())
                : java.util.List.of();
        WrapCommand.run(out, unwrap, servers, null, project, user, dir, null, dryRun, cmd, extra);
    }
}
