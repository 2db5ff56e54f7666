package dev.agenttrace.hooks.judge;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What agent-trace answers a hook: no objection, refuse this tool call, or stop the agent's
 * session. Each agent's protocol renders it in that agent's own words.
 *
 * @param kind     the answer
 * @param reason   for DENY and STOP: one line that names the rule and the argument and says the
 *                 tool was NOT run (shown to the model, which can change course)
 * @param decision the firewall's or the watch's decision as JSON (for the trace), or null
 */
public record HookVerdict(Kind kind, String reason, ObjectNode decision) {
    public enum Kind {
        /** No objection: the agent's own permission flow goes on as if agent-trace were not there. */
        ALLOW,
        /** Refuse this tool call; the session goes on. */
        DENY,
        /** Stop the agent's session (a breaker whose action is kill). */
        STOP
    }

    public static final HookVerdict ALLOW = new HookVerdict(Kind.ALLOW, null, null);

    public static HookVerdict deny(String reason, ObjectNode decision) {
        return new HookVerdict(Kind.DENY, reason, decision);
    }

    public static HookVerdict stop(String reason, ObjectNode decision) {
        return new HookVerdict(Kind.STOP, reason, decision);
    }

    public boolean allows() {
        return kind == Kind.ALLOW;
    }
}
