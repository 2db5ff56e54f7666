package dev.agenttrace.rules.watch;

import dev.agenttrace.store.TraceEvent;

/**
 * One event after {@link SessionState} has linked it: the watchers read this instead of each
 * parsing the event again. A single instance is reused for every event of a session.
 */
final class Observation {
    SessionState state;
    TraceEvent event;
    double timestamp;
    /** Set for a {@code tool_call}: the new call. */
    Call call;
    /** Set when this event answers a call (a result, an error, a blocked-call decision). */
    Call completed;
    /** The answer, or an error linked to no call, is a failure. */
    boolean failed;
    /** Set with {@link #failed}: what kind of failure. */
    ErrorKind errorKind;
    /** The error message or the failed result's text. */
    String errorText;
    /** The agent reasoned or was prompted (llm_*, assistant_response, user_prompt, decision). */
    boolean reasoning;
    /** The event is one of the watch's own records (an alert): watchers ignore it. */
    boolean ignored;

    void reset(TraceEvent e) {
        event = e;
        timestamp = e.timestamp();
        call = null;
        completed = null;
        failed = false;
        errorKind = null;
        errorText = null;
        reasoning = false;
        ignored = false;
    }
}
