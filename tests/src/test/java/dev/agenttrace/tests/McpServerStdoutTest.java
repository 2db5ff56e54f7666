package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A raw client on {@code agent-trace mcp}'s pipes: stdout carries JSON-RPC lines and nothing else. */
@Timeout(60)
class McpServerStdoutTest {
    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Peers.JAVA, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", Peers.CLASSPATH,
                "dev.agenttrace.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void stdoutHoldsOnlyProtocolLinesEvenForAMissingStoreAndBadCalls(@TempDir Path tmp) throws Exception {
        Path absent = tmp.resolve("no-such-store");
        Path stderr = tmp.resolve("stderr.txt");
        Process p = new ProcessBuilder(command("mcp", "--trace-dir", absent.toString())).redirectError(stderr.toFile()).start();
        OutputStream in = p.getOutputStream();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        send(in, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}");
        JsonNode init = Peers.JSON.readTree(out.readLine());
        assertEquals("agent-trace", init.at("/result/serverInfo/name").asText());
        send(in, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        send(in, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"list_sessions\",\"arguments\":{}}}");
        JsonNode list = Peers.JSON.readTree(out.readLine());
        assertEquals(0, list.at("/result/structuredContent/count").asInt());
        assertTrue(list.at("/result/content/0/text").asText().contains("No sessions"), list.toString());
        send(in, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"get_session_summary\",\"arguments\":{\"session_id\":\"latest\"}}}");
        JsonNode latest = Peers.JSON.readTree(out.readLine());
        assertTrue(latest.at("/result/isError").asBoolean(), "an empty store is a tool error, not a JSON-RPC error: " + latest);
        assertTrue(latest.at("/result/content/0/text").asText().contains("agent-trace record"), latest.toString());
        send(in, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"get_session\",\"arguments\":{\"session_id\":\"../etc\"}}}");
        JsonNode escape = Peers.JSON.readTree(out.readLine());
        assertTrue(escape.at("/result/isError").asBoolean(), escape.toString());
        assertTrue(escape.at("/result/content/0/text").asText().contains("not a session id"), escape.toString());
        in.close();
        assertTrue(p.waitFor(15, TimeUnit.SECONDS), "the server exits when the client closes stdin");
        assertEquals(0, p.exitValue());
        String rest = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        for (String line : rest.lines().toList()) {
            assertEquals("2.0", Peers.JSON.readTree(line).path("jsonrpc").asText(), "not a protocol line: " + line);
        }
        String err = Files.readString(stderr);
        assertFalse(err.contains("Exception"), err);
        assertFalse(Files.exists(absent), "answering does not create the store");
    }

    @Test
    void helpGoesToStderrBecauseStdoutIsTheProtocols() throws Exception {
        Process p = new ProcessBuilder(command("mcp", "--help")).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(15, TimeUnit.SECONDS));
        assertEquals("", out);
        assertTrue(err.contains("list_sessions"), err);
    }

    private static void send(OutputStream in, String line) throws Exception {
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }
}
