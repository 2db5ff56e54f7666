package dev.agenttrace.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.store.TraceStore;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema.ServerCapabilities;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;

/**
 * {@code agent-trace mcp}: the trace store served over stdio to a debugging agent, on the MCP Java
 * SDK. {@code out} must be the process's real stdout and nothing else may write to it: the caller
 * points {@code System.out} at stderr first.
 */
public final class TraceMcpServer {
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
        Handshake handshake = new Handshake(version);
        // a client that writes its calls and closes stdin at once still gets every answer
        InFlight inFlight = new InFlight();
        FastStart.Gate gate = new FastStart.Gate(in);
        InputStream watched = inFlight.reading(gate, ANSWER_WAIT_MS);
        OutputStream answering = inFlight.writing(out);
        FastStart.Dedup sdkOut = new FastStart.Dedup(answering);
        // the SDK server is built beside the reading of the first line, which is answered here if
        // it is initialize: the client need not wait for the SDK's reactor pipeline and Jackson's
        // view of its schema records (FastStart)
        McpSyncServer[] built = new McpSyncServer[1];
        TraceTools[] tools = new TraceTools[1];
        Throwable[] failed = new Throwable[1];
        Thread builder = new Thread(() -> {
            try {
                tools[0] = new TraceTools(stores);
                built[0] = build(tools[0], handshake, watched, sdkOut);
            } catch (Throwable e) {
                failed[0] = e;
            }
        }, "agent-trace-mcp-build");
        builder.start();
        FastStart.Head head = FastStart.readFirstLine(in, Handshake.MAX_FIRST_LINE);
        Handshake.Answer fast = head.lineEnd() < 0 ? null : handshake.fastAnswer(head.bytes(), head.lineEnd());
        if (fast != null) {
            try {
                out.write(fast.line());
                out.flush();
                sdkOut.expect(fast);
                inFlight.answeredElsewhere();
            } catch (IOException clientGone) {
                // the SDK meets the same when it answers
            }
        }
        gate.open(head.bytes(), head.length());
        builder.join();
        if (failed[0] instanceof RuntimeException e) {
            throw e;
        } else if (failed[0] instanceof Error e) {
            throw e;
        } else if (failed[0] != null) {
            throw new IllegalStateException(failed[0]);
        }
        McpSyncServer server = built[0];
        // the index of a large store takes a core for a while: not before initialize is answered,
        // which the client is waiting for (a query made before it is done refreshes it itself)
        inFlight.afterFirstAnswer(tools[0]::warmUp);
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

    /** The SDK server, said to be what {@code handshake} says; it starts reading {@code in} at once. */
    static McpSyncServer build(TraceTools tools, Handshake handshake, InputStream in, OutputStream out) {
        McpJsonMapper json = new JacksonMcpJsonMapper(new ObjectMapper());
        StdioServerTransportProvider transport = new StdioServerTransportProvider(json, in, out) {
            @Override
            public List<String> protocolVersions() {
                return Handshake.PROTOCOL_VERSIONS;
            }
        };
        return McpServer.sync(transport)
                .jsonMapper(json)
                .jsonSchemaValidator(new LazySchemaValidator())
                .serverInfo(Handshake.NAME, handshake.version())
                .instructions(Handshake.INSTRUCTIONS)
                .capabilities(ServerCapabilities.builder().tools(Handshake.TOOLS_LIST_CHANGED).build())
                .requestTimeout(Duration.ofMinutes(5))
                .tools(tools.specifications())
                .build();
    }
}
