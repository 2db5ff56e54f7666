package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.tests.peers.SdkTestServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agent-trace wrap} rewrites a real {@code .mcp.json}; the MCP Java SDK client starts the
 * server the way an agent would, from the wrapped entry (command, args, env), and the session is
 * in the store; {@code unwrap} gives the file back byte for byte.
 */
@Timeout(180)
class WrapEndToEndTest {
    @TempDir
    Path tmp;

    private String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void aClientStartsTheWrappedServerFromMcpJsonAndTheSessionIsRecorded() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path traces = tmp.resolve("traces");
        List<String> server = Peers.javaMain(SdkTestServer.class);
        StringBuilder args = new StringBuilder();
        for (String a : server.subList(1, server.size())) {
            args.append(args.length() == 0 ? "" : ",\n        ").append(Peers.JSON.writeValueAsString(a));
        }
        String mcpJson = "{\n  \"mcpServers\": {\n    \"sdk\": {\n      \"command\": " + Peers.JSON.writeValueAsString(server.get(0))
                + ",\n      \"args\": [\n        " + args + "\n      ],\n      \"env\": {\"SDK_SERVER_MARK\": \"kept\"}\n    },\n"
                + "    \"remote\": {\"type\": \"http\", \"url\": \"https://mcp.example.com/mcp\"}\n  }\n}\n";
        Path config = project.resolve(".mcp.json");
        Files.writeString(config, mcpJson);
        Path bin = Peers.launcher(tmp);

        String out = run(Peers.cli("wrap", "claude-code", "--dir", project.toString(), "--home", home.toString(), "--command", bin.toString(),
                "--trace-dir", traces.toString()));
        assertTrue(out.contains("wrapped sdk: "), out);
        assertTrue(out.contains("record-http https://mcp.example.com/mcp --name remote --port 3101"), out);

        JsonNode entry = Peers.JSON.readTree(config.toFile()).at("/mcpServers/sdk");
        assertEquals(bin.toString(), entry.get("command").asText());
        List<String> wrappedArgs = new ArrayList<>();
        entry.get("args").forEach(a -> wrappedArgs.add(a.asText()));
        Map<String, String> env = new LinkedHashMap<>();
        entry.get("env").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        assertEquals(Map.of("SDK_SERVER_MARK", "kept"), env);

        // what an agent does with the entry: command, args and env, nothing else
        ServerParameters params = ServerParameters.builder(entry.get("command").asText()).args(wrappedArgs).env(env).build();
        try (McpSyncClient client = McpClient.sync(new StdioClientTransport(params, SdkClientEndToEndTest.JSON))
                .requestTimeout(Duration.ofSeconds(60)).build()) {
            assertEquals("sdk-test-server", client.initialize().serverInfo().name());
            assertEquals("through the wrap", SdkClientEndToEndTest.text(client.callTool(CallToolRequest.builder().name("echo")
                    .arguments(Map.of("text", "through the wrap")).build())));
        }
        Path session = Peers.onlySession(traces);
        long proxyPid = Peers.meta(session).at("/attribution/proxy_pid").asLong();
        assertTrue(Peers.gone(proxyPid, 20_000), "the proxy exits after the client closes");
        JsonNode meta = Peers.meta(session);
        assertEquals("sdk", meta.get("agent_name").asText(), "the server's name in .mcp.json names the session");
        assertEquals(1, meta.get("tool_calls").asInt());
        List<JsonNode> calls = Peers.ofType(Peers.events(session), "tool_call");
        assertEquals("through the wrap", calls.get(0).at("/data/arguments/text").asText());

        out = run(Peers.cli("unwrap", "claude-code", "--dir", project.toString(), "--home", home.toString(), "--command", bin.toString()));
        assertTrue(out.contains("restored the file as it was before wrap"), out);
        assertEquals(mcpJson, Files.readString(config), "unwrap gives back the bytes");
    }
}
