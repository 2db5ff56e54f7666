package dev.agenttrace.store;

import java.util.List;

/**
 * The sessions of a store, newest first, and the directories that looked like sessions but
 * could not be read (no {@code meta.json}, or one that does not parse). Those are skipped, never
 * fatal: one broken directory must not hide every other session.
 *
 * @param sessions newest {@code started_at} first; ties by id, greatest first
 * @param problems one line per skipped directory, naming it and the reason
 */
public record SessionListing(List<SessionMeta> sessions, List<String> problems) {
    public SessionListing {
        sessions = List.copyOf(sessions);
        problems = List.copyOf(problems);
    }
}
