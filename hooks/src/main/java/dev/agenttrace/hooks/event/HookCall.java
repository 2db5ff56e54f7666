package dev.agenttrace.hooks.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One hook event in agent-neutral terms, as an agent's protocol parsed it. Fields an event does
 * not carry are null; {@link #raw} keeps the whole payload for what only one agent sends.
 *
 * @param agent          who sent it
 * @param kind           what it means
 * @param eventName      the agent's own name for it ({@code PreToolUse}, {@code beforeShellExecution})
 * @param sessionId      the agent's session (conversation) id
 * @param cwd            the agent's working directory, when sent
 * @param toolName       the tool as the agent names it ({@code Bash}, {@code run_shell_command})
 * @param toolInput      its arguments (an object)
 * @param toolUseId      the model's id for the call, which pairs a result with its call; null when the agent sends none
 * @param toolResponse   the tool's result (PostToolUse)
 * @param error          the failure text (PostToolUseFailure)
 * @param durationMs     how long the tool ran, as the agent measured it
 * @param agentId        set inside a subagent (and on SubagentStart/Stop): which one
 * @param raw            the payload as received
 */
public record HookCall(Agent agent, HookKind kind, String eventName, String sessionId, String cwd, String toolName,
                       JsonNode toolInput, String toolUseId, JsonNode toolResponse, String error, Double durationMs,
                       String agentId, ObjectNode raw) {

    /** A text field of the payload, or null when absent or not text. */
    public String text(String key) {
        JsonNode n = raw.get(key);
        return n != null && n.isTextual() ? n.asText() : null;
    }

    public boolean isTool() {
        return kind == HookKind.PRE_TOOL || kind == HookKind.POST_TOOL || kind == HookKind.POST_TOOL_FAILURE
                || kind == HookKind.PERMISSION_DENIED;
    }

    /** The prefix of the request id a call without the model's id is recorded under ({@link #requestId}). */
    public static final String SYNTHETIC_ID = "hook:";

    /**
     * What pairs this call's result with it: see {@link #pairingKey(String, String, JsonNode)}.
     * The call and its result carry the agent's own tool name and arguments, so both give one key.
     */
    public String pairingKey() {
        return pairingKey(toolUseId, toolName, toolInput);
    }

    /**
     * The one key that pairs a result with its call, live and when a recorded session is taken up
     * again: the model's call id when the agent sends one ({@code id:<id>}), else the agent's own
     * tool name and a digest of its arguments ({@code tool:<name>:<sha-256 prefix>}), since agents
     * without an id (Gemini CLI, Cursor) send the same arguments before and after the tool runs.
     */
    public static String pairingKey(String toolUseId, String toolName, JsonNode arguments) {
        if (toolUseId != null && !toolUseId.isEmpty()) {
            return "id:" + toolUseId;
        }
        return "tool:" + (toolName == null ? "" : toolName) + ":" + digest(arguments == null || arguments.isNull() ? "{}" : arguments.toString());
    }

    /**
     * The request id this call is recorded under ({@code request_id} of its {@code tool_call}): the
     * model's id, else {@code hook:} and the rest of its pairing key, so a session taken up again
     * pairs by the same key even when the recorded arguments were clipped or redacted.
     */
    public String requestId() {
        String key = pairingKey();
        return key.startsWith("id:") ? key.substring(3) : SYNTHETIC_ID + key.substring("tool:".length());
    }

    private static String digest(String s) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(h, 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
