package dev.agenttrace.store.query;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceStore;
import dev.agenttrace.store.cost.PriceTable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The store's questions that span sessions: which sessions exist, and which events match a
 * filter, page by page. Answers come from the {@link StoreIndex} (brought up to date first) and
 * from the event files of the sessions the index cannot rule out, read from disk line by line
 * and parsed only when a line's bytes could match. Used by {@code agent-trace mcp}.
 */
public final class TraceQueries {
    public static final int MAX_LIMIT = 500;

    private final StoreIndex index;

    public TraceQueries(TraceStore store) {
        this.index = new StoreIndex(store);
    }

    public TraceStore store() {
        return index.store();
    }

    /**
     * Brings the index up to date on a background thread (a first index of a million events takes
     * seconds); the first query waits for it instead of starting a second pass.
     */
    public void warmUp() {
        Thread t = new Thread(() -> {
            try {
                synchronized (index) {
                    index.refresh();
                }
            } catch (RuntimeException e) {
                // the first query reports what is wrong with the store
            }
        }, "agent-trace-index");
        t.setDaemon(true);
        t.start();
    }

    /**
     * A page of sessions.
     *
     * @param sessions list_sessions entries, newest first
     * @param total    sessions that passed the agent filter
     * @param problems sessions that could not be read
     */
    /** @param probes sessions left out as probes ({@link SessionMeta#isProbe}), 0 when they were asked for */
    public record SessionPage(List<ObjectNode> sessions, int total, List<String> problems, int probes) {
    }

    /**
     * One page of matching events, in order: newest session first, file order within a session.
     *
     * @param nextCursor where the next page starts, or null when there is nothing more
     * @param session    the list_sessions entry of the session searched, when the search named one
     */
    public record SearchPage(List<Hit> hits, String nextCursor, int sessionsScanned, int sessionsSkipped,
                             List<String> warnings, ObjectNode session) {
    }

    /** One matching event. */
    public record Hit(String sessionId, long line, TraceEvent event) {
    }

    /** The newest {@code limit} sessions whose agent name or command contains {@code agent} (case-insensitive), probes left out. */
    public SessionPage listSessions(int limit, String agent) {
        return listSessions(limit, agent, false);
    }

    /** As {@link #listSessions(int, String)}, with the probe sessions when {@code withProbes}. */
    public SessionPage listSessions(int limit, String agent, boolean withProbes) {
        synchronized (index) {
            List<SessionEntry> all = index.refresh();
            String a = agent == null || agent.isBlank() ? null : agent.toLowerCase(Locale.ROOT);
            List<ObjectNode> out = new ArrayList<>();
            int total = 0;
            int probes = 0;
            for (SessionEntry e : all) {
                if (a != null && !contains(e.meta.agentName, a) && !contains(e.meta.command, a)) {
                    continue;
                }
                if (!withProbes && e.meta.isProbe()) {
                    probes++;
                    continue;
                }
                total++;
                if (out.size() < limit) {
                    out.add(sessionJson(e, index.prices()));
                }
            }
            return new SessionPage(out, total, index.problems(), probes);
        }
    }

    /** The list_sessions entry of one session (id as resolved by {@link TraceStore#resolve}). */
    public ObjectNode session(String sessionId) {
        synchronized (index) {
            for (SessionEntry e : index.refresh()) {
                if (e.id.equals(sessionId)) {
                    return sessionJson(e, index.prices());
                }
            }
        }
        SessionMeta m = store().resolve(sessionId);
        SessionEntry bare = new SessionEntry(m.sessionId, PriceTable.standard());
        bare.meta = m;
        return sessionJson(bare, PriceTable.standard());
    }

    private static boolean contains(String s, String needle) {
        return s != null && s.toLowerCase(Locale.ROOT).contains(needle);
    }

    static ObjectNode sessionJson(SessionEntry e, PriceTable prices) {
        SessionMeta m = e.meta;
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("session_id", e.id);
        if (m.startedAt != null) {
            o.put("started_at", m.startedAt);
        } else if (!Double.isNaN(e.minTs)) {
            o.put("started_at", e.minTs);
        } else {
            o.putNull("started_at");
        }
        if (m.endedAt != null) {
            o.put("ended_at", m.endedAt);
        } else {
            o.putNull("ended_at");
        }
        nullable(o, "agent_name", m.agentName);
        nullable(o, "command", m.command);
        // the events are the truth: the Python proxy writes its counters only when it ends cleanly
        o.put("tool_calls", Math.max(m.toolCalls, e.toolCalls));
        o.put("llm_requests", m.llmRequests);
        o.put("errors", Math.max(m.errors, e.errors));
        boolean real = e.meter.realTokens() || m.totalTokens > 0;
        long tokens = e.meter.realTokens() ? e.meter.totalTokens() : m.totalTokens > 0 ? m.totalTokens : e.meter.totalTokens();
        o.put("total_tokens", tokens);
        double duration = m.totalDurationMs > 0 ? m.totalDurationMs
                : m.endedAt != null && m.startedAt != null ? (m.endedAt - m.startedAt) * 1000
                : !Double.isNaN(e.maxTs) && !Double.isNaN(e.minTs) ? (e.maxTs - e.minTs) * 1000 : 0;
        o.put("total_duration_ms", Math.round(Math.max(0, duration) * 1000) / 1000.0);
        PriceTable.Model model = e.meter.priceModel();
        double cost = e.meter.realTokens() || m.totalTokens == 0 ? e.meter.costUsd(model)
                : model.dollars(m.totalTokens, 0);
        o.put("estimated_cost_usd", Math.round(cost * 1e6) / 1e6);
        o.put("token_source", real ? "trace" : "estimate");
        o.put("priced_as", model.name());
        o.put("event_count", e.events);
        if (m.damage != null) {
            o.put("damaged", m.damage);
        }
        o.put("ended", m.endedAt != null);
        return o;
    }

    private static void nullable(ObjectNode o, String k, String v) {
        if (v == null) {
            o.putNull(k);
        } else {
            o.put(k, v);
        }
    }

    /**
     * Events matching {@code filter}, in {@code sessionId} (resolved) or in every session.
     *
     * @param cursor a {@link SearchPage#nextCursor()} from the same query, or null for the first page
     * @throws IllegalArgumentException the cursor is not one this server gave out
     */
    public SearchPage search(String sessionId, EventFilter filter, int limit, String cursor) {
        int max = Math.max(1, Math.min(limit, MAX_LIMIT));
        Cursor start = cursor == null || cursor.isBlank() ? null : Cursor.parse(cursor);
        EventFilter.RawNeedles needles = filter.needles();
        TraceStore.RawLineFilter raw = needles.none() ? TraceStore.RawLineFilter.ALL : needles::accept;
        synchronized (index) {
            List<SessionEntry> sessions = index.refresh();
            if (sessionId != null && sessions.stream().noneMatch(x -> x.id.equals(sessionId))) {
                // resolvable but not indexed: no meta.json (its recorder died) or an unreadable one
                SessionEntry bare = new SessionEntry(sessionId, index.prices());
                bare.meta = store().resolve(sessionId);
                bare.unindexed = true;
                sessions = List.of(bare);
            }
            int from = 0;
            if (start != null) {
                from = -1;
                for (int i = 0; i < sessions.size(); i++) {
                    if (sessions.get(i).id.equals(start.sessionId)) {
                        from = i;
                        break;
                    }
                }
                if (from < 0) {
                    throw new IllegalArgumentException("the cursor points into session " + start.sessionId
                            + ", which is no longer in the store; start again without a cursor");
                }
            }
            List<SessionEntry> candidates = new ArrayList<>();
            int skipped = 0;
            for (int i = from; i < sessions.size(); i++) {
                SessionEntry s = sessions.get(i);
                if (sessionId != null && !s.id.equals(sessionId)) {
                    continue;
                }
                if (start != null && i == from || filter.mayMatch(s)) {
                    candidates.add(s);
                } else {
                    skipped++;
                }
            }
            List<Hit> hits = new ArrayList<>();
            List<String> warnings = new ArrayList<>();
            String next = null;
            int scanned = 0;
            // sessions are read in batches on both cores and merged in order; a batch grows while
            // matches are rare, so a page of common matches reads little past its end
            int batch = 1;
            int i = 0;
            outer:
            while (i < candidates.size()) {
                List<SessionEntry> chunk = candidates.subList(i, Math.min(candidates.size(), i + batch));
                Cursor resume = i == 0 ? start : null;
                List<SessionScan> results = chunk.parallelStream()
                        .map(s -> scanOne(s, resume != null && s == chunk.get(0) ? resume : null, filter, raw, max + 1))
                        .toList();
                for (int k = 0; k < results.size(); k++) {
                    SessionScan r = results.get(k);
                    scanned++;
                    warnings.addAll(r.warnings);
                    for (int h = 0; h < r.hits.size(); h++) {
                        if (hits.size() == max) {
                            next = r.cursors.get(h - 1).encode();
                            break outer;
                        }
                        hits.add(r.hits.get(h));
                    }
                    if (hits.size() == max) {
                        int after = i + k + 1;
                        next = after < candidates.size() ? new Cursor(candidates.get(after).id, 1, 0).encode() : null;
                        break outer;
                    }
                }
                i += chunk.size();
                batch = Math.min(64, batch * 2);
            }
            ObjectNode session = null;
            if (sessionId != null) {
                for (SessionEntry e : sessions) {
                    if (e.id.equals(sessionId)) {
                        session = sessionJson(e, index.prices());
                    }
                }
            }
            return new SearchPage(hits, next, scanned, skipped, warnings.size() > 20 ? warnings.subList(0, 20) : warnings, session);
        }
    }

    /** The matches of one session, at most {@code cap}, each with the cursor just past it. */
    private record SessionScan(List<Hit> hits, List<Cursor> cursors, List<String> warnings) {
    }

    private SessionScan scanOne(SessionEntry s, Cursor resume, EventFilter filter, TraceStore.RawLineFilter raw, int cap) {
        List<Hit> hits = new ArrayList<>();
        List<Cursor> cursors = new ArrayList<>();
        String id = s.id;
        // by tool name, a result may answer a call on an earlier page: read the session from its
        // start, learning the calls, and keep only the hits past the cursor
        ToolLinks links = filter.toolName() == null ? null : new ToolLinks();
        boolean fromStart = resume == null || links != null;
        long firstLine = resume == null ? 1 : resume.line;
        TraceStore.EventScan scan = index.store().scanEvents(id, fromStart ? 0 : resume.offset, fromStart ? 1 : resume.line,
                true, raw, (ev, lineNo, end) -> {
                    if (links != null) {
                        links.see(ev);
                    }
                    if (lineNo < firstLine || !filter.matches(ev, links)) {
                        return false;
                    }
                    hits.add(new Hit(id, lineNo, ev));
                    cursors.add(new Cursor(id, lineNo + 1, end));
                    return hits.size() == cap;
                });
        return new SessionScan(hits, cursors, scan.warnings());
    }

    /** Where a page ends: the session, and the line and byte offset the next page starts at. */
    record Cursor(String sessionId, long line, long offset) {
        String encode() {
            String raw = "v1\n" + sessionId + "\n" + line + "\n" + offset;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }

        static Cursor parse(String s) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(s.trim()), StandardCharsets.UTF_8).split("\n");
                if (parts.length != 4 || !"v1".equals(parts[0])) {
                    throw new IllegalArgumentException();
                }
                return new Cursor(parts[1], Long.parseLong(parts[2]), Long.parseLong(parts[3]));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + s + "' is not a cursor from search_events; pass the next_cursor"
                        + " of the previous page unchanged, or none for the first page");
            }
        }
    }
}
