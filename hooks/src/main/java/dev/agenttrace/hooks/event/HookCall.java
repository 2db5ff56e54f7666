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
}
