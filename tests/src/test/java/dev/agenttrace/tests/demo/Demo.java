package dev.agenttrace.tests.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The main job, end to end, as a user would see it: a real MCP client (the MCP Java SDK) starts
 * {@code bin/agent-trace record -- node server-everything stdio}, exactly the line a user puts in
 * mcp.json, and uses the server; the session lands in {@code .agent-traces/}. Run by
 * {@code bin/demo}, which then shows the session.
 */
public final class Demo {
    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        Path server = root.resolve("tests/npm/node_modules/@modelcontextprotocol/server-everything/dist/index.js");
        if (!Files.isRegularFile(server)) {
            throw new IllegalStateException(server + " is missing: run (cd tests/npm && npm ci)");
        }
        McpJsonMapper json = new JacksonMcpJsonMapper(new ObjectMapper());
        ServerParameters params = ServerParameters.builder(root.resolve("bin/agent-trace").toString())
                .args("record", "--name", "demo", "--trace-dir", root.resolve(".agent-traces").toString(),
                        "--", "node", server.toString(), "stdio")
                .build();
        AtomicInteger progress = new AtomicInteger();
        try (McpSyncClient client = McpClient.sync(new StdioClientTransport(params, json))
                .requestTimeout(Duration.ofSeconds(30))
                .progressConsumer(p -> progress.incrementAndGet())
                .build()) {
            var init = client.initialize();
            System.out.println("demo: connected through agent-trace to " + init.serverInfo().name() + " "
                    + init.serverInfo().version() + " (protocol " + init.protocolVersion() + ")");
            System.out.println("demo: " + client.listTools().tools().size() + " tools");
            print(client.callTool(CallToolRequest.builder().name("echo").arguments(Map.of("message", "hello through agent-trace")).build()));
            print(client.callTool(CallToolRequest.builder().name("get-sum").arguments(Map.of("a", 2, "b", 40)).build()));
            print(client.callTool(CallToolRequest.builder().name("trigger-long-running-operation")
                    .arguments(Map.of("duration", 1, "steps", 3)).progressToken("demo-progress").build()));
            System.out.println("demo: " + progress.get() + " progress notifications arrived");
            try {
                print(client.callTool(CallToolRequest.builder().name("no-such-tool").arguments(Map.of()).build()));
            } catch (McpError e) {
                System.out.println("demo: the server's own error came through: " + e.getMessage());
            }
        }
    }

    private static void print(CallToolResult r) {
        String text = r.content().stream().filter(c -> c instanceof TextContent).map(c -> ((TextContent) c).text())
                .findFirst().orElse("(no text)");
        System.out.println("demo: " + (Boolean.TRUE.equals(r.isError()) ? "tool error: " : "tool said: ") + text.replace('\n', ' '));
    }
}
