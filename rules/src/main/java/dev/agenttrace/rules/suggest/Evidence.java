package dev.agenttrace.rules.suggest;

import java.util.LinkedHashSet;
import java.util.Set;

/** The recorded calls behind one rule: which calls (session and event) and so how many sessions. */
final class Evidence {
    private final Set<String> calls = new LinkedHashSet<>();
    private final Set<String> sessions = new LinkedHashSet<>();
    private final Set<String> values = new LinkedHashSet<>();

    void add(String sessionId, String eventId, String value) {
        calls.add(sessionId + "/" + eventId);
        sessions.add(sessionId);
        values.add(value);
    }

    void addAll(Evidence other) {
        calls.addAll(other.calls);
        sessions.addAll(other.sessions);
        values.addAll(other.values);
    }

    int calls() {
        return calls.size();
    }

    int sessions() {
        return sessions.size();
    }

    Set<String> callIds() {
        return calls;
    }

    /** The distinct values (paths, commands) the rule stands for. */
    Set<String> values() {
        return values;
    }

    /** "9 calls in 3 sessions". */
    String describe() {
        return calls.size() + (calls.size() == 1 ? " call" : " calls") + " in " + sessions.size() + (sessions.size() == 1 ? " session" : " sessions");
    }

    /** "1 call in 1 session (session s, event e)". */
    String describeWithExample() {
        String first = calls.iterator().next();
        int cut = first.lastIndexOf('/');
        return describe() + ", e.g. session " + first.substring(0, cut) + " event " + first.substring(cut + 1);
    }
}
