package dev.agenttrace.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How much of a session an answer can stand on: nothing (its events cannot be read at all), a
 * part (the recorder dropped events, hit a full disk or a size cap, was killed; the meta is
 * damaged; lines are corrupt), or all of it. {@code audit}, {@code lint} and {@code explain} say so
 * beside their answer, so "0 violations" on a third of a session is never read as a clean bill.
 *
 * @param unreadable why no event could be read, or null
 * @param gaps       what is missing, one line each; empty when the trace is whole
 */
public record SessionCoverage(String unreadable, List<String> gaps) {
    public SessionCoverage {
        gaps = List.copyOf(gaps);
    }

    /** Nothing known to be missing. */
    public boolean complete() {
        return unreadable == null && gaps.isEmpty();
    }

    /** One line for a report: "covers only part of the session: ...", or null when complete. */
    public String note() {
        if (unreadable != null) {
            return "could not be read at all: " + unreadable;
        }
        return gaps.isEmpty() ? null : "covers only part of the session: " + String.join("; ", gaps);
    }

    /**
     * The coverage of session {@code m} of {@code store}, given the warnings a read of its events
     * gave (torn or corrupt lines).
     */
    public static SessionCoverage of(TraceStore store, SessionMeta m, List<String> readWarnings) {
        List<String> gaps = new ArrayList<>();
        String unreadable = null;
        Path dir = store.dir().resolve(m.sessionId);
        Path events = dir.resolve(TraceStore.EVENTS);
        try {
            StoreFiles.check(store.dir(), events);
        } catch (NoSuchFileException e) {
            unreadable = "it has no " + TraceStore.EVENTS;
        } catch (IOException e) {
            unreadable = TraceStore.EVENTS + " is " + e.getMessage();
        }
        if (m.damage != null) {
            gaps.add(m.damage);
        }
        JsonNode a = m.attribution;
        JsonNode marker = IncompleteMarker.read(store.dir(), dir);
        if (a != null && a.path("trace_incomplete").asBoolean(false) || marker != null) {
            gaps.add(IncompleteMarker.describe(a, marker));
        }
        if (m.endedAt == null && m.damage == null) {
            long pid = a == null ? -1 : a.path("proxy_pid").asLong(-1);
            boolean alive = pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            gaps.add(alive ? "it is still being recorded (proxy pid " + pid + ")"
                    : "it never ended: the recorder" + (pid > 0 ? " (pid " + pid + ")" : "") + " was killed or crashed,"
                    + " and what it had not yet written (up to about a second) is missing");
        }
        long bad = readWarnings == null ? 0 : readWarnings.stream().filter(w -> !w.contains("not read:")).count();
        if (bad > 0) {
            gaps.add(bad + " line" + (bad == 1 ? "" : "s") + " of " + TraceStore.EVENTS + " could not be read");
        }
        if (unreadable == null && readWarnings != null) {
            for (String w : readWarnings) {
                if (w.contains("not read:")) {
                    unreadable = w;
                }
            }
        }
        return new SessionCoverage(unreadable, gaps);
    }

    static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }
}
