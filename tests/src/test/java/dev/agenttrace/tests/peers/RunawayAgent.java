package dev.agenttrace.tests.peers;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A runaway agent as its own process, so that pause and kill act on a real agent: it starts
 * {@code agent-trace record} as its MCP server (the proxy's parent is this process, as it is for
 * Cursor or Claude Code) and misbehaves.
 *
 * <pre>
 *   RunawayAgent retry -- &lt;proxy command...&gt;   calls the failing tool again and again, forever
 *   RunawayAgent hang  -- &lt;proxy command...&gt;   one call that takes a minute, then waits
 * </pre>
 * Each call's outcome is a line on stdout ("call 3 error: ..."), so a test sees it run, stop and
 * run again.
 */
public final class RunawayAgent {
    private RunawayAgent() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        List<String> cmd = Arrays.asList(args).subList(2, args.length);
        ServerParameters params = ServerParameters.builder(cmd.get(0)).args(cmd.subList(1, cmd.size())).build();
        McpSyncClient client = McpClient.sync(new StdioClientTransport(params, new JacksonMcpJsonMapper(new ObjectMapper())))
                .requestTimeout(Duration.ofSeconds(120)).build();
        client.initialize();
        System.out.println("ready");
        System.out.flush();
        if ("retry".equals(mode)) {
            for (int i = 1; ; i++) {
                CallToolResult r = client.callTool(CallToolRequest.builder().name("fail").arguments(Map.of()).build());
                System.out.println("call " + i + (Boolean.TRUE.equals(r.isError()) ? " error: " : " ok: ") + ((TextContent) r.content().get(0)).text());
                System.out.flush();
                Thread.sleep(50);
            }
        }
        if ("hang".equals(mode)) {
            System.out.println("calling slow");
            System.out.flush();
            client.callTool(CallToolRequest.builder().name("slow").arguments(Map.of("ms", 60_000)).build());
            System.out.println("slow returned");
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
