package dev.agenttrace.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code agent-trace} command line on picocli. Picocli builds the model of a command by
 * reflecting over its annotations, and its class files are too old for class-data sharing: the
 * model of all commands costs ~0.3 s, which {@code agent-trace mcp} (started by a debugging client
 * at every launch) would wait for. So a line that names a command gets a root with that command
 * only; the full tree is built for the lines that need it (help, {@code --version}, a missing or
 * unknown command). Both roots are the same {@code agent-trace} to the user.
 */
@Command(name = "agent-trace", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Record, inspect, firewall and watch the JSON-RPC traffic between an AI agent and its MCP servers (stdio and HTTP); serve the traces to a debugging agent.",
        footer = {"", "Exit codes: 0 ok, 1 failure (or part of the input could not be read), 2 bad input (unknown option,",
                "missing or ambiguous session), 3 found (audit: violations; lint: critical findings, or warnings with --strict;",
                "audit-tools: unguarded or unapproved; policy explain: blocked; policy diff: newly blocked calls);",
                "record exits with the server's own code, 127 if it cannot be started."})
final class Cli implements Runnable {
    /** Every command, in the order help lists them. */
    static final List<String> NAMES = List.of("record", "record-http", "list", "show", "policy", "audit", "watch", "lint",
            "resume", "mcp", "explain", "diff", "stats", "cost", "retention", "serve", "hook", "setup", "wrap", "unwrap", "report",
            "dashboard", "replay", "import", "export", "health", "audit-tools", "drift");

    /** The command of that name (its own {@code @Command} name; CliTest checks), or null. */
    static Object command(String name) {
        return switch (name) {
            case "record" -> new RecordCommand();
            case "record-http" -> new RecordHttpCommand();
            case "list" -> new ListCommand();
            case "show" -> new ShowCommand();
            case "policy" -> new PolicyCommand();
            case "audit" -> new AuditCommand();
            case "watch" -> new WatchCommand();
            case "lint" -> new LintCommand();
            case "resume" -> new ResumeCommand();
            case "mcp" -> new McpCommand();
            case "explain" -> new ExplainCommand();
            case "diff" -> new DiffCommand();
            case "stats" -> new StatsCommand();
            case "cost" -> new CostCommand();
            case "retention" -> new RetentionCommand();
            case "serve" -> new ServeCommand();
            case "hook" -> new HookCommand();
            case "setup" -> new SetupCommand();
            case "wrap" -> new WrapCommand();
            case "unwrap" -> new WrapCommand.Unwrap();
            case "import" -> new ImportCommand();
            case "report" -> new ReportCommand();
            case "dashboard" -> new DashboardCommand();
            case "replay" -> new ReplayCommand();
            case "export" -> new ExportCommand();
            case "health" -> new HealthCommand();
            case "audit-tools" -> new AuditToolsCommand();
            case "drift" -> new DriftCommand();
            default -> null;
        };
    }

    /** A root with only the named command under it. */
    @Command(name = "agent-trace", mixinStandardHelpOptions = true, versionProvider = Main.Version.class)
    static final class One implements Runnable {
        @Override
        public void run() {
            throw new CommandLine.ParameterException(new CommandLine(this), "a command is required (record, list, show, explain, mcp, ...)");
        }
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "a command is required (record, list, show, explain, mcp, ...)");
    }

    /** The whole tree: what help and a line without a known command get. */
    static CommandLine all() {
        CommandLine cmd = new CommandLine(new Cli());
        for (String name : NAMES) {
            cmd.addSubcommand(name, new CommandLine(command(name)));
        }
        return cmd;
    }

    static int execute(String[] args, PrintWriter out, PrintWriter err) {
        Object named = args.length > 0 ? command(args[0]) : null;
        CommandLine cmd;
        if (named == null) {
            cmd = all();
        } else {
            cmd = new CommandLine(new One());
            cmd.addSubcommand(args[0], new CommandLine(named));
        }
        CommandLine record = cmd.getSubcommands().get("record");
        if (record != null) {
            record.setStopAtPositional(true);
        }
        // record, mcp: stdout carries the protocol; hook: stdout is the agent's answer. Help and
        // usage errors go to stderr there.
        boolean protocolOnStdout = args.length > 0 && ("record".equals(args[0]) || "mcp".equals(args[0]) || "hook".equals(args[0]));
        cmd.setOut(protocolOnStdout ? err : out);
        cmd.setErr(err);
        cmd.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("agent-trace: " + UsageErrors.describe(ex));
            return ExitCodes.USAGE;
        });
        cmd.setExecutionExceptionHandler((ex, c, parsed) -> {
            c.getErr().println("agent-trace: " + Main.oneLine(ex));
            return Main.isUserError(ex) ? ExitCodes.USAGE : ExitCodes.FAILURE;
        });
        return cmd.execute(args);
    }
}
