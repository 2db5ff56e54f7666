package dev.agenttrace.rules.watch;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.Ids;
import dev.agenttrace.store.TraceEvent;
import java.util.List;

/**
 * Alerts as trace events. agent-strace's reader raises on an event type it does not know, so an
 * alert is a {@code decision} with {@code data.kind = "alert"} (as a firewall block is a decision
 * with {@code kind = "policy_violation"}), linked by {@code parent_id} to the event that tripped it.
 */
public final class AlertEvents {
    private AlertEvents() {
    }

    /**
     * @param blocked the tripping call was refused (inline {@code block}): {@code choice} is then
     *                {@code block}, which tells readers the call never ran
     * @param done    what the actions did ("paused pid 123", "webhook queued")
     */
    public static TraceEvent alert(Alert a, boolean blocked, List<String> done) {
        ObjectNode d = JsonNodeFactory.instance.objectNode();
        d.put("kind", "alert");
        d.put("choice", blocked ? "block" : a.has(ActionKind.KILL) ? "kill" : a.has(ActionKind.PAUSE) ? "pause" : "alert");
        d.put("reason", a.message());
        d.put("rule", a.rule());
        d.put("watcher", a.kind());
        d.put("severity", a.severity().wireName());
        if (a.suggestion() != null) {
            d.put("suggestion", a.suggestion());
        }
        ArrayNode actions = d.putArray("actions");
        for (ActionKind k : ActionKind.values()) {
            if (a.has(k)) {
                actions.add(k.wireName());
            }
        }
        ArrayNode outcome = d.putArray("done");
        done.forEach(outcome::add);
        if (a.event() != null && a.event().data() != null && a.event().data().hasNonNull("tool_name")) {
            d.set("tool_name", a.event().data().get("tool_name"));
        }
        d.putArray("alternatives").add("continue");
        return new TraceEvent(EventTypes.DECISION, now(), Ids.eventId(), a.sessionId(), a.eventId(), null, d);
    }

    /**
     * A later call refused because the session is blocked: {@code choice = block}, linked to the call.
     */
    public static TraceEvent blockedCall(Block b, String sessionId, String callEventId, String tool) {
        ObjectNode d = JsonNodeFactory.instance.objectNode();
        d.put("kind", "watch_block");
        d.put("choice", "block");
        d.put("reason", b.blockedMessage(tool));
        d.put("rule", b.rule());
        d.put("tool_name", tool);
        d.putArray("alternatives").add("allow");
        return new TraceEvent(EventTypes.DECISION, now(), Ids.eventId(), sessionId, callEventId, null, d);
    }

    /**
     * The breaker of a blocked session changed state: {@code choice} is {@code half_open} (one
     * call, the parent, is let through to test), {@code closed} (calls flow again: the test call
     * succeeded or {@code agent-trace resume} closed it) or {@code open} (the test call failed;
     * {@code cooldown_seconds} until the next test). Timed by the event that moved it, so a replay
     * of the trace agrees with the live session.
     */
    static TraceEvent breaker(String sessionId, String choice, String rule, String reason, double timestamp, String parentId,
                              double cooldownSeconds) {
        ObjectNode d = JsonNodeFactory.instance.objectNode();
        d.put("kind", BREAKER_KIND);
        d.put("choice", choice);
        d.put("reason", reason);
        d.put("rule", rule);
        if (!Double.isNaN(cooldownSeconds)) {
            d.put("cooldown_seconds", cooldownSeconds);
        }
        return new TraceEvent(EventTypes.DECISION, timestamp, Ids.eventId(), sessionId, parentId, null, d);
    }

    /** {@code data.kind} of a breaker's state change. */
    public static final String BREAKER_KIND = "watch_breaker";

    /** A webhook that could not be reached, recorded beside the alert it carried. */
    static TraceEvent deliveryFailed(Alert a, String problem) {
        ObjectNode d = JsonNodeFactory.instance.objectNode();
        d.put("kind", "watch_webhook_failed");
        d.put("choice", "alert");
        d.put("reason", problem);
        d.put("rule", a.rule());
        return new TraceEvent(EventTypes.DECISION, now(), Ids.eventId(), a.sessionId(), a.eventId(), null, d);
    }

    /** {@code agent-trace resume}: the agent was sent SIGCONT. */
    static TraceEvent resumed(String sessionId, long pid) {
        ObjectNode d = JsonNodeFactory.instance.objectNode();
        d.put("kind", "resume");
        d.put("choice", "resume");
        d.put("reason", "agent-trace resume sent SIGCONT to pid " + pid);
        d.put("pid", pid);
        return new TraceEvent(EventTypes.DECISION, now(), Ids.eventId(), sessionId, null, null, d);
    }

    private static double now() {
        return System.currentTimeMillis() / 1000.0;
    }
}
