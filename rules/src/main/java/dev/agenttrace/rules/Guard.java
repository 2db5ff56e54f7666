package dev.agenttrace.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.rules.scope.Decision;
import dev.agenttrace.store.TraceJson;

/**
 * The policy's part of the checkpoint ({@code rules.inline.Checkpoint}, docs/DESIGN.md §1, §5): the
 * policy in force, its mode, and for one parsed {@code tools/call} the firewall's decision and
 * the blocked result the client gets: a JSON-RPC <em>result</em> carrying the request's id (same
 * JSON type), {@code isError: true}, a text that names the rule and the argument and says the tool
 * was NOT executed, and {@code _meta["dev.agenttrace/policy"]}. Thread-safe.
 */
public final class Guard {
    private static final byte[] NEEDLE = "tools/call".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final LivePolicy policy;
    private final PolicyMode mode;
    private final ObjectMapper mapper = TraceJson.mapper();

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

    /**
     * Judges one JSON-RPC message object: null unless it is a {@code tools/call} request the policy
     * would block (under either mode).
     */
    public Judged judge(ObjectNode msg) {
        return judge(policy.firewall(), msg);
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
    public ObjectNode blockedResult(Judged j) {
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
