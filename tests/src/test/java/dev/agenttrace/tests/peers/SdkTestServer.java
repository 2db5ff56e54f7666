package dev.agenttrace.tests.peers;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncResourceSpecification;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.CreateMessageRequest;
import io.modelcontextprotocol.spec.McpSchema.CreateMessageResult;
import io.modelcontextprotocol.spec.McpSchema.ElicitFormRequest;
import io.modelcontextprotocol.spec.McpSchema.ElicitResult;
import io.modelcontextprotocol.spec.McpSchema.ProgressNotification;
import io.modelcontextprotocol.spec.McpSchema.ReadResourceResult;
import io.modelcontextprotocol.spec.McpSchema.Resource;
import io.modelcontextprotocol.spec.McpSchema.Role;
import io.modelcontextprotocol.spec.McpSchema.SamplingMessage;
import io.modelcontextprotocol.spec.McpSchema.ServerCapabilities;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.modelcontextprotocol.spec.McpSchema.TextResourceContents;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A real MCP server built with the MCP Java SDK 2.1.0, run as the proxy's child in the end-to-end
 * tests. Its tools exercise what a proxy must carry: progress notifications, server-to-client
 * sampling and elicitation requests, slow calls (cancellation) and tool errors.
 */
public final class SdkTestServer {
    private SdkTestServer() {
    }

    /** With {@code --log FILE}, every tool call that reaches this server is appended there. */
    private static java.nio.file.Path callLog;

    public static void main(String[] args) {
        if (args.length == 2 && "--log".equals(args[0])) {
            callLog = java.nio.file.Path.of(args[1]);
        }
        McpJsonMapper json = new JacksonMcpJsonMapper(new ObjectMapper());
        McpSyncServer server = McpServer.sync(new StdioServerTransportProvider(json))
                .jsonMapper(json)
                .serverInfo("sdk-test-server", "1.0.0")
                .capabilities(ServerCapabilities.builder().tools(false).resources(false, false).build())
                .tools(
                        tool(json, "echo", "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}",
                                (ex, req) -> text((String) req.arguments().get("text"), false)),
                        tool(json, "progress", "{\"type\":\"object\",\"properties\":{\"steps\":{\"type\":\"integer\"}},\"required\":[\"steps\"]}",
                                SdkTestServer::progress),
                        tool(json, "ask_llm", "{\"type\":\"object\",\"properties\":{\"prompt\":{\"type\":\"string\"}},\"required\":[\"prompt\"]}",
                                SdkTestServer::askLlm),
                        tool(json, "ask_user", "{\"type\":\"object\",\"properties\":{\"question\":{\"type\":\"string\"}},\"required\":[\"question\"]}",
                                SdkTestServer::askUser),
                        tool(json, "slow", "{\"type\":\"object\",\"properties\":{\"ms\":{\"type\":\"integer\"}},\"required\":[\"ms\"]}",
                                (ex, req) -> {
                                    sleep(((Number) req.arguments().get("ms")).longValue());
                                    return text("slept", false);
                                }),
                        tool(json, "fail", "{\"type\":\"object\"}", (ex, req) -> text("it failed on purpose", true)))
                .resources(new SyncResourceSpecification(
                        Resource.builder().uri("test://hello").name("hello").mimeType("text/plain").build(),
                        (ex, req) -> new ReadResourceResult(List.of(new TextResourceContents(req.uri(), "text/plain", "hello, resource")))))
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(server::closeGracefully));
    }

    private static SyncToolSpecification tool(McpJsonMapper json, String name, String schema,
                                              BiFunction<McpSyncServerExchange, CallToolRequest, CallToolResult> handler) {
        return SyncToolSpecification.builder().tool(Tool.builder(name, json, schema).description(name).build())
                .callHandler((ex, req) -> {
                    logCall(name + " " + req.arguments());
                    return handler.apply(ex, req);
                }).build();
    }

    private static synchronized void logCall(String line) {
        if (callLog == null) {
            return;
        }
        try {
            java.nio.file.Files.writeString(callLog, line + "\n", java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static CallToolResult progress(McpSyncServerExchange ex, CallToolRequest req) {
        int steps = ((Number) req.arguments().get("steps")).intValue();
        Object token = req.meta() == null ? null : req.meta().get("progressToken");
        for (int i = 1; i <= steps && token != null; i++) {
            ex.progressNotification(new ProgressNotification(token, (double) i, (double) steps, "step " + i));
        }
        return text("did " + steps + " steps", false);
    }

    private static CallToolResult askLlm(McpSyncServerExchange ex, CallToolRequest req) {
        CreateMessageResult r = ex.createMessage(CreateMessageRequest.builder()
                .messages(List.of(new SamplingMessage(Role.USER, new TextContent((String) req.arguments().get("prompt")))))
                .maxTokens(50).build());
        return text("the model said: " + ((TextContent) r.content()).text(), false);
    }

    private static CallToolResult askUser(McpSyncServerExchange ex, CallToolRequest req) {
        ElicitResult r = ex.createElicitation(ElicitFormRequest.builder((String) req.arguments().get("question"),
                Map.of("type", "object", "properties", Map.of("answer", Map.of("type", "string")))).build());
        return text("the user said: " + (r.content() == null ? "(nothing)" : r.content().get("answer")), false);
    }

    private static CallToolResult text(String s, boolean error) {
        return CallToolResult.builder().addTextContent(s).isError(error).build();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
