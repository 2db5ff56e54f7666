package dev.agenttrace.hooks.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.hooks.event.Agent;
import dev.agenttrace.hooks.event.HookCall;
import dev.agenttrace.hooks.event.HookInputException;
import dev.agenttrace.hooks.event.HookKind;
import dev.agenttrace.hooks.judge.HookVerdict;
import java.util.Map;

/**
 * Cursor hooks ({@code .cursor/hooks.json}, {@code "version": 1}): camelCase events with
 * {@code conversation_id}, {@code generation_id}, {@code workspace_roots}. Shell commands are
 * judged as a {@code Shell} call with {@code command}; {@code beforeReadFile} as {@code Read} with
 * {@code file_path}; {@code beforeMCPExecution} carries its arguments as a JSON string. A refusal
 * is {@code {"permission": "deny", "user_message": ..., "agent_message": ...}}; a prompt is
 * refused with {@code {"continue": false}}. "No objection" is {@code {}} (Cursor may read invalid
 * output from a permission hook as a block).
 */
public final class CursorProtocol implements AgentProtocol {
    private static final Map<String, HookKind> EVENTS = Map.ofEntries(
            Map.entry("sessionStart", HookKind.SESSION_START), Map.entry("sessionEnd", HookKind.SESSION_END),
            Map.entry("beforeSubmitPrompt", HookKind.USER_PROMPT), Map.entry("preToolUse", HookKind.PRE_TOOL),
            Map.entry("beforeShellExecution", HookKind.PRE_TOOL), Map.entry("beforeMCPExecution", HookKind.PRE_TOOL),
            Map.entry("beforeReadFile", HookKind.PRE_TOOL), Map.entry("postToolUse", HookKind.POST_TOOL),
            Map.entry("postToolUseFailure", HookKind.POST_TOOL_FAILURE), Map.entry("afterShellExecution", HookKind.POST_TOOL),
            Map.entry("afterMCPExecution", HookKind.POST_TOOL), Map.entry("afterFileEdit", HookKind.POST_TOOL),
            Map.entry("subagentStart", HookKind.SUBAGENT_START), Map.entry("subagentStop", HookKind.SUBAGENT_STOP),
            Map.entry("preCompact", HookKind.PRE_COMPACT), Map.entry("stop", HookKind.STOP),
            Map.entry("afterAgentResponse", HookKind.OTHER));

    @Override
    public Agent agent() {
        return Agent.CURSOR;
    }

    @Override
    public HookCall parse(String eventName, ObjectNode p) throws HookInputException {
        String name = Payloads.text(p, "hook_event_name");
        if (name == null) {
            name = eventName;
        }
        if (name == null) {
            throw new HookInputException("the Cursor hook JSON has no \"hook_event_name\"; name the event: agent-trace hook cursor beforeShellExecution");
        }
        HookKind kind = EVENTS.getOrDefault(name, HookKind.OTHER);
        String session = Payloads.text(p, "conversation_id");
        if (session == null) {
            session = Payloads.required(p, "session_id", "Cursor (conversation_id)");
        }
        String cwd = Payloads.text(p, "cwd");
        JsonNode roots = p.get("workspace_roots");
        if (cwd == null && roots != null && roots.isArray() && roots.size() > 0 && roots.get(0).isTextual()) {
            cwd = roots.get(0).asText();
        }
        String tool = Payloads.text(p, "tool_name");
        JsonNode input;
        JsonNode response = p.get("tool_response");
        Double duration = Payloads.number(p, "duration");
        switch (name) {
            case "beforeShellExecution", "afterShellExecution" -> {
                tool = "Shell";
                ObjectNode in = Payloads.node();
                in.put("command", Payloads.text(p, "command") == null ? "" : Payloads.text(p, "command"));
                input = in;
                if (p.has("output")) {
                    response = p.get("output");
                }
            }
            case "beforeReadFile" -> {
                tool = "Read";
                ObjectNode in = Payloads.node();
                in.put("file_path", Payloads.text(p, "file_path") == null ? "" : Payloads.text(p, "file_path"));
                input = in;
            }
            case "afterFileEdit" -> {
                tool = "Edit";
                ObjectNode in = Payloads.node();
                in.put("file_path", Payloads.text(p, "file_path") == null ? "" : Payloads.text(p, "file_path"));
                if (p.has("edits")) {
                    in.set("edits", p.get("edits"));
                }
                input = in;
            }
            case "beforeMCPExecution", "afterMCPExecution" -> {
                input = Payloads.object(p, "tool_input");
                if (p.has("result_json")) {
                    response = p.get("result_json");
                }
            }
            default -> input = Payloads.object(p, "tool_input");
        }
        if (kind == HookKind.USER_PROMPT && !p.has("prompt")) {
            p.put("prompt", "");
        }
        return new HookCall(agent(), kind, name, session, cwd, tool, input, Payloads.text(p, "tool_use_id"), response,
                Payloads.text(p, "error"), duration, null, p);
    }

    @Override
    public HookReply answer(HookCall call, HookVerdict v) {
        if (v.allows()) {
            return HookReply.ok();
        }
        ObjectNode out = Payloads.node();
        if (call.kind() == HookKind.PRE_TOOL) {
            out.put("permission", "deny");
            if (!"beforeReadFile".equals(call.eventName())) {
                out.put("user_message", v.reason());
                out.put("agent_message", v.reason());
            }
        } else if (v.kind() == HookVerdict.Kind.STOP) {
            out.put("continue", false);
            out.put("user_message", v.reason());
        }
        return HookReply.json(Payloads.bytes(out));
    }
}
