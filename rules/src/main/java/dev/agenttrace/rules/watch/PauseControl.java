package dev.agenttrace.rules.watch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.SessionNotFoundException;
import dev.agenttrace.store.TraceStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code agent-trace resume}: SIGCONT to an agent a {@code pause} rule stopped, and the breaker
 * of a session a {@code block} rule stopped closed at once (its recorder notices within a second).
 */
public final class PauseControl {
    private PauseControl() {
    }

    /**
     * What was resumed.
     *
     * @param pid         the process sent SIGCONT, or 0 when none was paused
     * @param sessionId   the session, or null when resumed by pid
     * @param breakerPid  the recorder whose breaker was closed, or 0
     */
    public record Resumed(long pid, String sessionId, long breakerPid) {
    }

    /** Why a resume could not be done; the message is for the user. */
    public static final class ResumeException extends Exception {
        private static final long serialVersionUID = 1L;

        public ResumeException(String message) {
            super(message);
        }
    }

    /**
     * @param sessionOrPid a session id, prefix or {@code latest}; or a pid when no session matches
     *                     and it is a number
     */
    public static Resumed resume(TraceStore store, String sessionOrPid) throws ResumeException {
        SessionMeta meta = null;
        try {
            meta = store.resolve(sessionOrPid);
        } catch (SessionNotFoundException e) {
            if (!sessionOrPid.chars().allMatch(Character::isDigit)) {
                throw e;
            }
        }
        if (meta == null) {
            return new Resumed(cont(Long.parseLong(sessionOrPid)), null, 0);
        }
        Path dir = store.sessionDir(meta.sessionId);
        long breakerPid = closeBreaker(dir, meta.sessionId);
        Path marker = dir.resolve(AlertActions.PAUSED_MARKER);
        long pid = -1;
        if (Files.isRegularFile(marker)) {
            try {
                pid = Long.parseLong(Files.readString(marker, StandardCharsets.US_ASCII).strip());
            } catch (IOException | NumberFormatException e) {
                pid = -1;
            }
        }
        if (pid <= 0 && meta.attribution != null) {
            JsonNode p = meta.attribution.get("agent_pid");
            pid = p != null && p.canConvertToLong() ? p.asLong() : -1;
        }
        if (pid <= 0 && breakerPid > 0 && !Files.exists(marker)) {
            return new Resumed(0, meta.sessionId, breakerPid);
        }
        if (pid <= 0) {
            throw new ResumeException("session " + meta.sessionId + " has no paused agent on record (no " + AlertActions.PAUSED_MARKER
                    + " and no agent_pid in its meta); resume by pid: agent-trace resume <pid>");
        }
        cont(pid);
        try {
            Files.deleteIfExists(marker);
        } catch (IOException e) {
            // the marker only helps find the pid; a stale one is harmless
        }
        Path events = dir.resolve("events.ndjson");
        if (Files.exists(events)) {
            new EventAppender(events, s -> { }).accept(AlertEvents.resumed(meta.sessionId, pid));
        }
        return new Resumed(pid, meta.sessionId, breakerPid);
    }

    /**
     * Takes down the session's breaker marker: the recorder that wrote it closes the breaker on its
     * next tick and records so. Returns that recorder's pid, or 0 when no breaker is open.
     */
    private static long closeBreaker(Path dir, String sessionId) throws ResumeException {
        Path marker = dir.resolve(AlertActions.BLOCKED_MARKER);
        if (!Files.isRegularFile(marker, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(marker, StandardCharsets.US_ASCII).strip());
        } catch (IOException | NumberFormatException e) {
            pid = -1;
        }
        try {
            Files.delete(marker);
        } catch (IOException e) {
            throw new ResumeException("cannot remove " + marker + " (" + e.getMessage() + "), so the breaker of session " + sessionId
                    + " stays open; check the directory's permissions");
        }
        if (pid <= 0 || !ProcessSignals.alive(pid)) {
            throw new ResumeException("session " + sessionId + " has a breaker marker, but its recorder" + (pid > 0 ? " (pid " + pid + ")" : "")
                    + " is no longer running: nothing is blocked now (the stale marker was removed)");
        }
        return pid;
    }

    private static long cont(long pid) throws ResumeException {
        if (!ProcessSignals.alive(pid)) {
            throw new ResumeException("no process " + pid + " (it has ended); nothing to resume");
        }
        String problem = ProcessSignals.send("CONT", pid);
        if (problem != null) {
            throw new ResumeException(problem);
        }
        return pid;
    }
}
