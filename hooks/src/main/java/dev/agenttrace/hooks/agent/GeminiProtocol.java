package dev.agenttrace.hooks.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.hooks.event.Agent;
import dev.agenttrace.hooks.event.HookCall;
import dev.agenttrace.hooks.event.HookInputException;
import dev.agenttrace.hooks.event.HookKind;
import dev.agenttrace.hooks.judge.HookVerdict;
import java.util.Map;

/**
 * Gemini CLI hooks ({@code hooks} in {@code .gemini/settings.json}): {@code BeforeTool} /
 * {@code AfterTool} with {@code session_id}, {@code cwd}, {@code tool_name}, {@code tool_input};
 * a refusal is exit 0 with {@code {"decision": "deny", "reason": ...}} (the reason reaches the
 * model as the tool's error and the turn goes on); {@code "continue": false} ends the agent loop.
 * Gemini sends no call id, so a result is paired with its call by tool name and arguments.
 */
public final class GeminiProtocol implements AgentProtocol {
    private static final Map<String, HookKind> EVENTS = Map.of(
            "SessionStart", HookKind.SESSION_START, "BeforeAgent", HookKind.USER_PROMPT, "BeforeTool", HookKind.PRE_TOOL,
            "AfterTool", HookKind.POST_TOOL, "AfterAgent", HookKind.STOP, "PreCompress", HookKind.PRE_COMPACT,
            "Notification", HookKind.NOTIFICATION, "SessionEnd", HookKind.SESSION_END);

    @Override
    public Agent agent() {
        return Agent.GEMINI;
    }

    @Override
    public HookCall parse(String eventName, ObjectNode p) throws HookInputException {
        String name = Payloads.text(p, "hook_event_name");
        if (name == null) {
            name = eventName;
        }
        if (name == null) {
            throw new HookInputException("the Gemini CLI hook JSON has no \"hook_event_name\"; name the event: agent-trace hook gemini BeforeTool");
        }
        HookKind kind = EVENTS.getOrDefault(name, HookKind.OTHER);
        String session = Payloads.required(p, "session_id", "Gemini CLI");
        if (kind == HookKind.STOP && !p.has("last_assistant_message") && p.path("prompt_response").isTextual()) {
            p.put("last_assistant_message", p.get("prompt_response").asText());
        }
        return new HookCall(agent(), kind, name, session, Payloads.text(p, "cwd"), Payloads.text(p, "tool_name"),
                Payloads.object(p, "tool_input"), Payloads.text(p, "tool_use_id"), p.get("tool_response"),
                p.path("tool_response").path("error").isTextual() ? p.path("tool_response").path("error").asText() : null,
                Payloads.number(p, "duration_ms"), null, p);
    }

    @Override
    public HookReply answer(HookCall call, HookVerdict v) {
        if (v.allows()) {
            return HookReply.ok();
        }
        ObjectNode out = Payloads.node();
        if (call.kind() == HookKind.PRE_TOOL) {
            out.put("decision", "deny");
            out.put("reason", v.reason());
        }
        if (v.kind() == HookVerdict.Kind.STOP) {
            out.put("continue", false);
            out.put("stopReason", v.reason());
        }
        return HookReply.json(Payloads.bytes(out));
    }
}
