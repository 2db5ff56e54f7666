package dev.agenttrace.hooks.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.hooks.event.Agent;
import dev.agenttrace.hooks.event.HookCall;
import dev.agenttrace.hooks.event.HookInputException;
import dev.agenttrace.hooks.event.HookKind;
import dev.agenttrace.hooks.judge.HookVerdict;
import java.util.Map;

/**
 * GitHub Copilot CLI hooks ({@code .github/hooks/*.json}, {@code "version": 1}). camelCase events
 * ({@code preToolUse}) carry a camelCase payload ({@code sessionId}, {@code toolName},
 * {@code toolArgs}: a JSON string in the docs, an object from the real CLI 1.0.102; both are read;
 * no call id, so a result pairs by tool name and arguments); PascalCase events ({@code PreToolUse}) the Claude Code
 * payload. A refusal is {@code {"permissionDecision": "deny", "permissionDecisionReason": ...}}
 * on stdout: Copilot ignores exit codes of preToolUse hooks ("they never block").
 */
public final class CopilotProtocol implements AgentProtocol {
    private static final Map<String, HookKind> EVENTS = Map.ofEntries(
            Map.entry("sessionStart", HookKind.SESSION_START), Map.entry("sessionEnd", HookKind.SESSION_END),
            Map.entry("userPromptSubmitted", HookKind.USER_PROMPT), Map.entry("preToolUse", HookKind.PRE_TOOL),
            Map.entry("postToolUse", HookKind.POST_TOOL), Map.entry("postToolUseFailure", HookKind.POST_TOOL_FAILURE),
            Map.entry("agentStop", HookKind.STOP), Map.entry("subagentStart", HookKind.SUBAGENT_START),
            Map.entry("subagentStop", HookKind.SUBAGENT_STOP), Map.entry("preCompact", HookKind.PRE_COMPACT),
            Map.entry("notification", HookKind.NOTIFICATION));
    private static final ClaudeCodeProtocol SNAKE = new ClaudeCodeProtocol();

    @Override
    public Agent agent() {
        return Agent.COPILOT;
    }

    @Override
    public HookCall parse(String eventName, ObjectNode p) throws HookInputException {
        if (p.has("hook_event_name") || p.has("session_id")) {
            HookCall c = SNAKE.parse(eventName, p);
            return new HookCall(agent(), c.kind(), c.eventName(), c.sessionId(), c.cwd(), c.toolName(), c.toolInput(), c.toolUseId(),
                    c.toolResponse(), c.error(), c.durationMs(), c.agentId(), p);
        }
        String name = eventName;
        if (name == null) {
            throw new HookInputException("a Copilot CLI camelCase hook payload does not name its event; name it: agent-trace hook copilot preToolUse");
        }
        HookKind kind = EVENTS.getOrDefault(name, HookKind.OTHER);
        String session = Payloads.required(p, "sessionId", "Copilot CLI");
        if (kind == HookKind.USER_PROMPT && p.path("prompt").isTextual()) {
            p.put("prompt", p.get("prompt").asText());
        }
        String error = p.path("toolResult").path("resultType").asText("").equals("failure")
                ? p.path("toolResult").path("textResultForLlm").asText("tool call failed") : Payloads.text(p, "error");
        HookKind k = kind == HookKind.POST_TOOL && error != null ? HookKind.POST_TOOL_FAILURE : kind;
        return new HookCall(agent(), k, name, session, Payloads.text(p, "cwd"), Payloads.text(p, "toolName"),
                Payloads.object(p, "toolArgs"), Payloads.text(p, "toolCallId"), p.get("toolResult"), error, null, null, p);
    }

    @Override
    public HookReply answer(HookCall call, HookVerdict v) {
        if (v.allows()) {
            return HookReply.ok();
        }
        ObjectNode out = Payloads.node();
        if (call.kind() == HookKind.PRE_TOOL) {
            out.put("permissionDecision", "deny");
            out.put("permissionDecisionReason", v.reason());
        }
        return HookReply.json(Payloads.bytes(out));
    }
}
