package dev.agenttrace.cli;

import dev.agenttrace.hooks.setup.McpServerWrap;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agent-trace wrap [AGENT|--file F]}: run an agent's stdio MCP servers through {@code agent-trace record}. */
@Command(name = "wrap", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Run every stdio MCP server of an agent's config through 'agent-trace record --name NAME -- <its command>': only "
                + "command and args change (env, cwd, other keys and the file's formatting are kept), a backup is written beside the file, "
                + "a server already wrapped is not wrapped twice; 'agent-trace unwrap' puts it back.",
                "Remote servers (url, httpUrl, serverUrl) are left alone: the record-http command that would front each is printed.",
                "Agents: claude-code (.mcp.json and this project's servers in ~/.claude.json; --user: all of ~/.claude.json), "
                        + "cursor (.cursor/mcp.json), vscode (.vscode/mcp.json), windsurf (~/.codeium/windsurf/mcp_config.json), "
                        + "gemini (.gemini/settings.json); none named: every one whose config exists."})
final class WrapCommand implements Callable<Integer> {
    /** The first port suggested for the record-http fronting a remote server (3100 is serve's and record-http's default). */
    static final int FIRST_REMOTE_PORT = 3101;

    /** Which configs: an agent's (or all), a project's or the user's, or one file; shared by wrap and unwrap. */
    static final class Targets {
        @Parameters(index = "0", arity = "0..1", paramLabel = "AGENT", description = "claude-code, cursor, vscode, windsurf or gemini (default: all).")
        String agentName;

        @Option(names = "--file", paramLabel = "FILE", description = "The servers of this file (its mcpServers or servers) instead.")
        Path file;

        @Option(names = "--project", description = "The project's configs (default): those in --dir.")
        boolean project;

        @Option(names = "--user", description = "The user's configs in the home directory.")
        boolean user;

        @Option(names = "--dir", paramLabel = "DIR", description = "The project directory (default: the working directory).")
        Path dir;

        @Option(names = "--dry-run", description = "Print what would change; write nothing.")
        boolean dryRun;

        @Option(names = "--home", paramLabel = "DIR", hidden = true, description = "The home directory (default: yours); for tests.")
        Path home;

        int run(PrintWriter out, boolean unwrap, String command, List<String> extra) {
            return WrapCommand.run(out, unwrap, agentName, file, project, user, dir, home, dryRun, command, extra);
        }
    }

    @Mixin
    Targets targets;

    @Option(names = "--command", paramLabel = "PATH",
            description = "How the agent runs agent-trace (default: $AGENT_TRACE_BIN, else agent-trace on PATH).")
    String command;

    @Option(names = "--policy", paramLabel = "FILE", description = "record --policy FILE for every wrapped server (made absolute).")
    Path policy;

    @Option(names = "--watch", paramLabel = "FILE", description = "record --watch FILE for every wrapped server (made absolute).")
    Path watch;

    @Option(names = "--trace-dir", paramLabel = "DIR",
            description = "record --trace-dir DIR for every wrapped server (default: record's own, the store of the directory the agent starts it in).")
    Path traceDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<String> extra = new ArrayList<>();
        if (traceDir != null) {
            extra.addAll(List.of("--trace-dir", traceDir.toAbsolutePath().normalize().toString()));
        }
        for (Object[] o : new Object[][] {{"--policy", policy}, {"--watch", watch}}) {
            Path p = (Path) o[1];
            if (p != null) {
                if (!Files.isRegularFile(p)) {
                    throw new UserError(o[0] + " " + p + ": no such file (every wrapped server would fail to start)");
                }
                extra.addAll(List.of((String) o[0], p.toAbsolutePath().normalize().toString()));
            }
        }
        return targets.run(spec.commandLine().getOut(), false, command, extra);
    }

    static String launcher(String command) {
        return command != null ? command : System.getenv().getOrDefault("AGENT_TRACE_BIN", "agent-trace");
    }

    /** wrap or unwrap the targets the options name; prints what it did. Every file is read and checked before any is written. */
    static int run(PrintWriter out, boolean unwrap, String agentName, Path file, boolean project, boolean user, Path dir, Path homeDir, boolean dryRun,
                   String command, List<String> extra) {
        if (project && user) {
            throw new UserError("--project and --user: choose one");
        }
        if (file != null && agentName != null) {
            throw new UserError("name an agent or --file, not both");
        }
        String agent = null;
        if (agentName != null) {
            agent = McpServerWrap.agent(agentName);
            if (agent == null) {
                throw new UserError("'" + agentName + "' is not an agent whose MCP servers agent-trace can wrap: use one of "
                        + String.join(", ", McpServerWrap.AGENTS) + " (copilot: vscode; codex keeps its servers in TOML: not supported), or --file");
            }
        }
        Path home = homeDir != null ? homeDir : Path.of(System.getProperty("user.home"));
        Path projectDir = (dir != null ? dir : Path.of("")).toAbsolutePath().normalize();
        List<McpServerWrap.Target> targets;
        try {
            targets = file != null ? List.of(McpServerWrap.file(file.toAbsolutePath().normalize()))
                    : McpServerWrap.targets(agent, user, projectDir, home);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        String cmd = launcher(command);
        String verb = unwrap ? "unwrap" : "wrap";
        String prefix = dryRun ? "[dry run] " : "";
        List<McpServerWrap.Change> changes = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (McpServerWrap.Target t : targets) {
            if (!Files.isRegularFile(t.file())) {
                continue;
            }
            try {
                changes.add(unwrap ? McpServerWrap.unwrap(t, cmd) : McpServerWrap.wrap(t, new McpServerWrap.Options(cmd, extra)));
            } catch (IOException e) {
                errors.add(e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw new UserError(String.join("\n", errors) + "\nnothing was written");
        }
        if (changes.isEmpty()) {
            out.println("no MCP config found (" + String.join(", ", targets.stream().map(t -> t.file().toString()).distinct().toList())
                    + "); nothing to " + verb);
        }
        int port = FIRST_REMOTE_PORT;
        try {
            for (McpServerWrap.Change c : changes) {
                out.println(prefix + c.file() + ":");
                for (McpServerWrap.Server s : c.servers()) {
                    String name = s.block().equals("mcpServers") || s.block().equals("servers") ? s.name() : s.block() + "." + s.name();
                    switch (s.kind()) {
                        case WRAPPED -> out.println("  wrapped " + name + ": " + McpServerWrap.shell(s.after()));
                        case UNWRAPPED -> out.println("  unwrapped " + name + ": " + McpServerWrap.shell(s.after()));
                        case ALREADY_WRAPPED -> out.println("  " + name + ": already runs through agent-trace record; unchanged");
                        case NOT_WRAPPED -> out.println("  " + name + ": not wrapped; unchanged");
                        case SKIPPED -> out.println("  " + name + ": " + s.note());
                        case REMOTE -> {
                            if (unwrap) {
                                out.println("  " + name + ": remote (" + s.url() + "); unchanged");
                            } else if (s.url().isEmpty()) {
                                out.println("  " + name + ": remote, without a url; left alone");
                            } else {
                                out.println("  " + name + ": remote (" + s.url() + "); left alone. To record it, run");
                                out.println("      " + McpServerWrap.shell(List.of(cmd, "record-http", s.url(), "--name", s.name(),
                                        "--port", Integer.toString(port))));
                                out.println("    and set its url to " + McpServerWrap.localUrl(s.url(), port));
                                port++;
                            }
                        }
                    }
                }
                if (!c.changed()) {
                    out.println("  nothing changed");
                    continue;
                }
                if (dryRun) {
                    c.diff().forEach(l -> out.println("  " + l));
                    continue;
                }
                McpServerWrap.write(c);
                if (unwrap) {
                    out.println(c.exact() ? "  restored the file as it was before wrap" : "  unwrapped server by server (the file changed since wrap)");
                } else {
                    out.println("  backup: " + McpServerWrap.backupOf(c.file()) + " (undo: " + cmd + " unwrap "
                            + (file != null ? "--file " + c.file() : (agent != null ? agent + " " : "") + (user ? "--user" : "--project")
                            + (dir != null ? " --dir " + projectDir : "")) + ")");
                }
            }
        } catch (IOException e) {
            throw new UserError(e.getMessage());
        }
        if (port > FIRST_REMOTE_PORT) {
            out.println("note: remote servers are not rewritten (each needs its own running record-http); audit-tools counts one as recorded "
                    + "with --record-http-port");
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** {@code agent-trace unwrap}: put the servers back as they were. */
    @Command(name = "unwrap", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"Undo 'agent-trace wrap': the file's exact bytes from the backup when the file is as wrap left it, else each "
                    + "wrapped server's original command from its args after '--' (other changes to the file are kept)."})
    static final class Unwrap implements Callable<Integer> {
        @Mixin
        Targets targets;

        @Option(names = "--command", paramLabel = "PATH", description = "The launcher wrap wrote, when not named agent-trace (default: $AGENT_TRACE_BIN).")
        String command;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return targets.run(spec.commandLine().getOut(), true, command, List.of());
        }
    }
}
