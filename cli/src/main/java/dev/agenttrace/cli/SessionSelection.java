package dev.agenttrace.cli;

import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceStore;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --all | --last N | --since T} and {@code --agent A}: which recorded sessions a policy command learns from or replays. */
final class SessionSelection {
    @Option(names = "--all", description = "Every session in the store (the default when no session is named).")
    boolean all;

    @Option(names = "--last", paramLabel = "N", description = "The N most recent sessions (by started_at).")
    Integer last;

    @Option(names = "--since", paramLabel = "T", description = "Sessions started at or after T (ISO-8601 like 2026-12-01T00:00:00Z or 2026-12-01, or epoch seconds).")
    String since;

    @Option(names = "--agent", paramLabel = "A", description = "Only sessions whose agent name or command contains A.")
    String agent;

    /**
     * @param ids sessions named by id or prefix ({@code latest} too); none means every session,
     *            narrowed by {@code --last}, {@code --since} and {@code --agent}
     */
    List<SessionMeta> select(TraceStore store, List<String> ids) {
        if (last != null && last < 1) {
            throw new UserError("--last " + last + " must be at least 1");
        }
        boolean named = ids != null && !ids.isEmpty();
        if (named && (all || last != null)) {
            throw new UserError("name sessions, or use --all / --last N, not both");
        }
        Double from = since == null ? null : parseSince(since);
        Map<String, SessionMeta> chosen = new LinkedHashMap<>();
        if (named) {
            for (String id : ids) {
                SessionMeta m = store.resolve(id);
                chosen.put(m.sessionId, m);
            }
        } else {
            for (SessionMeta m : store.listSessions()) {
                chosen.put(m.sessionId, m);
            }
        }
        List<SessionMeta> out = new ArrayList<>();
        for (SessionMeta m : chosen.values()) {
            if (from != null && (m.startedAt == null || m.startedAt < from)) {
                continue;
            }
            if (agent != null && !contains(m.agentName, agent) && !contains(m.command, agent)) {
                continue;
            }
            out.add(m);
        }
        if (last != null && out.size() > last) {
            out = new ArrayList<>(out.subList(0, last)); // listSessions is newest first
        }
        return out;
    }

    /** What was asked for, for a "no sessions" message. */
    String describe() {
        List<String> parts = new ArrayList<>();
        if (last != null) {
            parts.add("--last " + last);
        }
        if (since != null) {
            parts.add("--since " + since);
        }
        if (agent != null) {
            parts.add("--agent " + agent);
        }
        return parts.isEmpty() ? "" : " matching " + String.join(" ", parts);
    }

    private static boolean contains(String field, String part) {
        return field != null && field.toLowerCase(Locale.ROOT).contains(part.toLowerCase(Locale.ROOT));
    }

    static double parseSince(String t) {
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException ignored) {
            // ISO-8601 below
        }
        try {
            return Instant.parse(t).toEpochMilli() / 1000.0;
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(t + "T00:00:00Z").toEpochMilli() / 1000.0;
            } catch (DateTimeParseException e2) {
                throw new UserError("--since " + t + " is not a time: use ISO-8601 (2026-12-01T00:00:00Z or 2026-12-01) or epoch seconds");
            }
        }
    }
}
