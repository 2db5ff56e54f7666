package dev.agenttrace.rules.watch;

import dev.agenttrace.store.TraceEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link SessionWatch} wired to its {@link AlertActions}: what a proxy holds per session.
 * {@link #observe} feeds an event and dispatches the alerts it trips (without waiting for them);
 * {@link #blocked()} is the question to ask before forwarding a {@code tools/call}.
 *
 * <p>While the breaker is open, the session's directory holds {@link AlertActions#BLOCKED_MARKER};
 * {@code agent-trace resume} (another process) deletes it, and the next {@link #tick} closes the
 * breaker and records that it did.
 */
public final class WatchedSession {
    private final SessionWatch watch;
    private final AlertActions actions;
    private final SessionTarget target;

    public WatchedSession(SessionTarget target, AlertActions actions) {
        this.watch = target.watch();
        this.actions = actions;
        this.target = target;
    }

    public List<Alert> observe(TraceEvent event) {
        List<Alert> alerts = watch.observe(event);
        for (Alert a : alerts) {
            actions.dispatch(a, target);
        }
        breakerMoved();
        return alerts;
    }

    public List<Alert> tick(double nowEpochSeconds) {
        List<Alert> alerts = watch.tick(nowEpochSeconds);
        for (Alert a : alerts) {
            actions.dispatch(a, target);
        }
        Path marker = target.sessionDir() == null ? null : target.sessionDir().resolve(AlertActions.BLOCKED_MARKER);
        if (marker != null && actions.markerWritten(marker) && !Files.exists(marker)) {
            // agent-trace resume took the marker away: the operator closed the breaker
            actions.markerGone(marker);
            TraceEvent closed = watch.unblock();
            if (closed != null) {
                actions.record(closed, target);
            }
        }
        breakerMoved();
        return alerts;
    }

    /**
     * The watch was brought up to date from the recorded trace (through {@link #watch()}): the
     * breaker changes that replay made are on record already, so they are dropped; a breaker the
     * trace left open gets this process's marker.
     */
    public synchronized void replayed() {
        watch.drainBreakerEvents();
        markerOpen = watch.breakerOpen();
        if (target.canBlock() && target.sessionDir() != null) {
            actions.marker(target.sessionDir().resolve(AlertActions.BLOCKED_MARKER), markerOpen);
        }
    }

    private synchronized void breakerMoved() {
        for (TraceEvent e : watch.drainBreakerEvents()) {
            actions.record(e, target);
        }
        boolean open = watch.breakerOpen();
        if (open == markerOpen && !open) {
            // the usual case, on every event: closed and known closed (the marker is asked again
            // whenever it is up, so one that resume took away is put back on the next opening)
            return;
        }
        markerOpen = open;
        if (target.canBlock() && target.sessionDir() != null) {
            actions.marker(target.sessionDir().resolve(AlertActions.BLOCKED_MARKER), open);
        }
    }

    /** What {@link #breakerMoved} last told the marker (false: down, or never put up). */
    private boolean markerOpen;

    /** Non-null once the session is blocked: answer the call with {@link Block#blockedMessage} instead of forwarding it. */
    public Block blocked() {
        return watch.blocked();
    }

    /** Waits (at most {@code timeout}) until the alerts dispatched so far have been acted on and recorded. */
    public boolean awaitActions(java.time.Duration timeout) {
        return actions.awaitIdle(timeout);
    }

    public SessionWatch watch() {
        return watch;
    }

    public SessionTarget target() {
        return target;
    }
}
