package dev.agenttrace.store.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.EventSink;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.TraceEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class McpClassifierTest {

    /** Collects what the classifier writes. */
    static final class CollectingSink implements EventSink {
        final List<TraceEvent> events = new ArrayList<>();
        final List<TraceEvent> messages = new ArrayList<>();
        final SessionMeta meta = new SessionMeta();
        final AtomicInteger ids = new AtomicInteger();
        StoreOptions options = StoreOptions.defaults();

        @Override
        public String sessionId() {
            return "s1";
        }

        @Override
        public String newEventId() {
            return String.format("%012x", ids.incrementAndGet());
        }

        @Override
        public void append(TraceEvent event) {
            assertTrue(EventTypes.AGENT_STRACE.contains(event.eventType()), "agent-strace can read " + event.eventType());
            events.add(event);
        }

        @Override
        public void appendMessage(TraceEvent record) {
            messages.add(record);
        }

        @Override
        public SessionMeta meta() {
            return meta;
        }

        @Override
        public void metaChanged() {
        }

        @Override
        public StoreOptions options() {
            return options;
        }

        @Override
        public ObjectNode newData() {
            return JsonNodeFactory.instance.objectNode();
        }

        List<TraceEvent> of(String type) {
            return events.stream().filter(e -> e.eventType().equals(type)).toList();
        }
    }

    final McpClassifier c = new McpClassifier();
    final CollectingSink sink = new CollectingSink();
    long clock = 1_000_000_000L;

    void send(Direction d, String json) {
        clock += 5_000_000; // 5 ms between messages
        c.onMessage(sink, d, "newline", json.getBytes(StandardCharsets.UTF_8), clock / 1e9, clock);
    }

    @Test
    void linksAToolResultToItsCallWithDuration() {
        send(Direction.CLIENT_TO_SERVER, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}}");
        send(Direction.SERVER_TO_CLIENT, "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}}");
        TraceEvent call = sink.of("tool_call").get(0);
        TraceEvent result = sink.of("tool_result").get(0);
        assertEquals("echo", call.data().get("tool_name").asText());
        assertTrue(call.data().get("request_id").isIntegralNumber(), "id keeps its JSON type");
        assertEquals(call.eventId(), result.parentId());
        assertEquals(5.0, result.durationMs(), 0.001);
        assertEquals("hi", result.data().get("content_preview").asText());
        assertEquals("text", result.data().get("content_types").get(0).asText());
        assertEquals(false, result.data().get("is_error").asBoolean());
        assertEquals(1, sink.meta.toolCalls);
    }

    @Test
    void keepsTheTwoDirectionsIdSpacesApart() {
        send(Direction.CLIENT_TO_SERVER, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"ask\",\"arguments\":{}}}");
        // the server asks the client something with the same id 1
        send(Direction.SERVER_TO_CLIENT, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"sampling/createMessage\",\"params\":{\"messages\":[{\"role\":\"user\",\"content\":{\"type\":\"text\",\"text\":\"2+2?\"}}]}}");
        send(Direction.CLIENT_TO_SERVER, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"role\":\"assistant\",\"model\":\"m\",\"content\":{\"type\":\"text\",\"text\":\"4\"}}}");
        send(Direction.SERVER_TO_CLIENT, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"the model said 4\"}]}}");
        TraceEvent call = sink.of("tool_call").get(0);
        TraceEvent llmReq = sink.of("llm_request").get(0);
        TraceEvent llmResp = sink.of("llm_response").get(0);
        TraceEvent result = sink.of("tool_result").get(0);
        assertEquals(llmReq.eventId(), llmResp.parentId(), "the client's answer links to the server's request");
        assertEquals(call.eventId(), result.parentId(), "the server's answer links to the client's request");
        assertEquals("4", llmResp.data().get("content_preview").asText());
        assertEquals(1, sink.meta.llmRequests);
    }

    @Test
    void treatsNumberAndStringIdsAsDifferentRequests() {
        send(Direction.CLIENT_TO_SERVER, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"a\"}}");
        send(Direction.CLIENT_TO_SERVER, "{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"method\":\"tools/call\",\"params\":{\"name\":\"b\"}}");
        send(Direction.SERVER_TO_CLIENT, "{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"result\":{\"content\":[]}}");
        TraceEvent b = sink.of("tool_call").get(1);
        assertEquals(b.eventId(), sink.of("tool_result").get(0).parentId());
        assertTrue(sink.of("tool_result").get(0).data().get("request_id").isTextual());
    }

    @Test
    void recordsErrorsLinkedToTheirCallAndCountsThem() {
        send(Direction.CLIENT_TO_SERVER, "{\"jsonrpc\":\"2.0\",\"id\":\"req-4\",\"method\":\"tools/call\",\"params\":{\"name\":\"nope\",\"arguments\":{}}}");
        send(Direction.SERVER_TO_CLIENT, "{\"jsonrpc\":\"2.0\",\"id\":\"req-4\",\"error\":{\"code\":-32602,\"message\":\"Unknown tool\"}}");
        TraceEvent err = sink.of("error").get(0);
        assertEquals(-32602, err.data().get("code").asInt());
        assertEquals("Unknown tool", err.data().get("message").asText());
        assertEquals("nope", err.data().get("tool_name").asText());
        assertEquals(sink.of("tool_call").get(0).eventId(), err.parentId());
        assertNotNull(err.durationMs());
        assertEquals(1, sink.meta.errors);
    }

    @Test
    void aProbeForAMethodTheServerLacksIsNoSessionErrorButAToolCallAnsweredSoIs() {
        // Claude Code asks server/discover, mcp-remote pings: a server without them answers -32601
        send(Direction.CLIENT_TO_SERVER, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server/discover\",\"params\":{}}");
        send(Direction.SERVER_TO_CLIENT, "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32601,\"message\":\"Method not found\"}}");
        send(Direction.CLIENT_TO_SERVER, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}");
        send(Direction.SERVER_TO_CLIENT, "{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-32601,\"message\":\"Method not found: ping\"}}");
        send(Direction.CLIENT_TO_SERVER, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"server/discover\",\"params\":{}}");
        send(Direction.SERVER_TO_CLIENT, "{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":-32601,\"message\":\"Method not found\"}}");
        assertEquals(List.of(), sink.of("error"), "asking what a server can do is not a failure");
        assertEquals(0, sink.meta.errors);
        assertEquals("[\"server/discover\",\"ping\"]", sink.meta.attribution.get("unsupported_methods").toString());
        assertEquals(6, sink.messages.size(), "the wire log keeps every message");
        // another error of a probe method is one (the server has it and it failed)
        send(Direction.CLIENT_TO_SERVER, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"resources/list\"}");
        send(Direction.SERVER_TO_CLIENT, "{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{\"code\":-32603,\"message\":\"disk gone\"}}");
        // and a tool call answered "method not found" is a failed call
        send(Direction.CLIENT_TO_SERVER, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"x\",\"arguments\":{}}}");
        send(Direction.SERVER_TO_CLIENT, "{\"jsonrpc\":\"2.0\",\"id\":5,\"error\":{\"code\":-32601,\"message\":\"Method not found\"}}");
        assertEquals(List.of("resources/list", "x"), sink.of("error").stream()
                .map(e -> e.data().has("tool_name") ? e.data().get("tool_name").asText() : e.data().get("method").asText()).toList());
        assertEquals(2, sink.meta.errors);
    }

    @Test
    void keepsTheIsErrorFlagOfAToolResult() {
        send(Direction.CLIENT_TO_SERVER, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":\"fail\"}}");
        send(Direction.SERVER_TO_CLIENT, "{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"boom\"}],\"isError\":true}}");
        assertEquals(true, sink.of("tool_result").get(0).data().get("is_error").asBoolean());
        assertEquals(1, sink.meta.errors);
    }

    @Test
    void recordsHandshakeFactsInAttribution() {
        send(Direction.CLIENT_TO_SERVER, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"cursor\",\"version\":\"1.2\"}}}");
        send(Direction.SERVER_TO_CLIENT, "{\"jsonrpc\":\"2.0\",\"id\":0,\"result\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"serverInfo\":{\"name\":\"fs\",\"version\":\"9\"}}}");
        assertEquals("2025-06-18", sink.meta.attribution.get("mcp_protocol_version").asText());
        assertEquals("fs", sink.meta.attribution.get("mcp_server").get("name").asText());
        assertEquals("cursor", sink.meta.attribution.get("agent_provider").asText());
        assertTrue(sink.events.isEmpty(), "the handshake is not a tool event");
        assertEquals(2, sink.messages.size(), "but both messages are in the wire log");
        assertEquals("initialize", sink.messages.get(1).data().get("method").asText());
    }

    @Test
    void recordsResourceReadsAsFileReads() {
        send(Direction.CLIENT_TO_SERVER, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"resources/read\",\"params\":{\"uri\":\"file:///repo/src/a.py\"}}");
        assertEquals("file:///repo/src/a.py", sink.of("file_read").get(0).data().get("uri").asText());
    }

    @Test
    void recordsACancelledCallAsAnErrorLinkedToIt() {
        send(Direction.CLIENT_TO_SERVER, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"slow\"}}");
        send(Direction.CLIENT_TO_SERVER, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":7,\"reason\":\"timeout\"}}");
        TraceEvent err = sink.of("error").get(0);
        assertEquals(true, err.data().get("cancelled").asBoolean());
        assertEquals(sink.of("tool_call").get(0).eventId(), err.parentId());
        assertTrue(err.data().get("message").asText().contains("timeout"));
    }

    @Test
    void keepsBigNumbersAndDecimalsExactly() {
        send(Direction.CLIENT_TO_SERVER, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"n\",\"arguments\":{\"big\":1e400,\"one\":1.0,\"huge\":123456789012345678901234567890}}}");
        ObjectNode args = (ObjectNode) sink.of("tool_call").get(0).data().get("arguments");
        assertEquals("1E+400", args.get("big").toString());
        assertEquals("1.0", args.get("one").toString());
        assertEquals("123456789012345678901234567890", args.get("huge").toString());
    }

    @Test
    void recordsBatchesElementByElement() {
        send(Direction.CLIENT_TO_SERVER, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"a\"}},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"b\"}}]");
        assertEquals(2, sink.of("tool_call").size());
        assertEquals("batch", sink.messages.get(0).data().get("kind").asText());
    }

    @Test
    void recordsInvalidJsonAsAnErrorAndKeepsGoing() {
        send(Direction.CLIENT_TO_SERVER, "{\"jsonrpc\":\"2.0\",\"id\":1,");
        TraceEvent err = sink.of("error").get(0);
        assertTrue(err.data().get("message").asText().startsWith("invalid JSON from the client"));
        send(Direction.CLIENT_TO_SERVER, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"a\"}}");
        assertEquals(1, sink.of("tool_call").size());
    }

    @Test
    void storesALargeResultAsPreviewSizeAndDigest() throws Exception {
        sink.options = StoreOptions.defaults().withMaxPayloadBytes(1024);
        String request = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"big\",\"arguments\":{\"path\":\"src/a.py\",\"blob\":\"" + "x".repeat(5000) + "\"}}}";
        send(Direction.CLIENT_TO_SERVER, request);
        send(Direction.SERVER_TO_CLIENT, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"" + "y".repeat(5000) + "\"}]}}");
        ObjectNode call = sink.of("tool_call").get(0).data();
        assertEquals("src/a.py", call.get("arguments").get("path").asText(), "short arguments stay judgeable");
        assertTrue(call.get("arguments").get("blob").asText().length() < 5000);
        byte[] raw = request.getBytes(StandardCharsets.UTF_8);
        assertEquals(raw.length, call.get("message_bytes").asInt());
        assertEquals(dev.agenttrace.store.Payloads.sha256Hex(raw, 0, raw.length), call.get("message_sha256").asText(),
                "the digest of the exact bytes on the wire");
        String sha = dev.agenttrace.store.Payloads.sha256Hex(raw, 0, raw.length);
        TraceEvent stored = dev.agenttrace.store.TraceJson.parseEvent(dev.agenttrace.store.TraceJson.eventLine(sink.of("tool_call").get(0)));
        assertEquals(sha, stored.data().get("message_sha256").textValue(), "the digest as the writer stores it");
        assertTrue(dev.agenttrace.store.TraceJson.mapper().writeValueAsString(call).contains("\"message_sha256\":\"" + sha + "\""),
                "and as Jackson writes it");
        ObjectNode result = sink.of("tool_result").get(0).data();
        assertTrue(result.get("result").toString().length() < 2048, result.get("result").toString().length() + " chars stored");
        assertEquals(203, result.get("content_preview").asText().length(), "200 characters and '...', as agent-strace");
        assertNull(result.get("result").get("content"));
    }
}
