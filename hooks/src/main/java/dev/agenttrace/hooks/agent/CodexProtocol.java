package dev.agenttrace.hooks.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.hooks.event.Agent;
import dev.agenttrace.hooks.event.HookCall;
import dev.agenttrace.hooks.event.HookKind;
import dev.agenttrace.hooks.judge.HookVerdict;

/**
 * OpenAI Codex CLI hooks ({@code ~/.codex/hooks.json}, {@code <repo>/.codex/hooks.json}): the
 * Claude Code payload shapes ({@code session_id}, {@code tool_name}, {@code tool_input},
 * {@code tool_use_id}). Its output schema allows no unknown field (Codex then treats the hook as
 * failed and runs the tool), so a refusal carries exactly
 * {@code hookSpecificOutput {hookEventName, permissionDecision, permissionDecisionReason}} and
 * nothing else; a stop is a refusal too, with the reason saying the session is stopped.
 */
public final class CodexProtocol extends ClaudeCodeProtocol {
    @Override
    public Agent agent() {
        return Agent.CODEX;
    }

    @Override
    public HookReply answer(HookCall call, HookVerdict v) {
        if (v.allows()) {
            return HookReply.ok();
        }
        ObjectNode out = Payloads.node();
        if (call.kind() == HookKind.PRE_TOOL) {
            ObjectNode specific = out.putObject("hookSpecificOutput");
            specific.put("hookEventName", call.eventName());
            specific.put("permissionDecision", "deny");
            specific.put("permissionDecisionReason", v.reason());
            return HookReply.json(Payloads.bytes(out));
        }
        if (v.kind() == HookVerdict.Kind.STOP) {
            out.put("continue", false);
            out.put("stopReason", v.reason());
        }
        return HookReply.json(Payloads.bytes(out));
    }
}
