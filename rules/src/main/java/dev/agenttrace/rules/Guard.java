package dev.agenttrace.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.rules.scope.Decision;
import dev.agenttrace.store.TraceJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a proxy asks for every client-to-server message before forwarding it (docs/DESIGN.md §1, §5).
 * One instance per session; thread-safe.
 *
 * <p>Cheap when nothing is at stake: a message whose bytes do not contain {@code tools/call} is
 * passed without being parsed. A {@code tools/call} is judged by the {@link ScopeFirewall}; a
 * blocked one is answered here with a JSON-RPC <em>result</em> carrying the request's id (same
 * JSON type), {@code isError: true}, a text that names the rule and the argument and says the
 * tool was NOT executed, and {@code _meta["dev.agenttrace/policy"]}; it never reaches the server.
 * In a batch, the allowed elements are forwarded as a batch and the blocked ones answered.
 */
public final class Guard {
    /** The outcome for a message that needs nothing: forward it unchanged. */
    public static final Outcome PASS = new Outcome(true, null, null, List.of());
    private static final byte[] NEEDLE = "tools/call".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final LivePolicy policy;
    private final PolicyMode mode;
    private final ObjectMapper mapper = TraceJson.mapper();

    /**
     * @param forward     forward the message (the original bytes unless {@code replacement} is set)
     * @param replacement bytes to forward instead of the original (a batch with blocked elements removed)
     * @param reply       a reply for the client (a blocked result, or a batch of them), or null
     * @param judged      every tool call judged in the message that the policy would block
     */
    public record Outcome(boolean forward, byte[] replacement, byte[] reply, List<Judged> judged) {
    }

    /**
     * One tool call the policy would block.
     *
     * @param requestId the request's id node (type kept)
     * @param decision  the firewall's decision
     * @param mode      what was done: blocked (ENFORCE) or forwarded anyway (SHADOW)
     * @param arguments the call's arguments, for the trace
     */
    public record Judged(JsonNode requestId, Decision decision, PolicyMode mode, JsonNode arguments) {
    }

    public Guard(LivePolicy policy, PolicyMode mode) {
        this.policy = policy;
        this.mode = mode;
    }

    public PolicyMode mode() {
        return mode;
    }

    public LivePolicy policy() {
        return policy;
    }

    /** Judges one client-to-server message body. */
    public Outcome inspect(byte[] buf, int off, int len) {
        if (!mayBeToolCall(buf, off, len)) {
            return PASS;
        }
        JsonNode msg;
        try {
            msg = mapper.readTree(buf, off, len);
        } catch (IOException e) {
            // A lenient server parser (comments, trailing commas) might still run it: fail closed.
            if (mode == PolicyMode.SHADOW) {
                return PASS;
            }
            return new Outcome(false, null, bytes(unparseable(e)), List.of());
        }
        ScopeFirewall firewall = policy.firewall();
        if (msg instanceof ObjectNode call) {
            Judged j = judge(firewall, call);
            if (j == null) {
                return PASS;
            }
            if (mode == PolicyMode.SHADOW) {
                return new Outcome(true, null, null, List.of(j));
            }
            return new Outcome(false, null, bytes(blockedResult(j)), List.of(j));
        }
        if (msg instanceof ArrayNode batch) {
            List<Judged> judged = new ArrayList<>();
            ArrayNode kept = mapper.createArrayNode();
            ArrayNode replies = mapper.createArrayNode();
            for (JsonNode element : batch) {
                Judged j = element instanceof ObjectNode o ? judge(firewall, o) : null;
                if (j == null || mode == PolicyMode.SHADOW) {
                    kept.add(element);
                }
                if (j != null) {
                    judged.add(j);
                    if (mode == PolicyMode.ENFORCE) {
                        replies.add(blockedResult(j));
                    }
                }
            }
            if (judged.isEmpty()) {
                return PASS;
            }
            if (mode == PolicyMode.SHADOW) {
                return new Outcome(true, null, null, judged);
            }
            return new Outcome(!kept.isEmpty(), kept.isEmpty() ? null : bytes(kept), bytes(replies), judged);
        }
        return PASS;
    }

    private Judged judge(ScopeFirewall firewall, ObjectNode msg) {
        if (!"tools/call".equals(msg.path("method").asText(null)) || !msg.has("id")) {
            return null;
        }
        JsonNode params = msg.path("params");
        String tool = params.path("name").asText("");
        JsonNode args = params.get("arguments");
        Decision d = firewall.judge(tool, args);
        return d.blocked() ? new Judged(msg.get("id"), d, mode, args) : null;
    }

    /** docs/DESIGN.md §5: a result, not a JSON-RPC error, so the model sees why and can change course. */
    private ObjectNode blockedResult(Judged j) {
        ObjectNode reply = mapper.createObjectNode();
        reply.put("jsonrpc", "2.0");
        reply.set("id", j.requestId());
        ObjectNode result = reply.putObject("result");
        ObjectNode text = result.putArray("content").addObject();
        text.put("type", "text");
        text.put("text", j.decision().blockedMessage());
        result.put("isError", true);
        ObjectNode meta = result.putObject("_meta");
        ObjectNode policyMeta = j.decision().toJson();
        policyMeta.put("policy", policy.file().toString());
        meta.set("dev.agenttrace/policy", policyMeta);
        return reply;
    }

    private byte[] bytes(JsonNode n) {
        try {
            return mapper.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise a blocked result", e);
        }
    }

    private ObjectNode unparseable(IOException e) {
        ObjectNode reply = mapper.createObjectNode();
        reply.put("jsonrpc", "2.0");
        reply.putNull("id");
        ObjectNode error = reply.putObject("error");
        error.put("code", -32700);
        String why = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
        error.put("message", "agent-trace: a message that may be a tools/call is not valid JSON (" + why
                + "); it was not forwarded because a policy is enforced");
        return reply;
    }

    /**
     * True unless the bytes certainly hold no {@code tools/call}: JSON may spell any character of
     * the method as an escape ({@code "tools\/call"}, {@code "\u0074ools/call"}), so any message
     * with a backslash is parsed too.
     */
    public static boolean mayBeToolCall(byte[] b, int off, int len) {
        int end = off + len;
        for (int i = off; i < end; i++) {
            if (b[i] == '\\') {
                return true;
            }
        }
        return indexOf(b, off, len) >= 0;
    }

    private static int indexOf(byte[] b, int off, int len) {
        int end = off + len - NEEDLE.length;
        outer:
        for (int i = off; i <= end; i++) {
            if (b[i] != 't') {
                continue;
            }
            for (int k = 1; k < NEEDLE.length; k++) {
                if (b[i + k] != NEEDLE[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
