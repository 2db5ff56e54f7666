package dev.agenttrace.hooks.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.hooks.event.Agent;
import dev.agenttrace.hooks.event.HookCall;
import dev.agenttrace.hooks.event.HookInputException;
import dev.agenttrace.hooks.event.HookKind;
import dev.agenttrace.hooks.judge.HookVerdict;
import java.util.Map;

/**
 * Claude Code hooks (command and HTTP alike): snake_case payloads with {@code hook_event_name},
 * {@code session_id}, {@code tool_use_id}; a refusal is exit 0 with
 * {@code hookSpecificOutput.permissionDecision: "deny"} and a {@code permissionDecisionReason} that
 * Claude reads; stopping the session is {@code {"continue": false, "stopReason": ...}}. "No
 * objection" is {@code {}}, never {@code "allow"}, which would skip the user's own permission prompts.
 *
 * <p>Codex CLI speaks the same shapes ({@link CodexProtocol}).
 */
public class ClaudeCodeProtocol implements AgentProtocol {
    static final Map<String, HookKind> EVENTS = Map.ofEntries(
            Map.entry("SessionStart", HookKind.SESSION_START),
            Map.entry("UserPromptSubmit", HookKind.USER_PROMPT),
            Map.entry("PreToolUse", HookKind.PRE_TOOL),
            Map.entry("PostToolUse", HookKind.POST_TOOL),
            Map.entry("PostToolUseFailure", HookKind.POST_TOOL_FAILURE),
            Map.entry("PermissionDenied", HookKind.PERMISSION_DENIED),
            Map.entry("SubagentStart", HookKind.SUBAGENT_START),
            Map.entry("SubagentStop", HookKind.SUBAGENT_STOP),
            Map.entry("Stop", HookKind.STOP),
            Map.entry("PreCompact", HookKind.PRE_COMPACT),
            Map.entry("Notification", HookKind.NOTIFICATION),
            Map.entry("SessionEnd", HookKind.SESSION_END));

    /** agent-strace's command names ({@code agent-strace hook pre-tool}), accepted for the same events. */
    private static final Map<String, String> ALIASES = Map.of(
            "session-start", "SessionStart", "user-prompt", "UserPromptSubmit", "pre-tool", "PreToolUse",
            "post-tool", "PostToolUse", "post-tool-failure", "PostToolUseFailure", "stop", "Stop", "session-end", "SessionEnd");

    @Override
    public Agent agent() {
        return Agent.CLAUDE_CODE;
    }

    @Override
    public HookCall parse(String eventName, ObjectNode p) throws HookInputException {
        String name = Payloads.text(p, "hook_event_name");
        if (name == null) {
            name = eventName == null ? null : ALIASES.getOrDefault(eventName, eventName);
        }
        if (name == null) {
            throw new HookInputException("the hook JSON has no \"hook_event_name\" and none was given; "
                    + "name the event: agent-trace hook " + agent().wireName() + " PreToolUse");
        }
        HookKind kind = EVENTS.getOrDefault(name, HookKind.OTHER);
        String session = Payloads.required(p, "session_id", agent().wireName());
        return new HookCall(agent(), kind, name, session, Payloads.text(p, "cwd"), Payloads.text(p, "tool_name"),
                Payloads.object(p, "tool_input"), Payloads.text(p, "tool_use_id"), p.get("tool_response"),
                Payloads.text(p, "error"), Payloads.number(p, "duration_ms"), Payloads.text(p, "agent_id"), p);
    }

    @Override
    public HookReply answer(HookCall call, HookVerdict v) {
        if (v.allows()) {
            return HookReply.ok();
        }
        ObjectNode out = Payloads.node();
        if (v.kind() == HookVerdict.Kind.STOP) {
            out.put("continue", false);
            out.put("stopReason", v.reason());
        }
        if (call.kind() == HookKind.PRE_TOOL) {
            ObjectNode specific = out.putObject("hookSpecificOutput");
            specific.put("hookEventName", call.eventName());
            specific.put("permissionDecision", "deny");
            specific.put("permissionDecisionReason", v.reason());
        }
        return HookReply.json(Payloads.bytes(out));
    }
}
