package dev.agenttrace.store.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.EventSink;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.Payloads;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceJson;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns JSON-RPC messages into trace events, as agent-strace names them, and keeps the state
 * needed to link an answer to its request: one map per direction, because a client request and a
 * server request may both carry {@code "id": 1} at the same moment, and ids keyed by their JSON
 * type ({@code 1} and {@code "1"} are different requests).
 *
 * <p>Runs on the session's writer thread only (see {@code SessionWriter#submit}), never on a relay
 * thread: parsing a copy must not delay forwarding. Every message also gets one record in the
 * sidecar wire log ({@code messages.ndjson}).
 */
public final class McpClassifier {
    /** Requests waiting for an answer, per direction; bounded so unanswered ids cannot leak. */
    private static final int MAX_PENDING = 100_000;
    private static final int CONTENT_PREVIEW = 200;

    /** The store's mapper: numbers stay exact (1e400, 1.0, 30-digit integers). */
    private final ObjectMapper mapper = TraceJson.mapper();
    private final Map<String, Pending> fromClient = pendingMap();
    private final Map<String, Pending> fromServer = pendingMap();

    private record Pending(String eventId, long nanos, String method, String toolName) {
    }

    /**
     * Classifies one message body.
     *
     * @param sink      the writer thread's sink
     * @param dir       which way it travelled
     * @param framing   how the sender framed it ("newline" or "content-length")
     * @param body      the exact bytes (owned by this call)
     * @param epochSecs when the proxy read it
     * @param nanos     {@link System#nanoTime()} when the proxy read it, for durations
     */
    public void onMessage(EventSink sink, Direction dir, String framing, byte[] body, double epochSecs, long nanos) {
        onMessage(sink, dir, framing, body, null, epochSecs, nanos);
    }

    /**
     * As {@link #onMessage(EventSink, Direction, String, byte[], double, long)}, for a message the
     * caller has already parsed from {@code body} (the proxy's checkpoint): it is not parsed again.
     *
     * @param parsed the tree read from {@code body}, not changed afterwards; null to parse here
     */
    public void onMessage(EventSink sink, Direction dir, String framing, byte[] body, JsonNode parsed, double epochSecs,
                          long nanos) {
        JsonNode msg = parsed;
        if (msg == null) {
            try {
                msg = mapper.readTree(body);
            } catch (IOException e) {
                msg = null;
            }
        }
        ObjectNode wire = wireRecord(sink, dir, framing, body.length);
        if (msg == null || !(msg.isObject() || msg.isArray())) {
            wire.put("kind", "invalid");
            String problem = "invalid JSON from the " + (dir == Direction.CLIENT_TO_SERVER ? "client" : "server")
                    + " (" + body.length + " bytes), forwarded untouched";
            ObjectNode data = sink.newData();
            data.put("message", problem);
            data.put("direction", dir.label());
            data.put("preview", preview(new String(body, 0, Math.min(body.length, 400), java.nio.charset.StandardCharsets.UTF_8)));
            emitError(sink, data, null, epochSecs, 0);
            wire.set("message", Payloads.limit(mapper.getNodeFactory().textNode(new String(body, java.nio.charset.StandardCharsets.UTF_8)), sink.options()));
            sink.appendMessage(new TraceEvent(EventTypes.MCP_MESSAGE, epochSecs, sink.newEventId(), sink.sessionId(), null, null, wire));
            return;
        }
        if (msg.isArray()) {
            wire.put("kind", "batch");
            wire.put("batch_size", msg.size());
            sink.appendMessage(new TraceEvent(EventTypes.MCP_MESSAGE, epochSecs, sink.newEventId(), sink.sessionId(), null, null, wire));
            for (JsonNode element : msg) {
                if (element.isObject()) {
                    classify(sink, dir, framing, (ObjectNode) element, -1, epochSecs, nanos);
                }
            }
            return;
        }
        large = body.length > sink.options().maxPayloadBytes() ? body : null;
        largeSha = null;
        try {
            classify(sink, dir, framing, (ObjectNode) msg, body.length, epochSecs, nanos);
        } finally {
            large = null;
        }
    }

    /** The raw bytes of the message being classified when it is over the payload limit, else null. */
    private byte[] large;
    private LazyDigest largeSha;

    /** SHA-256 of the raw message being classified, computed at most once, when first read (see {@link LazyDigest}). */
    private LazyDigest largeSha() {
        if (largeSha == null) {
            largeSha = new LazyDigest(large);
        }
        return largeSha;
    }

    /**
     * A payload of an over-limit message: long strings cut, size and digest of the raw message
     * recorded beside it (re-serialising a megabyte to measure it cost more than everything else).
     */
    private JsonNode boundedLarge(ObjectNode data, String key, JsonNode value, EventSink sink,
                                  java.util.function.Supplier<String> summary) {
        data.put("message_bytes", large.length);
        data.set("message_sha256", largeSha());
        return Payloads.truncateStrings(value, sink.options().previewChars(), 2_000, summary);
    }

    /** A payload inside a message no larger than the limit is itself under it: skip measuring. */
    private static JsonNode bounded(JsonNode value, EventSink sink, int bodyBytes) {
        return bodyBytes >= 0 && bodyBytes <= sink.options().maxPayloadBytes() ? value : Payloads.limit(value, sink.options());
    }

    /**
     * Records a problem the proxy itself saw on the wire (a frame over the limit, a bad header,
     * junk on the server's stdout): an {@code error} event, counted in meta.
     */
    public void onProblem(EventSink sink, Direction dir, String kind, String message, String preview, double epochSecs) {
        ObjectNode data = sink.newData();
        data.put("message", message);
        data.put("direction", dir.label());
        data.put("problem", kind);
        if (preview != null && !preview.isEmpty()) {
            data.put("preview", preview(preview));
        }
        emitError(sink, data, null, epochSecs, 0);
    }

    /**
     * Adds what classifying into a {@link BufferingSink} changed ({@code delta} started as an
     * empty meta) to the session's meta, with the same meaning as if the classifier had changed
     * {@code into} itself: counters add up, attribution keys are set, except that the agent's
     * provider and version taken from {@code clientInfo} never replace ones already known.
     */
    public static void mergeMeta(dev.agenttrace.store.SessionMeta into, dev.agenttrace.store.SessionMeta delta) {
        into.toolCalls += delta.toolCalls;
        into.llmRequests += delta.llmRequests;
        into.errors += delta.errors;
        into.totalTokens += delta.totalTokens;
        if (delta.attribution == null || delta.attribution.isEmpty()) {
            return;
        }
        if (into.attribution == null) {
            into.attribution = delta.attribution.objectNode();
        }
        var fields = delta.attribution.fields();
        while (fields.hasNext()) {
            var f = fields.next();
            boolean keepKnown = "agent_provider".equals(f.getKey()) || "agent_version".equals(f.getKey());
            if (!keepKnown || !into.attribution.has(f.getKey())) {
                into.attribution.set(f.getKey(), f.getValue());
            }
        }
    }

    /**
     * The event id of the still-unanswered request {@code id} that travelled {@code dir}, or null:
     * lets a caller link its own event (a policy decision) to the call.
     */
    public String callEventId(Direction dir, JsonNode id) {
        Pending p = (dir == Direction.CLIENT_TO_SERVER ? fromClient : fromServer).get(idKey(id));
        return p == null ? null : p.eventId;
    }

    private void classify(EventSink sink, Direction dir, String framing, ObjectNode msg, int bytes,
                          double ts, long nanos) {
        JsonNode id = msg.get("id");
        JsonNode methodNode = msg.get("method");
        String method = methodNode != null && methodNode.isTextual() ? methodNode.asText() : null;
        ObjectNode wire = bytes >= 0 ? wireRecord(sink, dir, framing, bytes) : null;
        String eventId = null;
        boolean represented = false;
        if (method != null) {
            boolean request = id != null && !id.isNull();
            if (wire != null) {
                wire.put("kind", request ? "request" : "notification");
                wire.put("method", method);
                if (request) {
                    wire.set("request_id", id);
                }
            }
            JsonNode params = msg.get("params");
            if (request) {
                Pending p = onRequest(sink, dir, method, id, params, ts, nanos, bytes);
                if (p != null) {
                    eventId = p.eventId;
                    represented = p.eventId != null;
                }
            } else {
                eventId = onNotification(sink, dir, method, params, ts, nanos);
                represented = eventId != null;
            }
        } else if (msg.has("result") || msg.has("error")) {
            boolean isErr = msg.has("error");
            if (wire != null) {
                wire.put("kind", isErr ? "error" : "response");
                if (id != null) {
                    wire.set("request_id", id);
                }
            }
            Map<String, Pending> pending = dir == Direction.SERVER_TO_CLIENT ? fromClient : fromServer;
            Pending call = id == null ? null : pending.remove(idKey(id));
            if (call != null && wire != null && call.method != null) {
                wire.put("method", call.method);
            }
            eventId = onResponse(sink, dir, msg, id, call, ts, nanos, bytes);
            represented = eventId != null;
        } else if (wire != null) {
            wire.put("kind", "invalid");
        }
        if (wire != null) {
            if (eventId != null) {
                wire.put("event_id", eventId);
            }
            if (!represented) {
                wire.set("message", Payloads.limit(msg, sink.options()));
            }
            sink.appendMessage(new TraceEvent(EventTypes.MCP_MESSAGE, ts, sink.newEventId(), sink.sessionId(), null, null, wire));
        }
    }

    private Pending onRequest(EventSink sink, Direction dir, String method, JsonNode id, JsonNode params,
                              double ts, long nanos, int bytes) {
        String eventId = null;
        String toolName = null;
        if (dir == Direction.CLIENT_TO_SERVER && "tools/call".equals(method)) {
            toolName = text(params, "name");
            ObjectNode data = sink.newData();
            data.put("tool_name", toolName);
            JsonNode args = params == null ? null : params.get("arguments");
            if (args != null && bytes >= 0 && bytes <= sink.options().maxPayloadBytes()) {
                data.set("arguments", args);
            } else if (args != null && large != null) {
                data.set("arguments", boundedLarge(data, "arguments", args, sink, args::toString));
                data.put("arguments_truncated", true);
            } else if (args != null) {
                Payloads.Limited limited = Payloads.limitArguments(args, sink.options());
                data.set("arguments", limited.value());
                if (limited.truncated()) {
                    data.put("arguments_size", limited.size());
                    data.put("arguments_sha256", limited.sha256());
                }
            } else {
                data.set("arguments", sink.newData());
            }
            data.set("request_id", id);
            eventId = emit(sink, EventTypes.TOOL_CALL, data, null, null, ts);
            sink.meta().toolCalls++;
            sink.metaChanged();
        } else if (dir == Direction.CLIENT_TO_SERVER && "resources/read".equals(method)) {
            ObjectNode data = sink.newData();
            data.put("uri", text(params, "uri"));
            data.set("request_id", id);
            eventId = emit(sink, EventTypes.FILE_READ, data, null, null, ts);
        } else if ("sampling/createMessage".equals(method)) {
            ObjectNode data = sink.newData();
            data.put("method", method);
            JsonNode hints = params == null ? null : params.path("modelPreferences").path("hints");
            if (hints != null && hints.isArray() && hints.size() > 0) {
                data.put("model", hints.get(0).path("name").asText(null));
            }
            JsonNode messages = params == null ? null : params.get("messages");
            if (messages != null && messages.isArray()) {
                data.put("message_count", messages.size());
                if (messages.size() > 0) {
                    JsonNode last = messages.get(messages.size() - 1);
                    ObjectNode lm = data.putObject("last_message");
                    lm.put("role", last.path("role").asText(null));
                    lm.put("content_preview", preview(contentText(last.get("content"))));
                }
            }
            data.set("request_id", id);
            data.put("direction", dir.label());
            eventId = emit(sink, EventTypes.LLM_REQUEST, data, null, null, ts);
            sink.meta().llmRequests++;
            sink.metaChanged();
        } else if (dir == Direction.CLIENT_TO_SERVER && "initialize".equals(method) && params != null) {
            ObjectNode attribution = sink.meta().attribution;
            JsonNode info = params.get("clientInfo");
            if (info != null && info.isObject()) {
                attribution.set("mcp_client", info);
                if (!attribution.has("agent_provider")) {
                    attribution.put("agent_provider", info.path("name").asText(""));
                }
                if (!attribution.has("agent_version") && info.hasNonNull("version")) {
                    attribution.put("agent_version", info.path("version").asText());
                }
            }
            if (params.hasNonNull("protocolVersion")) {
                attribution.put("mcp_protocol_requested", params.get("protocolVersion").asText());
            }
            sink.metaChanged();
        }
        Pending p = new Pending(eventId, nanos, method, toolName);
        (dir == Direction.CLIENT_TO_SERVER ? fromClient : fromServer).put(idKey(id), p);
        return p;
    }

    private String onNotification(EventSink sink, Direction dir, String method, JsonNode params, double ts, long nanos) {
        if (dir == Direction.SERVER_TO_CLIENT && "notifications/resources/updated".equals(method)) {
            ObjectNode data = sink.newData();
            data.put("uri", text(params, "uri"));
            return emit(sink, EventTypes.FILE_WRITE, data, null, null, ts);
        }
        if ("notifications/cancelled".equals(method) && params != null && params.has("requestId")) {
            // a cancel refers to a request that travelled the same way as the cancel itself
            Map<String, Pending> pending = dir == Direction.CLIENT_TO_SERVER ? fromClient : fromServer;
            Pending call = pending.get(idKey(params.get("requestId")));
            if (call != null && call.eventId != null) {
                ObjectNode data = sink.newData();
                String reason = text(params, "reason");
                data.put("message", "cancelled by the " + (dir == Direction.CLIENT_TO_SERVER ? "client" : "server")
                        + (reason == null ? "" : ": " + reason));
                data.set("request_id", params.get("requestId"));
                data.put("cancelled", true);
                if (call.toolName != null) {
                    data.put("tool_name", call.toolName);
                }
                return emitError(sink, data, call, ts, nanos);
            }
        }
        return null;
    }

    private String onResponse(EventSink sink, Direction dir, ObjectNode msg, JsonNode id, Pending call,
                              double ts, long nanos, int bytes) {
        Double duration = call == null ? null : millis(nanos - call.nanos);
        String parent = call == null ? null : call.eventId;
        JsonNode error = msg.get("error");
        if (error != null && call != null && isProbe(call.method, error)) {
            noteUnsupported(sink, call.method);
            return null;
        }
        if (error != null) {
            ObjectNode data = sink.newData();
            if (error.isObject()) {
                if (error.has("code")) {
                    data.set("code", error.get("code"));
                }
                data.put("message", error.path("message").asText(""));
                if (error.has("data")) {
                    data.set("data", Payloads.limit(error.get("data"), sink.options()));
                }
            } else {
                data.put("message", error.toString());
            }
            if (id != null) {
                data.set("request_id", id);
            }
            if (call != null && call.toolName != null) {
                data.put("tool_name", call.toolName);
            }
            if (call != null && call.method != null) {
                data.put("method", call.method);
            }
            return emitError(sink, data, call, ts, nanos);
        }
        JsonNode result = msg.get("result");
        String method = call == null ? null : call.method;
        if ("initialize".equals(method) && result != null && result.isObject()) {
            ObjectNode attribution = sink.meta().attribution;
            if (result.hasNonNull("protocolVersion")) {
                attribution.put("mcp_protocol_version", result.get("protocolVersion").asText());
            }
            if (result.get("serverInfo") != null) {
                attribution.set("mcp_server", result.get("serverInfo"));
            }
            sink.metaChanged();
            return null;
        }
        if ("sampling/createMessage".equals(method) && result != null) {
            ObjectNode data = sink.newData();
            data.set("request_id", id);
            data.put("model", text(result, "model"));
            data.put("stop_reason", text(result, "stopReason"));
            data.put("role", text(result, "role"));
            data.put("content_preview", preview(contentText(result.get("content"))));
            return emit(sink, EventTypes.LLM_RESPONSE, data, parent, duration, ts);
        }
        boolean toolResult = "tools/call".equals(method)
                || (call == null && dir == Direction.SERVER_TO_CLIENT && result != null && result.path("content").isArray()
                && result.path("content").size() > 0);
        if (toolResult && result != null && result.isObject()) {
            ObjectNode data = sink.newData();
            data.set("request_id", id);
            ArrayNode types = data.putArray("content_types");
            JsonNode content = result.path("content");
            for (JsonNode c : content) {
                types.add(c.path("type").asText(""));
            }
            String text = contentText(content);
            data.put("content_preview", preview(text));
            boolean isError = result.path("isError").asBoolean(false);
            data.put("is_error", isError);
            if (call != null && call.toolName != null) {
                data.put("tool_name", call.toolName);
            }
            // the whole result only where the preview loses something (agent-strace keeps none)
            boolean previewIsWhole = content.size() == 1 && "text".equals(content.get(0).path("type").asText())
                    && text.length() <= CONTENT_PREVIEW && result.size() <= (result.has("isError") ? 2 : 1);
            if (!previewIsWhole && large != null) {
                ObjectNode bounded = data.putObject("result");
                bounded.put("truncated", true);
                bounded.put("size", large.length);
                bounded.set("sha256", largeSha());
                bounded.put("preview", text.length() <= sink.options().previewChars() ? text
                        : text.substring(0, sink.options().previewChars()));
            } else if (!previewIsWhole) {
                data.set("result", bounded(result, sink, bytes));
            }
            String eventId = emit(sink, EventTypes.TOOL_RESULT, data, parent, duration, ts);
            if (isError) {
                sink.meta().errors++;
                sink.metaChanged();
            }
            return eventId;
        }
        return null;
    }

    /** Most methods a peer may leave out; more than this many distinct ones are not kept. */
    static final int MAX_UNSUPPORTED = 16;

    /**
     * A protocol probe: a request for a method the peer does not implement ({@code server/discover},
     * {@code ping}, {@code resources/list} of a server with no resources...) answered "method not
     * found" (-32601). Asking is how clients learn what a peer can do, so the answer is no session
     * error; a tool call or a sampling request answered so is (the agent wanted that work done).
     */
    static boolean isProbe(String method, JsonNode error) {
        return method != null && !"tools/call".equals(method) && !"sampling/createMessage".equals(method)
                && error.isObject() && error.path("code").canConvertToInt() && error.path("code").intValue() == -32601;
    }

    /** The method goes into the meta ({@code attribution.unsupported_methods}), once, in order seen. */
    private static void noteUnsupported(EventSink sink, String method) {
        ObjectNode attribution = sink.meta().attribution;
        JsonNode had = attribution.get("unsupported_methods");
        ArrayNode list = had instanceof ArrayNode a ? a : attribution.putArray("unsupported_methods");
        for (JsonNode m : list) {
            if (m.asText().equals(method)) {
                return;
            }
        }
        if (list.size() < MAX_UNSUPPORTED) {
            list.add(method.length() <= 128 ? method : method.substring(0, 128));
            sink.metaChanged();
        }
    }

    private String emitError(EventSink sink, ObjectNode data, Pending call, double ts, long nanos) {
        Double duration = call == null ? null : millis(nanos - call.nanos);
        String id = emit(sink, EventTypes.ERROR, data, call == null ? null : call.eventId, duration, ts);
        sink.meta().errors++;
        sink.metaChanged();
        return id;
    }


    /** Milliseconds with microsecond resolution (short decimals print fast and exactly). */
    private static double millis(long nanos) {
        return Math.round(Math.max(0, nanos) / 1_000.0) / 1_000.0;
    }

    private static String emit(EventSink sink, String type, ObjectNode data, String parent, Double duration, double ts) {
        String eventId = sink.newEventId();
        sink.append(new TraceEvent(type, ts, eventId, sink.sessionId(), parent, duration, data));
        return eventId;
    }

    private static ObjectNode wireRecord(EventSink sink, Direction dir, String framing, int bytes) {
        ObjectNode wire = sink.newData();
        wire.put("direction", dir.label());
        wire.put("framing", framing);
        wire.put("bytes", bytes);
        return wire;
    }

    /** Type-tagged id: {@code 1}, {@code 1.0} and {@code "1"} are three different requests. */
    static String idKey(JsonNode id) {
        if (id == null) {
            return "null";
        }
        if (id.isTextual()) {
            return "s:" + id.asText();
        }
        // an int or long prints the same either way; toString() would run a whole JSON generator
        return "n:" + (id.isInt() || id.isLong() ? id.asText() : id.toString());
    }

    private static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.isTextual() ? v.asText() : v.toString();
    }

    /** The text of MCP content: a content block, an array of blocks, or plain text. */
    private static String contentText(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isObject()) {
            if (content.has("text")) {
                return content.path("text").asText("");
            }
            if (content.has("resource")) {
                return content.path("resource").path("text").asText(content.path("resource").path("uri").asText(""));
            }
            return "[" + content.path("type").asText("content") + "]";
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode c : content) {
            if (sb.length() > CONTENT_PREVIEW) {
                break;
            }
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append(contentText(c));
        }
        return sb.toString();
    }

    /** agent-strace's preview: at most 200 characters, then "...". */
    static String preview(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= CONTENT_PREVIEW ? s : s.substring(0, CONTENT_PREVIEW) + "...";
    }

    private static Map<String, Pending> pendingMap() {
        return new LinkedHashMap<>(64, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Pending> eldest) {
                return size() > MAX_PENDING;
            }
        };
    }
}
