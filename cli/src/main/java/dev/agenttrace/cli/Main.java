package dev.agenttrace.cli;

import dev.agenttrace.store.AmbiguousSessionException;
import dev.agenttrace.store.SessionNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code agent-trace} command. Wiring only: every behaviour lives in a module a test can reach.
 * stdout belongs to the MCP protocol during {@code record}, so there picocli's own output (help,
 * usage errors) goes to stderr.
 */
@Command(name = "agent-trace", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Record, inspect, firewall and watch the JSON-RPC traffic between an AI agent and its MCP servers (stdio and HTTP); serve the traces to a debugging agent.",
        subcommands = {RecordCommand.class, RecordHttpCommand.class, ListCommand.class, ShowCommand.class, PolicyCommand.class, AuditCommand.class,
                WatchCommand.class, LintCommand.class, ResumeCommand.class, McpCommand.class, ExplainCommand.class,
                DiffCommand.class, StatsCommand.class, CostCommand.class, RetentionCommand.class, ServeCommand.class,
                HookCommand.class, SetupCommand.class, WrapCommand.class, WrapCommand.Unwrap.class, ReportCommand.class, DashboardCommand.class,
                ReplayCommand.class, ImportCommand.class,
                ExportCommand.class, HealthCommand.class, AuditToolsCommand.class, DriftCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 failure (or part of the input could not be read), 2 bad input (unknown option,",
                "missing or ambiguous session), 3 found (audit: violations; lint: critical findings, or warnings with --strict;",
                "audit-tools: unguarded or unapproved; policy explain: blocked; policy diff: newly blocked calls);",
                "record exits with the server's own code, 127 if it cannot be started."})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command as a user types it; tests call this with their own writers. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        boolean protocolOnStdout = args.length > 0 && "record".equals(args[0]);
        CommandLine cmd;
        if (protocolOnStdout) {
            // Jackson's databind takes ~50 ms to load and the trace and policy both need it: load it
            // on the other core while picocli parses and the server is spawned
            Thread warm = new Thread(dev.agenttrace.store.TraceJson::mapper, "agent-trace-warm-up");
            warm.setDaemon(true);
            warm.start();
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
            // the proxy's start-up delays the client's first answer: a plain line is read without
            // picocli (RecordArgs); anything else gets only this command's model
            RecordCommand fast = RecordArgs.parse(args);
            if (fast != null) {
                try {
                    return fast.call();
                } catch (RuntimeException ex) {
                    err.println("agent-trace: " + oneLine(ex));
                    return isUserError(ex) ? ExitCodes.USAGE : ExitCodes.FAILURE;
                }
            }
            cmd = new CommandLine(new RecordCommand());
            cmd.setCommandName("agent-trace record");
            cmd.setStopAtPositional(true);
        } else {
            cmd = new CommandLine(new Main());
            cmd.getSubcommands().get("record").setStopAtPositional(true);
        }
        // mcp: stdout carries the protocol, so help and usage errors go to stderr there too
        boolean mcp = args.length > 0 && ("mcp".equals(args[0]) || "hook".equals(args[0])); // hook: stdout is the agent's answer
        cmd.setOut(protocolOnStdout || mcp ? err : out);
        cmd.setErr(err);
        cmd.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("agent-trace: " + UsageErrors.describe(ex));
            return ExitCodes.USAGE;
        });
        cmd.setExecutionExceptionHandler((ex, c, parsed) -> {
            c.getErr().println("agent-trace: " + oneLine(ex));
            return isUserError(ex) ? ExitCodes.USAGE : ExitCodes.FAILURE;
        });
        return cmd.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "a command is required (record, list, show, explain, mcp, ...)");
    }

    private static boolean isUserError(Throwable ex) {
        return ex instanceof UserError || ex instanceof SessionNotFoundException || ex instanceof AmbiguousSessionException;
    }

    private static String oneLine(Throwable ex) {
        if (ex instanceof UncheckedIOException u && u.getCause() != null) {
            ex = u.getCause();
        }
        String m = ex.getMessage();
        if (m == null || m.isBlank()) {
            m = ex.getClass().getSimpleName();
        }
        // one line per error, whatever the module wrote (lists of candidates come as indented lines)
        return m.strip().replaceAll(":\\s*\\R\\s*", ": ").replaceAll("\\s*\\R\\s*", "; ");
    }

    /** Reads the version Maven wrote into agent-trace.properties, and the build's commit. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties p = properties();
            return new String[] {"agent-trace " + p.getProperty("version", "unknown") + " (commit "
                    + p.getProperty("commit", "unknown") + ", built " + p.getProperty("built", "unknown") + ", Java "
                    + Runtime.version() + ")"};
        }

        static String version() {
            return properties().getProperty("version", "unknown");
        }

        private static Properties properties() {
            Properties p = new Properties();
            for (String r : new String[] {"/agent-trace.properties", "/agent-trace-build.properties"}) {
                try (InputStream in = Main.class.getResourceAsStream(r)) {
                    if (in != null) {
                        p.load(in);
                    }
                } catch (IOException e) {
                    // left out: --version says "unknown"
                }
            }
            return p;
        }
    }
}
