package dev.agenttrace.rules.watch;

/**
 * One circuit breaker of one session. Fed every event in order (already linked by
 * {@link SessionState}); reports trips to {@link Trips}, which turns them into alerts once per
 * key. Runs under the {@link SessionWatch}'s lock: no synchronisation of its own.
 */
interface Watcher {
    void onEvent(Observation o, Trips trips);

    /** The clock moved without an event (hung calls, duration); {@code now} in epoch seconds. */
    default void onTick(double now, SessionState s, Trips trips) {
    }
}
