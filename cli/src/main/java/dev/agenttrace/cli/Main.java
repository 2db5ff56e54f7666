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
                DiffCommand.class, StatsCommand.class, CostCommand.class, ExportCommand.class, HealthCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 failure, 2 bad input (unknown option, missing or ambiguous session);",
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
            // the proxy's start-up delays the client's first answer: build only this command's
            // model (picocli reflects over every subcommand otherwise, ~40 ms before the spawn)
            cmd = new CommandLine(new RecordCommand());
            cmd.setCommandName("agent-trace record");
            cmd.setStopAtPositional(true);
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
        } else {
            cmd = new CommandLine(new Main());
            cmd.getSubcommands().get("record").setStopAtPositional(true);
        }
        // mcp: stdout carries the protocol, so help and usage errors go to stderr there too
        boolean mcp = args.length > 0 && "mcp".equals(args[0]);
        cmd.setOut(protocolOnStdout || mcp ? err : out);
        cmd.setErr(err);
        cmd.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("agent-trace: " + ex.getMessage() + ". Try '" + c.getCommandSpec().qualifiedName() + " --help'.");
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

    /** Reads the version Maven wrote into agent-trace.properties. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"agent-trace " + version()};
        }

        static String version() {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/agent-trace.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                // fall through to "unknown"
            }
            return p.getProperty("version", "unknown");
        }
    }
}
