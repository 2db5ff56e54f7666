package dev.agenttrace.cli;

import dev.agenttrace.store.AmbiguousSessionException;
import dev.agenttrace.store.SessionNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Properties;
import picocli.CommandLine;

/**
 * The {@code agent-trace} command's entry point. Wiring only: every behaviour lives in a module a
 * test can reach. Nothing here touches picocli: {@code record} and {@code mcp} (which an MCP client
 * waits for on every launch) read a plain argument line themselves and never load it; every other
 * line goes to {@link Cli}. stdout belongs to the MCP protocol during {@code record}, so there picocli's own
 * output (help, usage errors) goes to stderr.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command as a user types it; tests call this with their own writers. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        if (args.length > 0 && "record".equals(args[0])) {
            String[] rest = Arrays.copyOfRange(args, 1, args.length);
            // the proxy's start-up delays the client's first answer: a plain line is read without
            // picocli (RecordArgs); anything else gets only this command's model
            RecordCommand fast = RecordArgs.parse(rest);
            if (fast != null) {
                try {
                    return fast.call();
                } catch (RuntimeException ex) {
                    err.println("agent-trace: " + oneLine(ex));
                    return isUserError(ex) ? ExitCodes.USAGE : ExitCodes.FAILURE;
                }
            }
        }
        if (args.length > 0 && "mcp".equals(args[0])) {
            // the debugging server: its client waits for initialize to be answered, picocli's model costs ~0.1 s
            McpCommand fast = McpArgs.parse(Arrays.copyOfRange(args, 1, args.length));
            if (fast != null) {
                try {
                    return fast.call();
                } catch (Exception ex) {
                    err.println("agent-trace: " + oneLine(ex));
                    return isUserError(ex) ? ExitCodes.USAGE : ExitCodes.FAILURE;
                }
            }
        }
        return Cli.execute(args, out, err);
    }

    static boolean isUserError(Throwable ex) {
        return ex instanceof UserError || ex instanceof SessionNotFoundException || ex instanceof AmbiguousSessionException;
    }

    static String oneLine(Throwable ex) {
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

    /** The version Maven wrote into agent-trace.properties. */
    static String version() {
        return buildProperties().getProperty("version", "unknown");
    }

    /** The version, the build's commit and time. */
    static Properties buildProperties() {
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

    /** {@code --version}: the version, the build's commit and time, and the java it runs on. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties p = buildProperties();
            return new String[] {"agent-trace " + p.getProperty("version", "unknown") + " (commit "
                    + p.getProperty("commit", "unknown") + ", built " + p.getProperty("built", "unknown") + ", Java "
                    + Runtime.version() + ")"};
        }
    }
}
