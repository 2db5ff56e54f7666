package dev.agenttrace.export.span;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.redact.Redactor;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.cost.PriceTable;
import dev.agenttrace.store.cost.TokenMeter;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns one session's events, in the order the store wrote them, into spans named and shaped as
 * the MCP semantic conventions say ({@link Semconv}): a session span; a {@code tools/call <tool>}
 * CLIENT span per tool call a proxy forwarded (an {@code execute_tool <tool>} INTERNAL span per
 * call a hook observed); a {@code <method>} span for every other request seen on the wire
 * ({@code messages.ndjson}); a {@code run_guardrail <component>} span per firewall decision and
 * breaker trip, a child of the call it judged. The same code serves the live export (fed by the
 * store's tee) and {@code agent-trace export} (fed by the files), so both emit the same spans with
 * the same ids ({@link SpanIds}).
 *
 * <p>Not thread-safe: one session, one thread. Memory is bounded: calls that never get an answer
 * are forgotten past {@link #MAX_PENDING} (and end with the session).
 */
public final class SpanAssembler {
    static final int MAX_PENDING = 10_000;
    private static final int MAX_TEXT = 4_096;
    private static final PriceTable PRICES = PriceTable.standard();

    private final Consumer<SpanRecord> out;
    private final boolean captureContent;

    private String sessionId;
    private String traceId;
    private String sessionSpanId;
    private String agentName;
    private long startNanos;
    private long endNanos;
    private long lastNanos;
    private boolean hooks;
    private String transport;
    private String serverAddress;
    private Long serverPort;
    private String mcpSessionId;
    private String protocolVersion;
    private final TokenMeter tokens = new TokenMeter(PRICES);
    private final List<SpanRecord.Event> sessionEvents = new ArrayList<>();

    /** A call waiting for its answer; its span id is computed once, here (a SHA-256 each). */
    private record Call(String eventId, String spanId, long nanos, String tool, JsonNode requestId, JsonNode arguments) {
    }

    private record Request(String wireEventId, long nanos, String method, JsonNode requestId, boolean fromClient,
                           String target, String uri) {
    }

    private final Map<String, Call> callsByEvent = bounded();
    private final Map<String, Call> callsByRequest = bounded();
    private final Map<String, Request> requests = bounded();
    /** Event id of a call, its result or a request record, to the span it belongs to: decisions name their parent by it. */
    private final Map<String, String> spanOfEvent = bounded();
    /** Recent error events by id: a wire error record names the event that holds its code. */
    private final Map<String, JsonNode> errorData = bounded(256);

    public SpanAssembler(Consumer<SpanRecord> out, boolean captureContent) {
        this.out = out;
        this.captureContent = captureContent;
    }

    /** The session opened (its meta when it opened, or the stored meta offline). */
    public void start(SessionMeta meta) {
        sessionId = meta.sessionId;
        traceId = SpanIds.traceId(sessionId);
        sessionSpanId = SpanIds.sessionSpanId(sessionId);
        agentName = meta.agentName;
        startNanos = meta.startedAt == null ? 0 : nanos(meta.startedAt);
        meta(meta);
    }

    /** The meta changed while the session runs (the MCP session id became known). */
    public void meta(SessionMeta meta) {
        JsonNode a = meta.attribution;
        if (a != null) {
            if (text(a, "mcp_protocol_version") != null) {
                protocolVersion = text(a, "mcp_protocol_version");
            }
            if (text(a, "mcp_session_id") != null) {
                mcpSessionId = text(a, "mcp_session_id");
            }
        }
    }

    public void accept(TraceEvent e, boolean sidecar) {
        if (sessionId == null) {
            SessionMeta m = new SessionMeta();
            m.sessionId = e.sessionId();
            start(m);
        }
        long ts = nanos(e.timestamp());
        lastNanos = Math.max(lastNanos, ts);
        JsonNode d = e.data();
        if (sidecar) {
            if (EventTypes.MCP_MESSAGE.equals(e.eventType()) && d != null) {
                wire(d, ts);
            }
            return;
        }
        if (d != null) {
            tokens.observe(e.eventType(), d);
        }
        switch (e.eventType()) {
            case EventTypes.SESSION_START -> sessionStart(d, ts);
            case EventTypes.SESSION_END -> endNanos = ts;
            case EventTypes.TOOL_CALL -> {
                Call c = new Call(e.eventId(), SpanIds.spanId(sessionId, e.eventId()), ts, text(d, "tool_name"),
                        d == null ? null : d.get("request_id"), d == null ? null : d.get("arguments"));
                callsByEvent.put(c.eventId, c);
                if (c.requestId != null && !c.requestId.isNull()) {
                    callsByRequest.put(key(c.requestId), c);
                }
                spanOfEvent.put(c.eventId, c.spanId);
            }
            case EventTypes.TOOL_RESULT, EventTypes.ERROR -> answer(e, d, ts);
            case EventTypes.DECISION -> decision(e, d, ts);
            default -> {
                // llm and prompt events: counted by the token meter, not spans of their own
            }
        }
    }

    /** The session ended: unanswered calls end with it, then the session span. */
    public void finish(SessionMeta meta) {
        if (sessionId == null) {
            if (meta == null) {
                return;
            }
            start(meta);
        }
        long end = endNanos != 0 ? endNanos : meta != null && meta.endedAt != null ? nanos(meta.endedAt) : lastNanos;
        if (startNanos == 0) {
            startNanos = end;
        }
        for (Call c : new ArrayList<>(callsByEvent.values())) {
            Map<String, Object> attrs = toolAttributes(c);
            attrs.put("agent_trace.unanswered", true);
            emit(c.spanId, sessionSpanId, toolSpanName(c.tool), toolKind(), c.nanos,
                    Math.max(c.nanos, end), attrs, null);
        }
        callsByEvent.clear();
        if (meta != null) {
            if (protocolVersion == null && meta.attribution != null) {
                protocolVersion = text(meta.attribution, "mcp_protocol_version");
            }
            if (agentName == null) {
                agentName = meta.agentName;
            }
        }
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put(Semconv.SESSION_ID, sessionId);
        if (agentName != null) {
            attrs.put(Semconv.GEN_AI_AGENT_NAME, agentName);
        }
        common(attrs);
        if (meta != null) {
            attrs.put(Semconv.TOOL_CALLS, (long) meta.toolCalls);
            attrs.put(Semconv.ERRORS, (long) meta.errors);
            if (meta.attribution != null && meta.attribution.path("trace_incomplete").asBoolean(false)) {
                attrs.put("agent_trace.trace_incomplete", true);
            }
        }
        attrs.put(Semconv.TOKENS, tokens.totalTokens());
        attrs.put(Semconv.COST_USD, tokens.costUsd());
        out.accept(new SpanRecord(traceId, sessionSpanId, null, "session " + (agentName == null ? sessionId : agentName),
                SpanRecord.Kind.INTERNAL, startNanos, Math.max(startNanos, end), attrs, null, List.copyOf(sessionEvents)));
    }

    // ------------------------------------------------------------------ events

    private void sessionStart(JsonNode d, long ts) {
        if (startNanos == 0 || ts < startNanos) {
            startNanos = ts;
        }
        String mode = text(d, "mode");
        if (mode != null && mode.contains("hook")) {
            hooks = true;
        } else if ("http".equals(mode) || d != null && d.hasNonNull("remote_url")) {
            transport = "tcp";
            String url = text(d, "remote_url");
            if (url != null) {
                try {
                    URI u = URI.create(url);
                    serverAddress = u.getHost();
                    int port = u.getPort() > 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
                    serverPort = (long) port;
                } catch (IllegalArgumentException ignored) {
                    // no server.address for a URL that does not parse
                }
            }
            if (text(d, "mcp_session_id") != null) {
                mcpSessionId = text(d, "mcp_session_id");
            }
        } else if ("stdio".equals(mode) || d != null && d.has("command")) {
            transport = "pipe";
        } else if (mode != null && !mode.isEmpty()) {
            hooks = !mode.equals("proxy");
        }
    }

    private void answer(TraceEvent e, JsonNode d, long ts) {
        boolean error = EventTypes.ERROR.equals(e.eventType());
        if (error) {
            errorData.put(e.eventId(), d);
        }
        Call c = e.parentId() == null ? null : callsByEvent.remove(e.parentId());
        if (c == null && d != null && d.hasNonNull("request_id")) {
            Call byId = callsByRequest.get(key(d.get("request_id")));
            if (byId != null && callsByEvent.remove(byId.eventId) != null) {
                c = byId;
            }
        }
        if (c == null) {
            if (error) {
                sessionEvent("exception", ts, Map.of("exception.message", clip(errorText(d))));
            }
            return;
        }
        if (c.requestId != null && !c.requestId.isNull()) {
            callsByRequest.remove(key(c.requestId));
        }
        String spanId = c.spanId;
        spanOfEvent.put(e.eventId(), spanId);
        Map<String, Object> attrs = toolAttributes(c);
        String status = null;
        boolean isError = error || d != null && d.path("is_error").asBoolean(false);
        if (isError) {
            Integer code = d != null && d.path("code").isIntegralNumber() ? d.get("code").asInt() : null;
            String message = errorText(d);
            if (!error) {
                attrs.put(Semconv.ERROR_TYPE, Semconv.TOOL_ERROR);
            } else if (code != null) {
                attrs.put(Semconv.ERROR_TYPE, Integer.toString(code));
                attrs.put(Semconv.RPC_RESPONSE_STATUS_CODE, Integer.toString(code));
            } else {
                attrs.put(Semconv.ERROR_TYPE, d != null && d.path("cancelled").asBoolean(false) ? "cancelled" : "_OTHER");
            }
            attrs.put(Semconv.ERROR_KIND, ErrorKind.classify(code, message).name());
            status = clip(message.isEmpty() ? "tool error" : message);
        }
        if (captureContent && d != null && !error) {
            JsonNode result = d.has("result") ? d.get("result") : d.get("content_preview");
            if (result != null) {
                attrs.put(Semconv.GEN_AI_TOOL_CALL_RESULT, clip(json(result)));
            }
        }
        emit(spanId, sessionSpanId, toolSpanName(c.tool), toolKind(), c.nanos, Math.max(c.nanos, ts), attrs, status);
    }

    private void decision(TraceEvent e, JsonNode d, long ts) {
        String kind = text(d, "kind");
        if (kind == null) {
            return;
        }
        boolean firewall = "policy_violation".equals(kind);
        boolean breaker = "alert".equals(kind) || "watch_block".equals(kind);
        if (!firewall && !breaker) {
            sessionEvent("agent_trace.decision", ts, Map.of("agent_trace.decision.kind", kind,
                    "agent_trace.decision.reason", clip(String.valueOf(text(d, "reason")))));
            return;
        }
        String component = firewall ? "agent-trace.firewall" : "agent-trace.watch";
        String choice = text(d, "choice");
        boolean blocked = "block".equals(choice) || "kill".equals(choice) || "pause".equals(choice);
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put(Semconv.GEN_AI_OPERATION_NAME, Semconv.OP_RUN_GUARDRAIL);
        attrs.put(Semconv.GUARDRAIL_COMPONENT, component);
        attrs.put(Semconv.GUARDRAIL_TARGET_TYPE, "input");
        attrs.put(Semconv.GUARDRAIL_TARGET_SUBTYPE, "tool_call");
        if (d.hasNonNull("request_id")) {
            attrs.put(Semconv.GUARDRAIL_TARGET_ID, idText(d.get("request_id")));
        }
        attrs.put(Semconv.GUARDRAIL_VERDICT_TYPE, firewall || blocked ? (blocked || "block".equals(choice) ? "deny" : "warn") : "warn");
        attrs.put(Semconv.GUARDRAIL_ACTION_TYPE, blocked ? "block" : "allow");
        String rule = firewall ? d.path("policy").path("rule").asText(text(d, "rule")) : text(d, "rule");
        if (rule != null && !rule.isEmpty()) {
            attrs.put(Semconv.GUARDRAIL_POLICY_RULE_ID, rule);
        }
        if (breaker && text(d, "watcher") != null) {
            attrs.put(Semconv.WATCHER, text(d, "watcher"));
            attrs.put(Semconv.GUARDRAIL_VERDICT_REASON, text(d, "watcher"));
        } else if (firewall) {
            attrs.put(Semconv.GUARDRAIL_VERDICT_REASON, "policy_violation");
        }
        if (text(d, "mode") != null) {
            attrs.put(Semconv.GUARDRAIL_MODE, text(d, "mode"));
        }
        if (text(d, "tool_name") != null) {
            attrs.put(Semconv.GEN_AI_TOOL_NAME, text(d, "tool_name"));
        }
        attrs.put("agent_trace.decision.kind", kind);
        attrs.put("agent_trace.decision.reason", clip(String.valueOf(text(d, "reason"))));
        attrs.put(Semconv.EVENT_ID, e.eventId());
        String parent = e.parentId() == null ? null : spanOfEvent.get(e.parentId());
        emit(SpanIds.spanId(sessionId, e.eventId()), parent != null ? parent : sessionSpanId,
                Semconv.OP_RUN_GUARDRAIL + " " + component, SpanRecord.Kind.INTERNAL, ts, ts, attrs, null);
    }

    /** A record of the wire log: spans for the requests that are not tool calls. */
    private void wire(JsonNode d, long ts) {
        String kind = text(d, "kind");
        String method = text(d, "method");
        boolean fromClient = "client_to_server".equals(text(d, "direction"));
        JsonNode id = d.get("request_id");
        if ("request".equals(kind) && method != null && id != null && !"tools/call".equals(method)) {
            JsonNode params = d.path("message").path("params");
            String target = "prompts/get".equals(method) ? text(params, "name") : null;
            String uri = method.startsWith("resources/") ? text(params, "uri") : null;
            String wireId = text(d, "event_id") != null ? text(d, "event_id") : "wire-" + (fromClient ? "c" : "s") + key(id);
            requests.put((fromClient ? "c" : "s") + key(id), new Request(wireId, ts, method, id, fromClient, target, uri));
            return;
        }
        if (("response".equals(kind) || "error".equals(kind)) && id != null && !requests.isEmpty()) {
            Request r = requests.remove((fromClient ? "s" : "c") + key(id));
            if (r == null) {
                return;
            }
            if ("initialize".equals(r.method)) {
                String v = text(d.path("message").path("result"), "protocolVersion");
                if (v != null) {
                    protocolVersion = v;
                }
            }
            Map<String, Object> attrs = new LinkedHashMap<>();
            attrs.put(Semconv.MCP_METHOD_NAME, r.method);
            attrs.put(Semconv.JSONRPC_REQUEST_ID, idText(r.requestId));
            if (r.target != null) {
                attrs.put(Semconv.GEN_AI_PROMPT_NAME, r.target);
            }
            if (r.uri != null) {
                attrs.put(Semconv.MCP_RESOURCE_URI, r.uri);
            }
            common(attrs);
            String status = null;
            if ("error".equals(kind)) {
                JsonNode err = d.path("message").path("error");
                JsonNode fromEvent = text(d, "event_id") == null ? null : errorData.get(text(d, "event_id"));
                JsonNode code = err.has("code") ? err.get("code") : fromEvent == null ? null : fromEvent.get("code");
                String message = err.has("message") ? err.get("message").asText() : errorText(fromEvent);
                String c = code == null ? "_OTHER" : code.asText();
                attrs.put(Semconv.ERROR_TYPE, c);
                if (code != null) {
                    attrs.put(Semconv.RPC_RESPONSE_STATUS_CODE, c);
                }
                attrs.put(Semconv.ERROR_KIND, ErrorKind.classify(code != null && code.canConvertToInt() ? code.asInt() : null,
                        message).name());
                status = clip(message.isEmpty() ? "JSON-RPC error " + c : message);
            }
            String spanId = SpanIds.spanId(sessionId, r.wireEventId);
            emit(spanId, sessionSpanId, r.target == null ? r.method : r.method + " " + r.target,
                    r.fromClient ? SpanRecord.Kind.CLIENT : SpanRecord.Kind.SERVER, r.nanos, Math.max(r.nanos, ts), attrs, status);
        }
    }

    // ------------------------------------------------------------------ helpers

    private Map<String, Object> toolAttributes(Call c) {
        Map<String, Object> attrs = new LinkedHashMap<>();
        if (!hooks) {
            attrs.put(Semconv.MCP_METHOD_NAME, "tools/call");
        }
        attrs.put(Semconv.GEN_AI_TOOL_NAME, c.tool == null ? "" : c.tool);
        attrs.put(Semconv.GEN_AI_OPERATION_NAME, Semconv.OP_EXECUTE_TOOL);
        if (c.requestId != null && !c.requestId.isNull()) {
            // a hook's id is the agent's tool-call id (Claude Code's tool_use_id), not a JSON-RPC id
            attrs.put(hooks ? Semconv.GEN_AI_TOOL_CALL_ID : Semconv.JSONRPC_REQUEST_ID, idText(c.requestId));
        }
        if (!hooks) {
            common(attrs);
        }
        attrs.put(Semconv.EVENT_ID, c.eventId);
        if (captureContent && c.arguments != null) {
            attrs.put(Semconv.GEN_AI_TOOL_CALL_ARGUMENTS, clip(json(c.arguments)));
        }
        return attrs;
    }

    private void common(Map<String, Object> attrs) {
        if (mcpSessionId != null) {
            attrs.put(Semconv.MCP_SESSION_ID, mcpSessionId);
        }
        if (protocolVersion != null) {
            attrs.put(Semconv.MCP_PROTOCOL_VERSION, protocolVersion);
        }
        if (transport != null) {
            attrs.put(Semconv.NETWORK_TRANSPORT, transport);
            if ("tcp".equals(transport)) {
                attrs.put(Semconv.NETWORK_PROTOCOL_NAME, "http");
                if (serverAddress != null) {
                    attrs.put(Semconv.SERVER_ADDRESS, serverAddress);
                }
                if (serverPort != null) {
                    attrs.put(Semconv.SERVER_PORT, serverPort);
                }
            }
        }
    }

    private String toolSpanName(String tool) {
        return (hooks ? Semconv.OP_EXECUTE_TOOL + " " : "tools/call ") + (tool == null ? "" : tool);
    }

    private SpanRecord.Kind toolKind() {
        return hooks ? SpanRecord.Kind.INTERNAL : SpanRecord.Kind.CLIENT;
    }

    private void emit(String spanId, String parent, String name, SpanRecord.Kind kind, long start, long end,
                      Map<String, Object> attrs, String error) {
        out.accept(new SpanRecord(traceId, spanId, parent, name, kind, start, end, attrs, error, List.of()));
    }

    private void sessionEvent(String name, long ts, Map<String, Object> attrs) {
        if (sessionEvents.size() < 128) {
            sessionEvents.add(new SpanRecord.Event(name, ts, attrs));
        }
    }

    /** Content is captured redacted whatever the store's setting (the collector is another machine). */
    private static String json(JsonNode n) {
        JsonNode r = Redactor.redact(n);
        return r.isTextual() ? Redactor.redactText(r.asText()) : r.toString();
    }

    private static String errorText(JsonNode d) {
        if (d == null) {
            return "";
        }
        for (String k : new String[] {"message", "content_preview", "error"}) {
            String t = text(d, k);
            if (t != null && !t.isEmpty()) {
                return t;
            }
        }
        return "";
    }

    private static String clip(String s) {
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "...";
    }

    static long nanos(double epochSeconds) {
        return Math.round(epochSeconds * 1e6) * 1_000L;
    }

    private static String key(JsonNode id) {
        return id.isTextual() ? "s:" + id.asText() : "n:" + scalar(id);
    }

    private static String idText(JsonNode id) {
        return id.isTextual() ? id.asText() : scalar(id);
    }

    /**
     * A non-text value as its JSON text: a whole number or a boolean directly (the same digits
     * {@code toString} gives; that goes through a Jackson serialiser, several per call), anything
     * else through {@code toString}.
     */
    private static String scalar(JsonNode v) {
        return v.isIntegralNumber() || v.isBoolean() ? v.asText() : v.toString();
    }

    private static String text(JsonNode n, String field) {
        if (n == null) {
            return null;
        }
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.isTextual() ? v.asText() : scalar(v);
    }

    private static <V> Map<String, V> bounded() {
        return bounded(MAX_PENDING);
    }

    private static <V> Map<String, V> bounded(int max) {
        return new LinkedHashMap<>(64, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > max;
            }
        };
    }
}
