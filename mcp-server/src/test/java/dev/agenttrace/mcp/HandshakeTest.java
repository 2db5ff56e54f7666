package dev.agenttrace.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.store.TraceStore;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The fast answer to initialize is the SDK server's own answer, byte for byte. */
@Timeout(120)
class HandshakeTest {
    private static final String VERSION = "1.2.3-test";

    @Test
    void speaksTheProtocolVersionsTheSdkSpeaks() {
        List<String> sdk = new StdioServerTransportProvider(new JacksonMcpJsonMapper(new ObjectMapper()),
                new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream()).protocolVersions();
        assertEquals(sdk, Handshake.PROTOCOL_VERSIONS, "the SDK speaks other versions now: update Handshake");
    }

    @Test
    void answersInitializeAsTheSdkServerDoes() throws Exception {
        List<String> versions = new ArrayList<>(Handshake.PROTOCOL_VERSIONS);
        versions.add("1999-01-01"); // one the server does not speak: it offers its newest
        List<String> ids = List.of("0", "7", "-3", "9007199254740993", "\"a\"", "\"quote \\\" tab \\t é \\u2028 \\n\"");
        for (String protocolVersion : versions) {
            for (String id : ids) {
                String request = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
                        + protocolVersion + "\",\"capabilities\":{\"roots\":{\"listChanged\":true}},"
                        + "\"clientInfo\":{\"name\":\"c\",\"version\":\"1\"}}}";
                Handshake.Answer fast = new Handshake(VERSION).fastAnswer(bytes(request), bytes(request).length);
                assertNotNull(fast, request);
                assertEquals(sdkAnswer(request), new String(fast.line(), StandardCharsets.UTF_8), request);
            }
        }
        // members in another order, no capabilities or client info, unknown members
        String bare = "{\"params\":{\"protocolVersion\":\"2025-06-18\",\"x\":[1,{}]},\"method\":\"initialize\",\"id\":5,"
                + "\"jsonrpc\":\"2.0\",\"extra\":null}";
        assertEquals(sdkAnswer(bare), new String(new Handshake(VERSION).fastAnswer(bytes(bare), bytes(bare).length).line(),
                StandardCharsets.UTF_8));
    }

    @Test
    void leavesAnythingElseToTheSdk() {
        for (String line : List.of(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}",
                "{\"jsonrpc\":\"2.0\",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}",
                "{\"jsonrpc\":\"2.0\",\"id\":12345678901234567890,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}",
                "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}",
                "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":20250618}}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":[]}}",
                "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}} {}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}",
                "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}]",
                "")) {
            assertNull(new Handshake(VERSION).fastAnswer(bytes(line), bytes(line).length), line);
        }
    }

    /** The first line the SDK server (as TraceMcpServer builds it) writes for {@code request}. */
    private static String sdkAnswer(String request) throws Exception {
        Pipe pipe = new Pipe();
        TraceTools tools = new TraceTools(TraceStore.at(TestFixtures.readOnlyCopy()));
        McpSyncServer server = TraceMcpServer.build(tools, new Handshake(VERSION), pipe.in, pipe.out);
        try {
            pipe.send(request + "\n");
            List<String> lines = pipe.lines(1, 60);
            assertEquals(1, lines.size(), "the SDK server answered nothing: " + pipe.output());
            return lines.get(0) + "\n";
        } finally {
            pipe.close();
            server.closeGracefully();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
