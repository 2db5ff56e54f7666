package dev.agenttrace.rules.watch;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.TraceEvent;
import java.util.Set;

/**
 * A tripped rule.
 *
 * @param rule       the rule's name ({@code retry}, or a rules-file name such as {@code cost cap})
 * @param kind       the watcher behind it ({@code retry}, {@code loop}, {@code rule}, ...)
 * @param severity   how bad
 * @param message    one line: what happened, with the numbers
 * @param suggestion what to do about it
 * @param actions    what the configuration says to do
 * @param notifyTarget a rules-file {@code notify} target ({@code slack:#alerts}, a URL), or null
 * @param sessionId  the session
 * @param timestamp  epoch seconds of the tripping event (or of the clock tick)
 * @param event      the event that tripped it; null when the clock did (hung, duration)
 */
public record Alert(String rule, String kind, Severity severity, String message, String suggestion,
                    Set<ActionKind> actions, String notifyTarget, String sessionId, double timestamp, TraceEvent event) {

    public Alert {
        actions = Set.copyOf(actions);
    }

    /** {@code [critical] retry: ...}: the line for the terminal, alerts.log and the webhook text. */
    public String line() {
        return "[" + severity.wireName() + "] " + rule + ": " + message;
    }

    public boolean has(ActionKind a) {
        return actions.contains(a);
    }

    /** The event id of the tripping event, or null. */
    public String eventId() {
        return event == null ? null : event.eventId();
    }

    /** For JSON output ({@code lint --json}, the post-mortem, the webhook). */
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("rule", rule);
        n.put("watcher", kind);
        n.put("severity", severity.wireName());
        n.put("message", message);
        if (suggestion != null) {
            n.put("suggestion", suggestion);
        }
        var a = n.putArray("actions");
        for (ActionKind k : ActionKind.values()) {
            if (actions.contains(k)) {
                a.add(k.wireName());
            }
        }
        n.put("session_id", sessionId);
        n.put("timestamp", timestamp);
        if (event != null) {
            n.put("event_id", event.eventId());
            n.put("event_type", event.eventType());
        }
        return n;
    }
}
