package dev.agenttrace.rules.watch;

import dev.agenttrace.store.TraceEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collects what the watchers report for one event or tick, once per rule and key: a retry storm
 * of one call alerts once, not on every further retry (a watcher re-arms a key when the condition
 * clears, e.g. the call finally succeeds).
 */
final class Trips {
    private final String sessionId;
    private final Set<String> fired = new HashSet<>();
    private List<Alert> pending = new ArrayList<>(2);
    /** The key each alert that blocks was fired under, so closing its breaker can re-arm it. */
    private final Map<Alert, String> blockingKeys = new IdentityHashMap<>();

    Trips(String sessionId) {
        this.sessionId = sessionId;
    }

    /**
     * @param key        what this trip is about within the rule ("" for a once-per-session rule)
     * @param suggestion what the agent or its operator should do
     * @param event      the event that tripped it (null on a clock tick)
     * @param timestamp  when (the event's time, or the tick's)
     */
    void trip(RuleSpec rule, String key, String message, String suggestion, TraceEvent event, double timestamp) {
        if (!fired.add(rule.name() + '\u0000' + key)) {
            return;
        }
        Alert a = new Alert(rule.name(), rule.kind(), rule.severity(), message, suggestion, rule.actions(), rule.notifyTarget(),
                sessionId, timestamp, event);
        pending.add(a);
        if (a.has(ActionKind.BLOCK)) {
            blockingKeys.put(a, rule.name() + '\u0000' + key);
        }
    }

    boolean fired(RuleSpec rule, String key) {
        return fired.contains(rule.name() + '\u0000' + key);
    }

    void rearm(RuleSpec rule, String key) {
        fired.remove(rule.name() + '\u0000' + key);
    }

    /**
     * The breaker that {@code a} opened has closed: its rule may trip again for the same key (a
     * loop that starts over opens the breaker again instead of running unwatched).
     */
    void rearm(Alert a) {
        String k = blockingKeys.remove(a);
        if (k != null) {
            fired.remove(k);
        }
    }

    /** The alerts reported since the last drain. */
    List<Alert> drain() {
        if (pending.isEmpty()) {
            return List.of();
        }
        List<Alert> out = pending;
        pending = new ArrayList<>(2);
        return out;
    }
}
