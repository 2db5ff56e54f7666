package dev.agenttrace.hooks.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.hooks.event.Agent;
import dev.agenttrace.hooks.event.HookCall;
import dev.agenttrace.hooks.event.HookInputException;
import dev.agenttrace.hooks.judge.HookVerdict;

/**
 * One agent's hook protocol: how its payloads read and how it is told "no", each exactly as that
 * agent documents it. Stateless and thread-safe.
 */
public interface AgentProtocol {
    Agent agent();

    /**
     * @param eventName the event as the command line or the configuration named it; null to take
     *                  the payload's own ({@code hook_event_name})
     * @throws HookInputException when the payload lacks what every event needs (a session id), or
     *                            a field has the wrong type
     */
    HookCall parse(String eventName, ObjectNode payload) throws HookInputException;

    /** The verdict in this agent's words, for this event. */
    HookReply answer(HookCall call, HookVerdict verdict);

    /**
     * The command form's answer when agent-trace could not judge the call (serve unreachable and
     * the policy could not be loaded in-process, say): {@code strict} refuses it, otherwise the
     * agent is told nothing and runs the tool, as it would with no hook.
     */
    default HookReply unavailable(HookCall call, String why, boolean strict) {
        if (strict && call != null && call.kind() == dev.agenttrace.hooks.event.HookKind.PRE_TOOL) {
            return answer(call, HookVerdict.deny("agent-trace could not judge this call (" + why + ") and --strict is set: the tool \""
                    + call.toolName() + "\" was NOT run. Start it with: agent-trace serve", null));
        }
        return new HookReply(200, HookReply.EMPTY_OBJECT, 0, "agent-trace: " + why + (strict ? "" : " (the call goes on unjudged)"));
    }
}
