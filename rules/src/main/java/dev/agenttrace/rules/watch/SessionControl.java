package dev.agenttrace.rules.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.Ids;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A person's hand on a running session's brakes (the live view's buttons): pause the agent
 * (SIGSTOP, as a {@code pause} rule does), resume it ({@link PauseControl#resume}), or stop it
 * (SIGTERM to the agent, SIGKILL after a grace, as a {@code kill} rule does). Each act is recorded
 * in the session's trace as a {@code decision} with {@code by: "hand"}.
 *
 * <p>The pid acted on comes from the session's meta, a file anybody who can write the store can
 * forge; so a signal is sent only to a process that is alive, is not this process or one of its
 * ancestors (a forged pid must not stop {@code serve} or the shell that runs it), is not pid 1, and
 * belongs to the user this process runs as; and only while the session has not ended.
 */
public final class SessionControl {
    /** How long a stopped agent has to exit after SIGTERM before it gets SIGKILL. */
    public static final long STOP_GRACE_MS = 3_000;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "agent-trace-stop-grace");
        t.setDaemon(true);
        return t;
    });

    private SessionControl() {
    }

    /** The outcome, for the person who pressed the button. */
    public record Outcome(boolean done, String message) {
    }

    public static Outcome pause(TraceStore store, String sessionId) {
        Target t = target(store, sessionId, "pause");
        if (t.refusal != null) {
            return new Outcome(false, t.refusal);
        }
        if (ProcessSignals.state(t.pid) == 'T') {
            return new Outcome(true, "pid " + t.pid + " is already paused; Resume continues it");
        }
        String problem = ProcessSignals.send("STOP", t.pid);
        if (problem != null) {
            return new Outcome(false, "cannot pause pid " + t.pid + ": " + problem);
        }
        try {
            Files.writeString(t.dir.resolve(AlertActions.PAUSED_MARKER), Long.toString(t.pid), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            // resume finds the pid in the meta as well
        }
        record(t, "pause", "paused by hand: SIGSTOP to the agent, pid " + t.pid);
        return new Outcome(true, "paused pid " + t.pid + " (SIGSTOP); Resume continues it");
    }

    public static Outcome resume(TraceStore store, String sessionId) {
        try {
            PauseControl.Resumed r = PauseControl.resume(store, sessionId);
            StringBuilder m = new StringBuilder();
            if (r.breakerPid() > 0) {
                m.append("closed the breaker of the recorder pid ").append(r.breakerPid());
            }
            if (r.pid() > 0) {
                m.append(m.length() > 0 ? "; " : "").append("resumed pid ").append(r.pid()).append(" (SIGCONT)");
            }
            return new Outcome(true, m.length() == 0 ? "nothing was paused or blocked" : m.toString());
        } catch (PauseControl.ResumeException | RuntimeException e) {
            return new Outcome(false, e.getMessage());
        }
    }

    public static Outcome stop(TraceStore store, String sessionId) {
        Target t = target(store, sessionId, "stop");
        if (t.refusal != null) {
            return new Outcome(false, t.refusal);
        }
        ProcessSignals.Targets who = ProcessSignals.targets(t.pid);
        String problem = who.signal("TERM");
        who.signal("CONT"); // a paused agent must run to act on SIGTERM
        if (problem != null && who.anyAlive()) {
            return new Outcome(false, "SIGTERM to " + who.description() + ": " + problem);
        }
        TIMER.schedule(() -> {
            if (who.anyAlive()) {
                who.signal("KILL");
            }
        }, STOP_GRACE_MS, TimeUnit.MILLISECONDS);
        record(t, "kill", "stopped by hand: SIGTERM to " + who.description() + ", SIGKILL after " + STOP_GRACE_MS + " ms if still alive");
        return new Outcome(true, "stopping " + who.description() + " (SIGTERM; SIGKILL after " + STOP_GRACE_MS / 1000 + " s)");
    }

    private record Target(Path dir, String sessionId, long pid, String refusal) {
    }

    private static Target target(TraceStore store, String sessionId, String act) {
        SessionMeta meta;
        try {
            meta = store.meta(sessionId);
        } catch (IOException | RuntimeException e) {
            return new Target(null, sessionId, 0, "no session " + sessionId + " in " + store.dir());
        }
        Path dir = store.sessionDir(meta.sessionId);
        if (meta.endedAt != null) {
            return new Target(dir, meta.sessionId, 0, "session " + meta.sessionId + " has ended; there is no agent to " + act);
        }
        JsonNode p = meta.attribution == null ? null : meta.attribution.get("agent_pid");
        long pid = p != null && p.canConvertToLong() ? p.asLong() : 0;
        if (pid <= 0) {
            return new Target(dir, meta.sessionId, 0, "session " + meta.sessionId + " has no agent pid on record (attribution.agent_pid), so it "
                    + "cannot be " + (act.equals("pause") ? "paused" : "stopped") + " from here; a watch breaker (block, kill) still can");
        }
        String unsafe = unsafe(pid);
        if (unsafe != null) {
            return new Target(dir, meta.sessionId, pid, "refused to " + act + " pid " + pid + ": " + unsafe);
        }
        return new Target(dir, meta.sessionId, pid, null);
    }

    /** Why a pid from a meta file must not be signalled, or null. */
    static String unsafe(long pid) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return "no such process (the agent has ended)";
        }
        if (pid == 1) {
            return "it is the init process";
        }
        ProcessHandle self = ProcessHandle.current();
        for (Optional<ProcessHandle> a = Optional.of(self); a.isPresent(); a = a.get().parent()) {
            if (a.get().pid() == pid) {
                return "it is agent-trace itself or one of its parents";
            }
        }
        Optional<String> mine = self.info().user();
        Optional<String> theirs = h.get().info().user();
        if (mine.isPresent() && theirs.isPresent() && !mine.get().equals(theirs.get())) {
            return "it belongs to user " + theirs.get() + ", not to " + mine.get();
        }
        if (theirs.isEmpty()) {
            return "its owner cannot be read";
        }
        return null;
    }

    private static void record(Target t, String choice, String reason) {
        ObjectNode d = JsonNodeFactory.instance.objectNode();
        d.put("kind", "watch_control");
        d.put("choice", choice);
        d.put("by", "hand");
        d.put("reason", reason);
        d.put("pid", t.pid);
        Path events = t.dir.resolve("events.ndjson");
        if (Files.exists(events)) {
            new EventAppender(events, s -> { }).accept(new TraceEvent(EventTypes.DECISION, System.currentTimeMillis() / 1000.0,
                    Ids.eventId(), t.sessionId, null, null, d));
        }
    }
}
