package dev.agenttrace.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.store.TraceStore;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema.ServerCapabilities;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/**
 * {@code agent-trace mcp}: the trace store served over stdio to a debugging agent, on the MCP Java
 * SDK. {@code out} must be the process's real stdout and nothing else may write to it: the caller
 * points {@code System.out} at stderr first.
 */
public final class TraceMcpServer {
    static final String INSTRUCTIONS = "Recorded MCP sessions of AI agents (agent-trace). Start with list_sessions or"
            + " search_events; session ids may be shortened to a unique prefix, and 'latest' is the newest session."
            + " get_session_summary explains one session; diff_sessions compares two.";

    /** How long the answers to requests already read may take once the client's input ended. */
    static final long ANSWER_WAIT_MS = 60_000;

    private TraceMcpServer() {
    }

    /** Serves until the client closes stdin; returns the exit code. */
    public static int serve(TraceStore store, InputStream in, OutputStream out, String version) throws InterruptedException {
        return serve(dev.agenttrace.store.StoreSet.of(store, "--trace-dir"), in, out, version);
    }

    /** As {@link #serve(TraceStore, InputStream, OutputStream, String)}, over the sessions of several stores. */
    public static int serve(dev.agenttrace.store.StoreSet stores, InputStream in, OutputStream out, String version)
            throws InterruptedException {
        // a client that writes its calls and closes stdin at once still gets every answer
        InFlight inFlight = new InFlight();
        InputStream watched = inFlight.reading(in, ANSWER_WAIT_MS);
        OutputStream answering = inFlight.writing(out);
        TraceTools tools = new TraceTools(stores);
        // the index of a large store takes a core for a while: not before initialize is answered,
        // which the client is waiting for (a query made before it is done refreshes it itself)
        inFlight.afterFirstAnswer(tools::warmUp);
        McpJsonMapper json = new JacksonMcpJsonMapper(new ObjectMapper());
        McpSyncServer server = McpServer.sync(new StdioServerTransportProvider(json, watched, answering))
                .jsonMapper(json)
                .jsonSchemaValidator(new LazySchemaValidator())
                .serverInfo("agent-trace", version)
                .instructions(INSTRUCTIONS)
                .capabilities(ServerCapabilities.builder().tools(false).build())
                .requestTimeout(Duration.ofMinutes(5))
                .tools(tools.specifications())
                .build();
        Thread hook = new Thread(server::closeGracefully, "agent-trace-mcp-close");
        Runtime.getRuntime().addShutdownHook(hook);
        inFlight.awaitEnd();
        long unanswered = inFlight.awaitAnswers(ANSWER_WAIT_MS);
        if (unanswered > 0) {
            System.err.println("agent-trace: mcp: the client closed its input; " + unanswered
                    + " request(s) still had no answer after " + ANSWER_WAIT_MS / 1000 + " s");
        }
        server.closeGracefully();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // already on the way out
        }
        return 0;
    }
}
