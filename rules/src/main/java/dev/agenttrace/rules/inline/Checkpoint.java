package dev.agenttrace.rules.inline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.rules.Guard;
import dev.agenttrace.rules.PolicyMode;
import dev.agenttrace.rules.watch.AlertEvents;
import dev.agenttrace.rules.watch.Block;
import dev.agenttrace.rules.watch.WatchedSession;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceJson;
import dev.agenttrace.store.mcp.Direction;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place a client message is judged before it may reach the server, whatever carried it
 * (stdio, Streamable HTTP, legacy SSE, an agent's hook): the policy firewall and every inline
 * watcher are asked together, the message is parsed at most once, and the answer is one
 * {@link Verdict} that a transport only has to write out. Recording is done here too (the client
 * message, the policy's decisions, the watch's refusals, the replies the proxy makes), so no
 * transport can forget a part or put them in another order.
 *
 * <p>Order for a message that may hold a tool call: it is parsed, recorded (with an inline watch
 * its events are shown to the watch, so the call that trips a {@code block} rule is itself
 * refused), then each call is judged: a call the policy blocks under {@code enforce} is answered
 * with the policy's blocked result; any other call of a session the watch has blocked is answered
 * with the watch's. Shadow mode only records what the policy would block; it never switches the
 * breakers off. A batch is judged element by element.
 *
 * <p>One instance per proxy; thread-safe (the per-session state lives in the recorder and the watch).
 */
public final class Checkpoint {
    private final Guard guard;
    /** Set when the proxy must refuse everything: the policy or watch file it was given does not parse. */
    private final String broken;
    private final ObjectMapper mapper = TraceJson.mapper();
    /**
     * Under {@code enforce}: the store's reader, but a repeated key is an error, because servers
     * disagree on which copy wins ({@code {"method":"tools/call","method":"ping"}}).
     */
    private static final ObjectMapper STRICT = TraceJson.mapper().copy()
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** How a transport can answer a batch whose elements were partly refused. */
    public enum Batches {
        /**
         * The allowed elements are forwarded as a batch, the refused ones answered by the proxy
         * as a batch of its own (stdio, legacy SSE: answers are independent messages).
         */
        SPLIT,
        /**
         * The proxy answers the whole batch, nothing is forwarded: a refused element gets its
         * blocked result, every other request an error saying it was not sent and may be sent
         * again alone (Streamable HTTP: one POST has one answer).
         */
        WHOLE
    }

    /**
     * What to do with one client message.
     *
     * @param forwardOriginal forward the message's own bytes, untouched
     * @param forward         bytes to forward instead (the allowed part of a batch), or null
     * @param reply           the proxy's answer for the client (a blocked result, a batch of them,
     *                        a JSON-RPC error), or null
     * @param stderr          lines for the proxy's stderr, one per refusal or would-be refusal
     * @param refusals        the refused tool calls, for callers that answer in their own terms (hooks)
     */
    public record Verdict(boolean forwardOriginal, byte[] forward, byte[] reply, List<String> stderr,
                          List<Refusal> refusals, Wait waiting) {
        static final Verdict FORWARD = new Verdict(true, null, null, List.of(), List.of(), null);

        Verdict(boolean forwardOriginal, byte[] forward, byte[] reply, List<String> stderr, List<Refusal> refusals) {
            this(forwardOriginal, forward, reply, stderr, refusals, null);
        }

        /** True when something goes to the server (the message, or the allowed part of it). */
        public boolean forwards() {
            return forwardOriginal || forward != null;
        }

        /** True when nothing in the message was refused. */
        public boolean allowed() {
            return refusals.isEmpty() && reply == null;
        }

        /** The reason given for the first refusal (what the model is told), or null. */
        public String reason() {
            return refusals.isEmpty() ? null : refusals.get(0).message();
        }
    }

    /**
     * A message that cannot be judged yet: it names paths, and a call that may change files is
     * still running ({@link ChangeFence}). Nothing was recorded or forwarded; the transport hands
     * over what to do with the verdict once there is one, and the bytes it was given stay its own
     * to forward (copy them if its buffer is reused).
     */
    public final class Wait {
        private final byte[] body;
        private final JsonNode msg;
        private final String framing;
        private final SessionRecorder recorder;
        private final WatchedSession watch;
        private final Batches batches;

        private Wait(byte[] body, JsonNode msg, String framing, SessionRecorder recorder, WatchedSession watch, Batches batches) {
            this.body = body;
            this.msg = msg;
            this.framing = framing;
            this.recorder = recorder;
            this.watch = watch;
            this.batches = batches;
        }

        /**
         * Judges the message once the running changes are answered (or refuses it at the bound)
         * and gives the verdict to {@code then}, on {@code executor}, which must not run the task
         * on the calling thread; the next waiting call is judged only after {@code then} returns,
         * so it must write what the verdict forwards before returning.
         */
        public void then(java.util.concurrent.Executor executor, java.util.function.Consumer<Verdict> then) {
            recorder.changeFence().await(executor, refusal -> then.accept(refusal == null
                    ? judge(body, msg, framing, recorder, watch, batches, true, null)
                    : judge(body, msg, framing, recorder, watch, batches, true, refusal)));
        }
    }

    /**
     * One refused tool call.
     *
     * @param requestId the request's id (type kept), or null for a notification
     * @param tool      the tool's name
     * @param by        {@code policy} or {@code watch}, or {@code checkpoint} for a message it cannot judge
     * @param message   the text the client is told
     */
    public record Refusal(JsonNode requestId, String tool, String by, String message) {
    }

    /** @param guard the policy (with its mode), or null when none is in force */
    public Checkpoint(Guard guard) {
        this(guard, null);
    }

    private Checkpoint(Guard guard, String broken) {
        this.guard = guard;
        this.broken = broken;
    }

    /**
     * A checkpoint that forwards nothing: the policy or watch file does not parse, so enforcement
     * cannot start, and the client must hear why (an IDE shows the server's answers, rarely its
     * stderr). Every request is answered with a JSON-RPC error whose message is {@code why}
     * (file, line, problem and fix); notifications are dropped.
     */
    public static Checkpoint refusingAll(String why) {
        return new Checkpoint(null, why);
    }

    /** True when a policy is enforced: what the firewall cannot read is refused. */
    public boolean enforcing() {
        return guard != null && guard.mode() == PolicyMode.ENFORCE;
    }

    public Guard guard() {
        return guard;
    }

    /**
     * Judges and records one client-to-server message.
     *
     * @param body     the exact bytes of the message (owned by this call: it is recorded as is)
     * @param framing  how it was carried ("newline", "content-length", "http-post", "sse-post", ...)
     * @param recorder the session's recorder
     * @param watch    the session's inline watch, or null
     */
    public Verdict clientMessage(byte[] body, String framing, SessionRecorder recorder, WatchedSession watch, Batches batches) {
        if (broken != null) {
            recorder.message(Direction.CLIENT_TO_SERVER, body, framing, null);
            return refuseAll(body, recorder);
        }
        boolean enforcing = enforcing();
        if (enforcing && recorder.changeFence().changing()) {
            cancellations(body, recorder.changeFence());
        }
        if ((guard == null && watch == null) || (!enforcing && !Guard.mayBeToolCall(body, 0, body.length))) {
            recorder.message(Direction.CLIENT_TO_SERVER, body, framing, null);
            return Verdict.FORWARD;
        }
        String unclean = enforcing ? StrictJson.problem(body) : null;
        if (unclean == null && enforcing && !Guard.mayBeToolCall(body, 0, body.length)) {
            // one clean JSON value that cannot hold a tools/call: nothing to judge
            recorder.message(Direction.CLIENT_TO_SERVER, body, framing, null);
            return Verdict.FORWARD;
        }
        JsonNode msg = null;
        if (unclean == null) {
            try {
                msg = (enforcing ? STRICT : mapper).readTree(body);
            } catch (IOException e) {
                String why = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
                unclean = "it is not valid JSON (" + why + ")";
            }
        }
        if (unclean != null || msg == null) {
            recorder.message(Direction.CLIENT_TO_SERVER, body, framing, null);
            if (enforcing) {
                // a lenient server parser (comments, trailing commas, a second value) might still run it: fail closed
                return refuseWhole(recorder, "agent-trace: a message from the client was not forwarded because a policy is enforced and "
                        + (unclean == null ? "it is empty" : unclean) + "; send one JSON-RPC message (or one batch) per message, as UTF-8 JSON",
                        -32700, null);
            }
            return Verdict.FORWARD;
        }
        if (enforcing && recorder.changeFence().mustWait() && judgesPaths(msg)) {
            return new Verdict(false, null, null, List.of(), List.of(), new Wait(body, msg, framing, recorder, watch, batches));
        }
        return judge(body, msg, framing, recorder, watch, batches, true, null);
    }

    /** True when the message holds a tools/call whose judgement resolves paths. */
    private boolean judgesPaths(JsonNode msg) {
        if (msg instanceof ArrayNode a) {
            for (JsonNode e : a) {
                if (judgesPathsOne(e)) {
                    return true;
                }
            }
            return false;
        }
        return judgesPathsOne(msg);
    }

    private boolean judgesPathsOne(JsonNode e) {
        return isCall(e) && effect(e).judgesPaths();
    }

    private dev.agenttrace.rules.scope.Effect effect(JsonNode call) {
        return guard.policy().firewall().effect(call.path("params").path("name").asText(""));
    }

    /** Under {@code enforce} with a change running: a {@code notifications/cancelled} for it lets it go after the bound. */
    private void cancellations(byte[] body, ChangeFence fence) {
        if (indexOf(body, CANCELLED) < 0) {
            return;
        }
        JsonNode msg;
        try {
            msg = mapper.readTree(body);
        } catch (IOException e) {
            return;
        }
        for (JsonNode e : msg instanceof ArrayNode ? msg : List.of(msg)) {
            if ("notifications/cancelled".equals(e.path("method").asText(null)) && e.path("params").has("requestId")) {
                fence.abandoned(e.path("params").get("requestId"));
            }
        }
    }

    private static final byte[] CANCELLED = "cancelled".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static int indexOf(byte[] b, byte[] needle) {
        outer:
        for (int i = 0; i <= b.length - needle.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (b[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * Judges a tool call an agent announces in its own terms (a hook) with the same code: it is
     * recorded as the equivalent {@code tools/call} request and judged as one.
     *
     * @param requestId the call's id as the trace should link it (a string or number node)
     */
    public Verdict toolCall(String tool, JsonNode arguments, JsonNode requestId, String framing, SessionRecorder recorder,
                            WatchedSession watch) {
        return toolCall(tool, arguments, requestId, framing, recorder, watch, tool, arguments);
    }

    /**
     * As {@link #toolCall(String, JsonNode, JsonNode, String, SessionRecorder, WatchedSession)}, for
     * a call the policy knows under another name: it is judged as {@code tool} with
     * {@code arguments} (the tool the policy's table knows, say {@code Write file_path}), and
     * recorded, and shown to the watch, as {@code recordedTool} with {@code recordedArguments}
     * (what the agent itself called: Gemini CLI's {@code write_file}), so the trace names the call
     * as its result will. {@code recordedTool} null records no call: a further part of a call
     * already recorded under the same {@code requestId} (a refusal of it is recorded under that call).
     */
    public Verdict toolCall(String tool, JsonNode arguments, JsonNode requestId, String framing, SessionRecorder recorder,
                            WatchedSession watch, String recordedTool, JsonNode recordedArguments) {
        ObjectNode judged = callMessage(tool, arguments, requestId);
        ObjectNode msg = recordedTool == null ? judged : callMessage(recordedTool, recordedArguments, requestId);
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(msg);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise a tool call", e);
        }
        if (broken != null) {
            // the same rule as for a message: nothing runs while the configuration is broken
            if (recordedTool != null) {
                recorder.message(Direction.CLIENT_TO_SERVER, body, framing, msg);
            }
            return refuseAll(body, recorder);
        }
        return judge(body, msg, judged, recordedTool != null, framing, recorder, watch, Batches.SPLIT, false, null);
    }

    private ObjectNode callMessage(String tool, JsonNode arguments, JsonNode requestId) {
        ObjectNode msg = mapper.createObjectNode();
        msg.put("jsonrpc", "2.0");
        msg.set("id", requestId);
        msg.put("method", "tools/call");
        ObjectNode params = msg.putObject("params");
        params.put("name", tool);
        params.set("arguments", arguments == null ? mapper.createObjectNode() : arguments);
        return msg;
    }

    /**
     * @param timed   the message is forwarded by a transport that reports the server's answers,
     *                so a forwarded call that may change files is registered with the session's
     *                {@link ChangeFence}
     * @param waited  set when the message waited too long for running changes: the refusal text
     *                for every call in it that judges paths; else null
     */
    private Verdict judge(byte[] body, JsonNode msg, String framing, SessionRecorder recorder, WatchedSession watch,
                          Batches batches, boolean timed, String waited) {
        return judge(body, msg, msg, true, framing, recorder, watch, batches, timed, waited);
    }

    /**
     * @param judgedMsg what the policy judges: {@code msg} itself, or (one hook call) the same call
     *                  under the name the policy's table knows
     * @param record    record {@code msg} (false: a further part of a call already recorded)
     */
    private Verdict judge(byte[] body, JsonNode msg, JsonNode judgedMsg, boolean record, String framing, SessionRecorder recorder,
                          WatchedSession watch, Batches batches, boolean timed, String waited) {
        // the policy first (it may not need the trace), then the record, then the watch, which has
        // seen the message's events by then
        boolean batch = msg instanceof ArrayNode;
        List<JsonNode> elements = new ArrayList<>(batch ? msg.size() : 1);
        if (batch) {
            msg.forEach(elements::add);
        } else {
            elements.add(msg);
        }
        int n = elements.size();
        Guard.Judged[] policy = new Guard.Judged[n];
        List<Guard.Judged> judged = List.of();
        if (guard != null) {
            for (int i = 0; i < n; i++) {
                if ((judgedMsg == msg ? elements.get(i) : judgedMsg) instanceof ObjectNode o) {
                    policy[i] = guard.judge(o);
                    if (policy[i] != null) {
                        if (judged.isEmpty()) {
                            judged = new ArrayList<>(2);
                        }
                        judged.add(policy[i]);
                    }
                }
            }
        }
        List<TraceEvent> events = record ? recorder.message(Direction.CLIENT_TO_SERVER, body, framing, msg) : List.of();
        recorder.judged(judged);
        Block block = watch == null ? null : watch.blocked();

        List<String> stderr = new ArrayList<>(0);
        List<Refusal> refusals = new ArrayList<>(0);
        ArrayNode replies = null;
        ArrayNode kept = null;
        ObjectNode single = null;
        boolean dropped = false;
        boolean enforcing = enforcing();
        List<JsonNode> changes = List.of();
        for (int i = 0; i < n; i++) {
            JsonNode element = elements.get(i);
            ObjectNode reply = null;
            String shape = enforcing ? shapeProblem(element) : null;
            if (shape != null) {
                String text = "agent-trace: not forwarded because a policy is enforced: " + shape;
                stderr.add(text);
                refusals.add(new Refusal(element.get("id"), null, "checkpoint", text));
                if (element.hasNonNull("id")) {
                    reply = error(element.get("id"), -32600, text);
                } else {
                    // a notification gets no answer: it is dropped, and said so on stderr and in the trace
                    dropped = true;
                    recorder.problem(Direction.CLIENT_TO_SERVER, "refused", text, null);
                    continue;
                }
            }
            Guard.Judged j = shape == null ? policy[i] : null;
            if (j != null) {
                boolean enforced = j.mode() == PolicyMode.ENFORCE;
                stderr.add("agent-trace: " + (enforced ? "blocked " : "would block (shadow) ") + j.decision().reason());
                if (enforced) {
                    reply = guard.blockedResult(j);
                    refusals.add(new Refusal(j.requestId(), j.decision().tool(), "policy", j.decision().blockedMessage()));
                }
            }
            if (reply == null && shape == null && waited != null && judgesPathsOne(element)) {
                String tool = element.path("params").path("name").asText("");
                String text = "Blocked by agent-trace policy (not judged in time): " + waited + "; a call that names paths is judged"
                        + " only once the calls before it that may change files have been answered, so that a link they make is"
                        + " seen. The tool \"" + tool + "\" was NOT executed; send the call again once they have finished (or cancel"
                        + " them)";
                reply = waitedResult(element.get("id"), text);
                stderr.add("agent-trace: blocked tools/call " + tool + ": " + waited + " (not forwarded)");
                refusals.add(new Refusal(element.get("id"), tool, "checkpoint", text));
                recorder.problem(Direction.CLIENT_TO_SERVER, "refused", text, null);
            }
            if (reply == null && block != null && isCall(element)) {
                JsonNode id = element.get("id");
                String tool = element.path("params").path("name").asText("");
                if (id == null) {
                    // a tools/call sent as a notification still runs on the server: a blocked session drops it
                    stderr.add("agent-trace: watch rule \"" + block.rule() + "\" dropped tools/call " + tool + " sent as a notification");
                    refusals.add(new Refusal(null, tool, "watch", block.blockedMessage(tool)));
                    dropped = true;
                    continue;
                }
                reply = block.blockedResult(id, tool);
                String callEvent = callEventId(events, id);
                if (callEvent == null || !callEvent.equals(block.alert().eventId())) {
                    // the tripping call's own alert already says it was refused
                    TraceEvent d = AlertEvents.blockedCall(block, block.alert().sessionId(), callEvent, tool);
                    recorder.work(sink -> sink.append(d));
                }
                stderr.add("agent-trace: watch rule \"" + block.rule() + "\" blocked tools/call " + tool + " (not forwarded)");
                refusals.add(new Refusal(id, tool, "watch", block.blockedMessage(tool)));
            }
            if (reply == null && timed && enforcing && isCall(element) && element.hasNonNull("id")
                    && effect(element) == dev.agenttrace.rules.scope.Effect.CHANGES) {
                if (changes.isEmpty()) {
                    changes = new ArrayList<>(1);
                }
                changes.add(element);
            }
            if (!batch) {
                single = reply;
            } else if (reply != null) {
                if (replies == null) {
                    replies = mapper.createArrayNode();
                }
                replies.add(reply);
            } else {
                if (kept == null) {
                    kept = mapper.createArrayNode();
                }
                kept.add(element);
            }
        }
        if (!batch) {
            if (single == null) {
                if (dropped) {
                    return new Verdict(false, null, null, stderr, refusals);
                }
                started(recorder, changes);
                return stderr.isEmpty() ? Verdict.FORWARD : new Verdict(true, null, null, stderr, List.of());
            }
            return answered(recorder, null, bytes(single), stderr, refusals);
        }
        if (replies == null && !dropped) {
            started(recorder, changes);
            return new Verdict(true, null, null, stderr, List.of());
        }
        if (replies == null) {
            started(recorder, changes);
            return new Verdict(false, kept == null ? null : bytes(kept), null, stderr, refusals);
        }
        if (kept == null) {
            return answered(recorder, null, bytes(replies), stderr, refusals);
        }
        if (batches == Batches.WHOLE) {
            for (JsonNode element : kept) {
                if (element.has("method") && element.hasNonNull("id")) {
                    ObjectNode err = replies.addObject();
                    err.put("jsonrpc", "2.0");
                    err.set("id", element.get("id"));
                    ObjectNode e = err.putObject("error");
                    e.put("code", -32600);
                    e.put("message", "agent-trace: not sent: another call in the same batch was refused; send this call on its own");
                }
            }
            return answered(recorder, null, bytes(replies), stderr, refusals);
        }
        started(recorder, changes);
        return answered(recorder, bytes(kept), bytes(replies), stderr, refusals);
    }

    /** The forwarded calls that may change files run from now until the server answers them. */
    private static void started(SessionRecorder recorder, List<JsonNode> changes) {
        for (JsonNode c : changes) {
            recorder.changeFence().started(c.get("id"), c.path("params").path("name").asText(""));
        }
    }

    /** The answer to a call refused because it could not be judged in time: a tool result, so the model reads why. */
    private ObjectNode waitedResult(JsonNode id, String text) {
        ObjectNode reply = mapper.createObjectNode();
        reply.put("jsonrpc", "2.0");
        reply.set("id", id);
        ObjectNode result = reply.putObject("result");
        ObjectNode t = result.putArray("content").addObject();
        t.put("type", "text");
        t.put("text", text);
        result.put("isError", true);
        return reply;
    }

    private Verdict answered(SessionRecorder recorder, byte[] forward, byte[] reply, List<String> stderr, List<Refusal> refusals) {
        recorder.synthetic(Direction.SERVER_TO_CLIENT, reply);
        return new Verdict(false, forward, reply, stderr, refusals);
    }

    /** The whole message is refused with a JSON-RPC error ({@code id} null: the proxy could not read it). */
    private Verdict refuseWhole(SessionRecorder recorder, String text, int code, JsonNode id) {
        return answered(recorder, null, bytes(error(id, code, text)), List.of(text), List.of(new Refusal(id, null, "checkpoint", text)));
    }

    /**
     * Nothing goes on while the configuration is broken: a request gets the error that says what
     * to fix (with its own id when it has one), a notification nothing.
     */
    private Verdict refuseAll(byte[] body, SessionRecorder recorder) {
        JsonNode msg;
        try {
            msg = mapper.readTree(body);
        } catch (IOException e) {
            msg = null;
        }
        List<JsonNode> requests = new ArrayList<>(1);
        if (msg instanceof ArrayNode a) {
            a.forEach(requests::add);
        } else if (msg != null) {
            requests.add(msg);
        }
        ArrayNode replies = mapper.createArrayNode();
        for (JsonNode r : requests) {
            if (r instanceof ObjectNode o && o.has("method") && o.hasNonNull("id")) {
                replies.add(error(o.get("id"), -32603, broken));
            }
        }
        if (msg == null) {
            replies.add(error(null, -32603, broken));
        }
        List<String> stderr = List.of("agent-trace: not forwarded: " + broken);
        List<Refusal> refusals = List.of(new Refusal(null, null, "checkpoint", broken));
        if (replies.isEmpty()) {
            return new Verdict(false, null, null, stderr, refusals);
        }
        return answered(recorder, null, bytes(msg instanceof ArrayNode ? replies : replies.get(0)), stderr, refusals);
    }

    private ObjectNode error(JsonNode id, int code, String text) {
        ObjectNode reply = mapper.createObjectNode();
        reply.put("jsonrpc", "2.0");
        if (id == null) {
            reply.putNull("id");
        } else {
            reply.set("id", id);
        }
        ObjectNode error = reply.putObject("error");
        error.put("code", code);
        error.put("message", text);
        return reply;
    }

    /** A tools/call, request or not: a notification or an {@code "id": null} runs on the server as well. */
    private static boolean isCall(JsonNode element) {
        return element instanceof ObjectNode o && "tools/call".equals(o.path("method").asText(null));
    }

    /**
     * Under {@code enforce}, what makes a batch element or message one the firewall cannot judge
     * as the server will read it, or null: not an object; a {@code tools/call} sent as a
     * notification, with {@code params} or {@code arguments} that are not objects, or a name that
     * is not a string.
     */
    private static String shapeProblem(JsonNode element) {
        if (!(element instanceof ObjectNode o)) {
            return "a batch element is not a JSON object (" + element.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + ")";
        }
        JsonNode method = o.get("method");
        if (method == null || !"tools/call".equals(method.asText(null))) {
            return method != null && !method.isTextual() ? "\"method\" is not a string" : null;
        }
        if (!o.hasNonNull("id")) {
            return "a tools/call without an id (a notification) cannot be answered, and the server would still run it; send it as a request";
        }
        JsonNode params = o.get("params");
        if (params == null || !params.isObject()) {
            return "the tools/call's \"params\" is " + (params == null ? "missing" : "not an object") + "; send {\"name\": ..., \"arguments\": {...}}";
        }
        if (!params.path("name").isTextual()) {
            return "the tools/call's \"params.name\" is not a string";
        }
        JsonNode args = params.get("arguments");
        if (args != null && !args.isObject()) {
            return "the tools/call's \"arguments\" is not an object (" + args.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                    + "); send the arguments as a JSON object";
        }
        return null;
    }

    /** The tool_call event the recorder made for request {@code id}, or null (tracing off, no inline watch). */
    private static String callEventId(List<TraceEvent> events, JsonNode id) {
        for (TraceEvent e : events) {
            if (EventTypes.TOOL_CALL.equals(e.eventType()) && e.data() != null && id.equals(e.data().get("request_id"))) {
                return e.eventId();
            }
        }
        return null;
    }

    private byte[] bytes(JsonNode n) {
        try {
            return mapper.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise the proxy's answer", e);
        }
    }
}
