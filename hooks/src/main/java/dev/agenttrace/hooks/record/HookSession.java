package dev.agenttrace.hooks.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.hooks.event.HookCall;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.Ids;
import dev.agenttrace.store.SessionWriter;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceJson;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The trace of one agent session seen through its hooks, in agent-strace's hook-session shape:
 * {@code session_start {mode: "<agent>-hooks"}}, {@code user_prompt {prompt}},
 * {@code tool_call {tool_name, arguments, tool_use_id}}, {@code tool_result {tool_name, result}},
 * {@code error {tool_name, error}}, {@code assistant_response {text}}, {@code session_end}.
 *
 * <p>A result is linked to its call ({@code parent_id}) by the model's {@code tool_use_id}, never
 * by tool name, so parallel calls of one tool pair correctly; an agent that sends no id (Cursor,
 * Gemini CLI, Copilot CLI's camelCase hooks) is paired by tool name and arguments, oldest first.
 * Calls and results carry the agent's own tool name and arguments (not the name the firewall
 * judged the call as), and one key function ({@link HookCall#pairingKey()}) pairs them, live and in
 * {@link #restore}. Thread-safe: an agent runs its hooks in parallel, so two events of one session
 * may arrive at once.
 */
public final class HookSession {
    private static final int RESULT_CHARS = 1000;
    private static final int MAX_PENDING = 4096;
    /** The kind of the decision that links a hook's MCP call to the call {@code record} recorded. */
    public static final String MCP_LINK = "mcp_link";

    private final dev.agenttrace.rules.inline.SessionRecorder recorder = new dev.agenttrace.rules.inline.SessionRecorder();
    private final java.util.concurrent.atomic.AtomicBoolean observed = new java.util.concurrent.atomic.AtomicBoolean();
    private final String agentSessionId;
    private final String sessionId;
    private final SessionWriter writer;
    private final HookSession parent;
    private final String agentId;
    private final String cwd;
    private final Map<String, ArrayDeque<Pending>> pending = new HashMap<>();
    private int pendingCount;
    private final Map<String, HookSession> children = new HashMap<>();
    private volatile long lastSeenNanos = System.nanoTime();
    private final double startedAt;
    private boolean ended;

    /** A call waiting for its result. */
    private record Pending(String eventId, long startNanos, String toolName) {
    }

    HookSession(String agentSessionId, String sessionId, SessionWriter writer, HookSession parent, String agentId, String cwd,
                double startedAt) {
        this.agentSessionId = agentSessionId;
        this.sessionId = sessionId;
        this.writer = writer;
        this.parent = parent;
        this.agentId = agentId;
        this.cwd = cwd;
        this.startedAt = startedAt;
        recorder.attach(writer);
    }

    /**
     * The recorder the {@code Checkpoint} records this session's tool calls with (into the same
     * trace), its events shown to {@code observer} (the breakers) as they are made.
     */
    public dev.agenttrace.rules.inline.SessionRecorder recorder(dev.agenttrace.store.StoreOptions options,
                                                               java.util.function.Consumer<TraceEvent> observer) {
        if (observed.compareAndSet(false, true)) {
            recorder.classifyInline(sessionId, options, observer);
        }
        return recorder;
    }

    /** A call the Checkpoint recorded as {@code callEventId}: its result, when it comes, links to it. */
    public void called(HookCall call, String callEventId) {
        if (callEventId != null) {
            remember(pairingKey(call), new Pending(callEventId, System.nanoTime(), call.toolName()));
        }
    }

    /** A call that will not run (refused): no result will come for it. */
    public void forget(HookCall call) {
        take(pairingKey(call));
    }

    /** The id of this session in the store (16 characters). */
    public String sessionId() {
        return sessionId;
    }

    /** The agent's own session id. */
    public String agentSessionId() {
        return agentSessionId;
    }

    /** The session that started this subagent, or null. */
    public HookSession parent() {
        return parent;
    }

    public String agentId() {
        return agentId;
    }

    /** The working directory the session started in (its project), or null. */
    public String cwd() {
        return cwd;
    }

    public double startedAt() {
        return startedAt;
    }

    long lastSeenNanos() {
        return lastSeenNanos;
    }

    void touch() {
        lastSeenNanos = System.nanoTime();
    }

    /** The open child session of a subagent, or null. */
    public synchronized HookSession child(String id) {
        return children.get(id);
    }

    synchronized void addChild(String id, HookSession child) {
        children.put(id, child);
    }

    synchronized HookSession removeChild(String id) {
        return children.remove(id);
    }

    synchronized java.util.List<HookSession> childSessions() {
        return java.util.List.copyOf(children.values());
    }

    static double now() {
        Instant i = Instant.now();
        return i.getEpochSecond() + (i.getNano() / 1000) / 1e6;
    }

    // ------------------------------------------------------------------ events

    TraceEvent sessionStart(String mode, HookCall call) {
        ObjectNode d = data();
        d.put("mode", mode);
        putText(d, "source", call == null ? null : call.text("source"));
        putText(d, "model", call == null ? null : modelOf(call));
        return append(event(EventTypes.SESSION_START, null, null, d));
    }

    private static String modelOf(HookCall call) {
        JsonNode m = call.raw().get("model");
        if (m != null && m.isTextual()) {
            return m.asText();
        }
        return m != null && m.isObject() ? m.path("id").asText(null) : null;
    }

    public TraceEvent userPrompt(String prompt) {
        ObjectNode d = data();
        d.put("prompt", prompt == null ? "" : prompt);
        return append(event(EventTypes.USER_PROMPT, null, null, d));
    }

    public TraceEvent assistantResponse(String text) {
        ObjectNode d = data();
        d.put("text", text);
        return append(event(EventTypes.ASSISTANT_RESPONSE, null, null, d));
    }

    /** A tool about to run: recorded, and remembered until its result comes. */
    public TraceEvent toolCall(HookCall call) {
        ObjectNode d = data();
        d.put("tool_name", call.toolName() == null ? "" : call.toolName());
        d.set("arguments", call.toolInput() == null ? data() : call.toolInput());
        putText(d, "tool_use_id", call.toolUseId());
        if (call.toolUseId() == null || call.toolUseId().isEmpty()) {
            d.put("request_id", call.requestId()); // what the pairing key of a restore reads (keyOf)
        }
        putText(d, "agent_id", call.agentId());
        TraceEvent e = event(EventTypes.TOOL_CALL, null, null, d);
        remember(pairingKey(call), new Pending(e.eventId(), System.nanoTime(), call.toolName()));
        return append(e, true, false);
    }

    /**
     * A tool's result. A result whose call was never seen (agent-trace started while the call ran,
     * or an agent with no pre-tool event for this tool) gets its call recorded first, so it is never
     * an orphan. Returns the events appended: the result, preceded by that call when it was missing.
     */
    public java.util.List<TraceEvent> toolResult(HookCall call, boolean failed) {
        Pending p = take(pairingKey(call));
        java.util.List<TraceEvent> out = new java.util.ArrayList<>(2);
        if (p == null) {
            TraceEvent c = toolCall(call);
            out.add(c);
            p = take(pairingKey(call));
        }
        Double duration = call.durationMs() != null ? call.durationMs() : (System.nanoTime() - p.startNanos) / 1e6;
        ObjectNode d = data();
        d.put("tool_name", call.toolName() == null ? p.toolName : call.toolName());
        putText(d, "tool_use_id", call.toolUseId());
        TraceEvent e;
        if (failed) {
            d.put("error", call.error() == null ? "tool call failed" : call.error());
            if (call.raw().path("is_interrupt").asBoolean(false)) {
                d.put("is_interrupt", true);
            }
            e = event(EventTypes.ERROR, p.eventId, duration, d);
            out.add(append(e, false, true));
        } else {
            d.put("result", clip(resultText(call.toolResponse()), RESULT_CHARS));
            if (call.toolResponse() != null && !call.toolResponse().isNull()) {
                d.set("response", call.toolResponse());
            }
            d.put("is_error", false);
            e = event(EventTypes.TOOL_RESULT, p.eventId, duration, d);
            out.add(append(e));
        }
        return out;
    }

    /**
     * A call that will not run: refused by agent-trace (kind {@code policy_violation} or
     * {@code watch_block}) or by the agent's own permission system ({@code permission_denied}).
     * The call is answered by this decision: it leaves the pending calls.
     */
    public TraceEvent refused(HookCall call, String callEventId, String kind, String reason, ObjectNode decision, boolean enforced) {
        ObjectNode d = data();
        d.put("kind", kind);
        d.put("choice", enforced ? "block" : "allow");
        d.put("reason", reason == null ? "" : reason);
        d.put("tool_name", call.toolName() == null ? "" : call.toolName());
        putText(d, "tool_use_id", call.toolUseId());
        d.put("mode", enforced ? "enforce" : "shadow");
        d.put("forwarded", !enforced);
        if (decision != null) {
            d.set("policy", decision);
        }
        d.putArray("alternatives").add(enforced ? "allow" : "block");
        return append(event(EventTypes.DECISION, callEventId, null, d));
    }

    /** The agent's own permission system refused a call (Claude Code's PermissionDenied). */
    public TraceEvent permissionDenied(HookCall call) {
        Pending p = take(pairingKey(call));
        String parentId = p == null ? null : p.eventId;
        if (p == null) {
            parentId = toolCall(call).eventId();
            take(pairingKey(call));
        }
        ObjectNode d = data();
        d.put("kind", "permission_denied");
        d.put("choice", "block");
        d.put("reason", call.text("reason") == null ? "denied by the agent's permission settings" : call.text("reason"));
        d.put("tool_name", call.toolName() == null ? "" : call.toolName());
        putText(d, "tool_use_id", call.toolUseId());
        d.put("by", "agent");
        return append(event(EventTypes.DECISION, parentId, null, d));
    }

    /**
     * The MCP call {@code callEventId} of this session is the call {@code linkedEventId} that
     * {@code agent-trace record} recorded in session {@code linkedSessionId}: a {@code decision
     * {kind: "mcp_link"}} under the call says so, and analyses across sessions count the call once
     * (the recorded copy). Nothing is written once the session has ended.
     */
    public synchronized TraceEvent linked(String callEventId, String server, String tool, String linkedSessionId, String linkedEventId) {
        if (ended) {
            return null; // (end() takes this lock before its session_end, so nothing follows it)
        }
        ObjectNode d = data();
        d.put("kind", MCP_LINK);
        d.put("tool_name", "mcp__" + server + "__" + tool);
        d.put("mcp_server", server);
        d.put("mcp_tool", tool);
        d.put("linked_session_id", linkedSessionId);
        d.put("linked_event_id", linkedEventId);
        return append(event(EventTypes.DECISION, callEventId, null, d));
    }

    /** Something a debugging user wants on the timeline that has no event type of its own (a compaction, a notification). */
    public TraceEvent note(String kind, HookCall call, String... keys) {
        ObjectNode d = data();
        d.put("kind", kind);
        d.put("hook_event", call.eventName());
        for (String k : keys) {
            JsonNode v = call.raw().get(k);
            if (v != null && !v.isNull()) {
                d.set(k, v);
            }
        }
        return append(event(EventTypes.DECISION, null, null, d));
    }

    /**
     * Takes up a session recorded before (by a serve that has since restarted, or by another
     * {@code agent-trace hook} process): calls still waiting for their results are pending again,
     * so a result that arrives now pairs with its call instead of recording a second one.
     */
    synchronized void restore(java.util.List<TraceEvent> history) {
        Map<String, String> keyOfCall = new HashMap<>();
        for (TraceEvent e : history) {
            ObjectNode d = e.data();
            if (EventTypes.TOOL_CALL.equals(e.eventType()) && d != null) {
                String key = keyOf(d);
                keyOfCall.put(e.eventId(), key);
                pending.computeIfAbsent(key, k -> new ArrayDeque<>(1)).addLast(new Pending(e.eventId(), System.nanoTime(),
                        d.path("tool_name").asText("")));
                pendingCount++;
            } else if (e.parentId() != null && keyOfCall.containsKey(e.parentId())
                    && (EventTypes.TOOL_RESULT.equals(e.eventType()) || EventTypes.ERROR.equals(e.eventType())
                    || (EventTypes.DECISION.equals(e.eventType()) && d != null && "block".equals(d.path("choice").asText())))) {
                String key = keyOfCall.remove(e.parentId());
                ArrayDeque<Pending> q = pending.get(key);
                if (q != null && q.removeIf(p -> p.eventId.equals(e.parentId()))) {
                    pendingCount--;
                    if (q.isEmpty()) {
                        pending.remove(key);
                    }
                }
            }
        }
        this.history = history;
    }

    private java.util.List<TraceEvent> history = java.util.List.of();

    /** What {@link #restore} took up (once; then empty): the judge replays it into the breakers. */
    public synchronized java.util.List<TraceEvent> takeHistory() {
        java.util.List<TraceEvent> h = history;
        history = java.util.List.of();
        return h;
    }

    /** Appends a ready-made event (an alert the watch raised) to this session. */
    public void record(TraceEvent e) {
        append(e);
    }

    /**
     * The last spawning call ({@code Agent}/{@code Task}) still waiting: the parent event of a
     * subagent that starts now; null if there is none.
     */
    synchronized String spawningCall() {
        String best = null;
        long newest = Long.MIN_VALUE;
        for (ArrayDeque<Pending> q : pending.values()) {
            for (Pending p : q) {
                if (("Agent".equals(p.toolName) || "Task".equals(p.toolName)) && p.startNanos > newest) {
                    newest = p.startNanos;
                    best = p.eventId;
                }
            }
        }
        return best;
    }

    /** Ends the trace: {@code session_end} and the final meta. Idempotent. */
    void end(String reason) {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
        }
        double ts = now();
        ObjectNode d = data();
        putText(d, "reason", reason);
        double duration = Math.max(0, (ts - startedAt) * 1000);
        d.put("duration_ms", duration);
        TraceEvent e = event(EventTypes.SESSION_END, null, null, d);
        writer.submit(sink -> {
            sink.append(e);
            sink.meta().endedAt = ts;
            sink.meta().totalDurationMs = duration;
            sink.metaChanged();
        }, 256);
        writer.close();
    }

    /** Flushes and closes the writer; the session is not ended (another process goes on with it). */
    void detach() {
        writer.close();
    }

    synchronized boolean ended() {
        return ended;
    }

    // ------------------------------------------------------------------ helpers

    /** What pairs a result with this call ({@link HookCall#pairingKey()}): one key for the call, its result and a restore. */
    private static String pairingKey(HookCall call) {
        return call.pairingKey();
    }

    /**
     * The pairing key of a recorded {@code tool_call}, the same {@link HookCall#pairingKey()} gave
     * when it was made: from its {@code tool_use_id}, else its {@code request_id} (the model's id, or
     * {@code hook:} and the rest of the key), else (recorded before request ids said it) from its
     * tool name and arguments.
     */
    static String keyOf(JsonNode d) {
        String useId = d.path("tool_use_id").asText("");
        if (!useId.isEmpty()) {
            return HookCall.pairingKey(useId, null, null);
        }
        String requestId = d.path("request_id").isTextual() ? d.path("request_id").asText() : "";
        if (requestId.startsWith(HookCall.SYNTHETIC_ID)) {
            return "tool:" + requestId.substring(HookCall.SYNTHETIC_ID.length());
        }
        if (!requestId.isEmpty() && !requestId.startsWith("hook-")) {
            return HookCall.pairingKey(requestId, null, null);
        }
        return HookCall.pairingKey(null, d.path("tool_name").asText(""), d.get("arguments"));
    }

    private synchronized void remember(String key, Pending p) {
        if (pendingCount >= MAX_PENDING) {
            // calls whose results never came (an agent killed mid-call): forget the oldest
            Iterator<ArrayDeque<Pending>> it = pending.values().iterator();
            if (it.hasNext()) {
                ArrayDeque<Pending> q = it.next();
                q.pollFirst();
                pendingCount--;
                if (q.isEmpty()) {
                    it.remove();
                }
            }
        }
        pending.computeIfAbsent(key, k -> new ArrayDeque<>(1)).addLast(p);
        pendingCount++;
    }

    private synchronized Pending take(String key) {
        ArrayDeque<Pending> q = pending.get(key);
        if (q == null) {
            return null;
        }
        Pending p = q.pollFirst();
        pendingCount--;
        if (q.isEmpty()) {
            pending.remove(key);
        }
        return p;
    }

    private TraceEvent event(String type, String parentId, Double durationMs, ObjectNode d) {
        return new TraceEvent(type, now(), Ids.eventId(), sessionId, parentId, durationMs, d);
    }

    private TraceEvent append(TraceEvent e) {
        return append(e, false, false);
    }

    private TraceEvent append(TraceEvent e, boolean countCall, boolean countError) {
        touch();
        long bytes = 256L + (e.data() == null ? 0 : e.data().size() * 64L);
        writer.submit(sink -> {
            sink.append(e);
            if (countCall) {
                sink.meta().toolCalls++;
            }
            if (countError) {
                sink.meta().errors++;
            }
            if (countCall || countError) {
                sink.metaChanged();
            }
        }, bytes);
        return e;
    }

    private static ObjectNode data() {
        return TraceJson.mapper().createObjectNode();
    }

    private static void putText(ObjectNode d, String key, String value) {
        if (value != null && !value.isEmpty()) {
            d.put(key, value);
        }
    }

    /** What a person reads as the result: text as is; Bash's stdout and stderr; any other object as JSON. */
    static String resultText(JsonNode r) {
        if (r == null || r.isNull()) {
            return "";
        }
        if (r.isTextual()) {
            return r.asText();
        }
        if (r.isObject() && (r.has("stdout") || r.has("stderr"))) {
            String out = r.path("stdout").asText("");
            String err = r.path("stderr").asText("");
            return err.isEmpty() ? out : out.isEmpty() ? err : out + "\n" + err;
        }
        if (r.isObject() && r.has("llmContent") && r.get("llmContent").isTextual()) {
            return r.get("llmContent").asText();
        }
        try {
            return TraceJson.mapper().writeValueAsString(r);
        } catch (IOException e) {
            return r.toString();
        }
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "... (truncated)";
    }
}
