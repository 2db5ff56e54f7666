package dev.agenttrace.cli;

import dev.agenttrace.mcp.TraceMcpServer;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code agent-trace mcp}: the debugging MCP server on stdio. stdout carries protocol bytes only:
 * the server writes to the real stdout, and {@code System.out} is pointed at stderr so that no
 * stray print (a library's, a warning) can corrupt the stream.
 */
@Command(name = "mcp", mixinStandardHelpOptions = true,
        description = {"Serve the recorded sessions to a debugging agent as MCP tools over stdio:",
                "list_sessions, get_session, search_events, get_session_summary, diff_sessions.",
                "Register it in mcp.json as: \"command\": \"agent-trace\", \"args\": [\"mcp\", \"--trace-dir\", \"/path/.agent-traces\"]",
                "(repeat --trace-dir to serve several stores; its first stderr line names every store it serves)."})
final class McpCommand implements Callable<Integer> {
    @Mixin
    TraceDirsOption traceDir;

    @Override
    public Integer call() throws Exception {
        // the SDK logs through SLF4J, which has no provider here: keep its three-line notice off stderr
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
        // and SLF4J need not look for one: its ServiceLoader opens every jar on the class path
        // (~70), tens of ms before initialize can be answered
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
        }
        dev.agenttrace.store.StoreSet stores = traceDir.stores();
        System.err.println("agent-trace: mcp serves the sessions in " + stores.describe());
        OutputStream protocol = new FileOutputStream(FileDescriptor.out);
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
        return TraceMcpServer.serve(stores, new FileInputStream(FileDescriptor.in), protocol, Main.version());
    }
}
