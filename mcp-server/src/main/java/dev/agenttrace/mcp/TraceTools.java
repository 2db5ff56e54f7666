package dev.agenttrace.mcp;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.AmbiguousSessionException;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.SessionNotFoundException;
import dev.agenttrace.store.StoreSet;
import dev.agenttrace.store.TraceStore;
import dev.agenttrace.store.analysis.AnalysisText;
import dev.agenttrace.store.analysis.SessionDiff;
import dev.agenttrace.store.analysis.SessionSummary;
import dev.agenttrace.store.query.EventFilter;
import dev.agenttrace.store.query.TraceQueries;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.modelcontextprotocol.spec.McpSchema.ToolAnnotations;
import java.io.UncheckedIOException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The five tools of {@code agent-trace mcp}, named and shaped as agent-strace's so prompts written
 * for it keep working, with what it lacked: output schemas and structured results, filters that
 * match real data, paging, and failures reported as {@code isError} results that say what exists
 * (agent-strace returned {@code {"error": ...}} as a success).
 */
public final class TraceTools {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StoreSet stores;
    /** Per store, in the order of {@link StoreSet#stores()}. */
    private final Map<TraceStore, TraceQueries> queries = new LinkedHashMap<>();
    private final Map<TraceStore, SummaryCache> summaries = new LinkedHashMap<>();

    public TraceTools(TraceStore store) {
        this(StoreSet.of(store, "--trace-dir"));
    }

    /** The tools over several stores: sessions of all listed together, ids resolved across them. */
    public TraceTools(StoreSet stores) {
        this.stores = stores;
        for (TraceStore s : stores.stores()) {
            queries.put(s, new TraceQueries(s));
            summaries.put(s, new SummaryCache(s, 64));
        }
    }

    /** How many sessions were read and analysed for summaries and diffs (the rest came from the cache). */
    long analyses() {
        return summaries.values().stream().mapToLong(SummaryCache::analyses).sum();
    }

    /** Starts bringing the search index up to date while the client initialises. */
    public void warmUp() {
        queries.forEach((s, q) -> {
            if (StoreSet.unreadable(s.dir()) == null) {
                q.warmUp();
            }
        });
    }

    public List<SyncToolSpecification> specifications() {
        return List.of(
                spec("list_sessions", "List recorded sessions, newest first (by start time), with tool calls, errors,"
                        + " tokens and estimated cost, and the store each is in (stores lists every store read)."
                        + " Filter by agent name.", this::listSessions),
                spec("get_session", "One session's metadata and events in order, optionally only some event types;"
                        + " long sessions come in pages (next_cursor).", this::getSession),
                spec("search_events", "Find events across sessions (or in one): by tool name, file path, exit code,"
                        + " failure, text, event type and time range. Newest session first; pages via next_cursor.", this::searchEvents),
                spec("get_session_summary", "Explain a session: phases, errors, retries, files read and written, slowest"
                        + " calls, per-tool latency and cost.", this::summary),
                spec("diff_sessions", "Compare two sessions: tool call counts, files, errors, tokens, cost, duration and"
                        + " the first call where they diverge.", this::diff));
    }

    private static SyncToolSpecification spec(String name, String description, Function<Arguments, Answer> handler) {
        Tool tool = Tool.builder(name, ToolSchemas.input(name))
                .description(description)
                .outputSchema(ToolSchemas.output(name))
                .annotations(new ToolAnnotations(null, true, false, true, false, null))
                .build();
        return SyncToolSpecification.builder().tool(tool).callHandler((exchange, req) -> call(handler, req)).build();
    }

    /** What a tool answers: structured content and its readable rendering. */
    record Answer(ObjectNode structured, String text) {
    }

    /** Every failure is an isError result with one actionable message; never a JSON-RPC error, never a stack trace. */
    static CallToolResult call(Function<Arguments, Answer> handler, CallToolRequest req) {
        try {
            Answer a = handler.apply(new Arguments(req.arguments()));
            Map<String, Object> structured = JSON.convertValue(a.structured(), new TypeReference<Map<String, Object>>() { });
            return CallToolResult.builder().addTextContent(a.text()).structuredContent(structured).isError(false).build();
        } catch (SessionNotFoundException | AmbiguousSessionException | Arguments.BadArgument | IllegalArgumentException e) {
            return error(inToolTerms(e.getMessage()));
        } catch (UncheckedIOException e) {
            return error("cannot read the trace store: " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
        } catch (RuntimeException e) {
            return error("agent-trace could not answer " + req.name() + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse("")) + ")");
        }
    }

    /**
     * The store's messages are written for the command line ("list them with: agent-trace list");
     * the debugging agent has tools, not a shell.
     */
    static String inToolTerms(String message) {
        return message == null ? null : message
                .replace("list them all with: agent-trace list", "list them all with the list_sessions tool")
                .replace("(list them with: agent-trace list)", "(the list_sessions tool lists them)")
                .replace("(list the sessions with: agent-trace list)", "(the list_sessions tool lists them)")
                .replace("agent-trace list", "list_sessions")
                .replace(StoreSet.READ_ONE_STORE, "")
                .replace("name one by its path, STORE/ID", "pass one of these paths as the session id");
    }

    private static CallToolResult error(String message) {
        return CallToolResult.builder().addTextContent(message).isError(true).build();
    }

    // ---------------------------------------------------------------- the tools

    Answer listSessions(Arguments args) {
        int limit = args.limit("limit", 20, 1000);
        String agent = args.string("agent");
        boolean withProbes = Boolean.TRUE.equals(args.bool("include_probes"));
        List<ObjectNode> all = new ArrayList<>();
        int total = 0;
        int probes = 0;
        List<String> problemList = new ArrayList<>();
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        ArrayNode storeList = JsonNodeFactory.instance.arrayNode();
        for (TraceStore store : stores.stores()) {
            ObjectNode st = storeList.addObject();
            st.put("dir", store.dir().toString());
            st.put("why", stores.location(store).why());
            String unreadable = StoreSet.unreadable(store.dir());
            if (unreadable != null) {
                st.put("sessions", 0);
                st.put("problem", unreadable);
                problemList.add(store.dir() + ": " + unreadable + (stores.several() ? "; the other stores were read" : ""));
                continue;
            }
            try {
                TraceQueries.SessionPage page = queries.get(store).listSessions(limit, agent, withProbes);
                for (ObjectNode s : page.sessions()) {
                    s.put("store", store.dir().toString());
                    all.add(s);
                }
                total += page.total();
                probes += page.probes();
                problemList.addAll(page.problems());
                st.put("sessions", page.total());
            } catch (RuntimeException e) {
                if (!stores.several()) {
                    throw e;
                }
                String why = "cannot be read (" + e.getClass().getSimpleName() + (e.getMessage() == null ? ""
                        : ": " + e.getMessage().lines().findFirst().orElse("")) + ")";
                st.put("sessions", 0);
                st.put("problem", why);
                problemList.add(store.dir() + ": " + why + "; the other stores were read");
            }
        }
        all.sort(NEWEST_FIRST);
        List<ObjectNode> shown = all.subList(0, Math.min(limit, all.size()));
        ArrayNode sessions = o.putArray("sessions");
        shown.forEach(sessions::add);
        o.put("count", shown.size());
        o.put("total", total);
        if (probes > 0) {
            o.put("probes_hidden", probes);
        }
        o.set("stores", storeList);
        ArrayNode problems = o.putArray("problems");
        problemList.forEach(problems::add);
        StringBuilder t = new StringBuilder();
        if (stores.several()) {
            t.append("Read ").append(stores.stores().size()).append(" stores:");
            storeList.forEach(st -> t.append("\n  ").append(st.get("dir").asText()).append(" (").append(st.get("why").asText())
                    .append("): ").append(st.has("problem") ? "unreadable: " + st.get("problem").asText()
                            : st.get("sessions").asInt() + " sessions"));
            t.append('\n');
        }
        String where = stores.several() ? "these stores" : stores.first().dir().toString();
        if (shown.isEmpty()) {
            t.append("No sessions").append(agent == null ? "" : " for agent '" + agent + "'")
                    .append(" in ").append(where).append(". Record one with: agent-trace record -- <server command>\n");
        } else {
            t.append(shown.size()).append(" of ").append(total).append(" sessions, newest first:\n");
            for (ObjectNode s : shown) {
                t.append(String.format(Locale.ROOT, "%s  %s  %-20s calls %d  errors %d  $%.4f%s%s%n", s.get("session_id").asText(),
                        EventText.time(s.get("started_at")), EventText.clip(EventText.text(s, "agent_name", EventText.text(s, "command", "")), 20),
                        s.get("tool_calls").asLong(), s.get("errors").asLong(), s.get("estimated_cost_usd").asDouble(),
                        s.has("damaged") ? "  (DAMAGED: " + s.get("damaged").asText() + "; counters from its events)"
                                : s.get("ended").asBoolean() ? "" : "  (not ended)",
                        stores.several() ? "  in " + s.get("store").asText() : ""));
            }
        }
        if (probes > 0) {
            t.append(probes).append(probes == 1 ? " probe session" : " probe sessions")
                    .append(" (no tool traffic, ended within a second) left out; include_probes: true lists them\n");
        }
        problemList.forEach(p -> t.append("note: ").append(p).append('\n'));
        return new Answer(o, t.toString());
    }

    /** list_sessions entries newest first: greatest started_at, unknown start last, ties by id (greatest first). */
    private static final java.util.Comparator<ObjectNode> NEWEST_FIRST = (x, y) -> {
        JsonNode a = x.get("started_at");
        JsonNode b = y.get("started_at");
        boolean an = a == null || a.isNull();
        boolean bn = b == null || b.isNull();
        if (an != bn) {
            return an ? 1 : -1;
        }
        int c = an ? 0 : Double.compare(b.asDouble(), a.asDouble());
        return c != 0 ? c : y.get("session_id").asText().compareTo(x.get("session_id").asText());
    };

    Answer getSession(Arguments args) {
        StoreSet.Found found = stores.resolve(args.required("session_id"));
        SessionMeta meta = found.meta();
        TraceQueries queries = this.queries.get(found.store());
        List<String> types = args.strings("event_types");
        EventFilter filter = new EventFilter(null, null, null, null, null, new HashSet<>(types), null, null);
        TraceQueries.SearchPage page = queries.search(meta.sessionId, filter, args.limit("limit", 500, 5000), args.string("cursor"));
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        ObjectNode session = page.session() != null ? page.session() : queries.session(meta.sessionId);
        session.put("store", found.store().dir().toString());
        o.set("session", session);
        ArrayNode events = o.putArray("events");
        for (TraceQueries.Hit h : page.hits()) {
            events.add(EventText.json(h.event(), null, 0));
        }
        o.put("event_count", page.hits().size());
        EventText.putNullable(o, "next_cursor", page.nextCursor());
        ArrayNode warnings = o.putArray("warnings");
        page.warnings().forEach(warnings::add);
        dev.agenttrace.store.SessionCoverage coverage = dev.agenttrace.store.SessionCoverage.of(found.store(), meta, page.warnings());
        if (coverage.note() != null) {
            warnings.add("this session " + coverage.note());
        }
        StringBuilder t = new StringBuilder();
        t.append("Session ").append(meta.sessionId).append(session.hasNonNull("agent_name") ? " (" + session.get("agent_name").asText() + ")" : "")
                .append(stores.several() ? " in " + found.store().dir() : "")
                .append(", started ").append(EventText.time(session.get("started_at"))).append(": ").append(page.hits().size())
                .append(types.isEmpty() ? " events" : " events of type " + String.join(", ", types))
                .append(more(page.nextCursor())).append('\n');
        if (session.has("damaged")) {
            t.append("damaged: ").append(session.get("damaged").asText()).append("; these are the events it holds\n");
        }
        EventText.timeline(t, page.hits(), false);
        warnings.forEach(w -> t.append("warning: ").append(w.asText()).append('\n'));
        return new Answer(o, t.toString());
    }

    Answer searchEvents(Arguments args) {
        String sessionArg = args.string("session_id");
        StoreSet.Found found = sessionArg == null || sessionArg.isBlank() ? null : stores.resolve(sessionArg);
        String sessionId = found == null ? null : found.meta().sessionId;
        Double since = args.time("since");
        Double until = args.time("until");
        EventFilter filter = new EventFilter(args.string("tool_name"), args.string("file_path"), args.integer("exit_code"),
                args.bool("has_error"), args.string("query"), new HashSet<>(args.strings("event_type")), since, until);
        int limit = Math.max(1, Math.min(args.limit("limit", 50, TraceQueries.MAX_LIMIT), TraceQueries.MAX_LIMIT));
        String cursor = args.string("cursor");
        List<TraceQueries.Hit> hits = new ArrayList<>();
        List<TraceStore> hitStores = new ArrayList<>();
        List<String> warningList = new ArrayList<>();
        String next = null;
        int scanned = 0;
        int skipped = 0;
        if (found != null || !stores.several()) {
            // one store: its own cursors, unchanged
            TraceStore store = found != null ? found.store() : stores.first();
            TraceQueries.SearchPage page = queries.get(store).search(sessionId, filter, limit, cursor);
            hits.addAll(page.hits());
            page.hits().forEach(h -> hitStores.add(store));
            next = page.nextCursor();
            scanned = page.sessionsScanned();
            skipped = page.sessionsSkipped();
            warningList.addAll(page.warnings());
        } else {
            // several stores, one after the other; a cursor says which store and where in it
            List<TraceStore> all = stores.stores();
            int k = 0;
            String inner = null;
            if (cursor != null && !cursor.isBlank()) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("s(\\d+)\\.(.*)", java.util.regex.Pattern.DOTALL)
                        .matcher(cursor.trim());
                if (!m.matches() || Integer.parseInt(m.group(1)) >= all.size()) {
                    throw new IllegalArgumentException("'" + cursor + "' is not a cursor from search_events; pass the next_cursor"
                            + " of the previous page unchanged, or none for the first page");
                }
                k = Integer.parseInt(m.group(1));
                inner = m.group(2).isEmpty() ? null : m.group(2);
            }
            for (; k < all.size(); k++) {
                TraceStore store = all.get(k);
                String unreadable = StoreSet.unreadable(store.dir());
                if (unreadable != null) {
                    warningList.add(store.dir() + ": " + unreadable + "; the other stores were searched");
                    inner = null;
                    continue;
                }
                TraceQueries.SearchPage page;
                try {
                    page = queries.get(store).search(null, filter, limit - hits.size(), inner);
                } catch (java.io.UncheckedIOException e) {
                    warningList.add(store.dir() + ": cannot be read (" + e.getMessage() + "); the other stores were searched");
                    inner = null;
                    continue;
                }
                inner = null;
                hits.addAll(page.hits());
                page.hits().forEach(h -> hitStores.add(store));
                scanned += page.sessionsScanned();
                skipped += page.sessionsSkipped();
                warningList.addAll(page.warnings());
                if (page.nextCursor() != null) {
                    next = "s" + k + "." + page.nextCursor();
                    break;
                }
                if (hits.size() >= limit) {
                    next = k + 1 < all.size() ? "s" + (k + 1) + "." : null;
                    break;
                }
            }
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        ArrayNode events = o.putArray("events");
        for (int i = 0; i < hits.size(); i++) {
            TraceQueries.Hit h = hits.get(i);
            ObjectNode e = EventText.json(h.event(), h.sessionId(), h.line());
            if (stores.several()) {
                e.put("_store", hitStores.get(i).dir().toString());
            }
            events.add(e);
        }
        o.put("count", hits.size());
        EventText.putNullable(o, "next_cursor", next);
        o.put("sessions_scanned", scanned);
        o.put("sessions_skipped", skipped);
        ArrayNode warnings = o.putArray("warnings");
        List<String> shownWarnings = warningList.size() > 20 ? warningList.subList(0, 20) : warningList;
        shownWarnings.forEach(warnings::add);
        StringBuilder t = new StringBuilder();
        t.append(hits.size()).append(hits.size() == 1 ? " event" : " events")
                .append(sessionId == null ? "" : " in session " + sessionId)
                .append(stores.several() ? (found != null ? " of " + found.store().dir() : " in " + stores.stores().size()
                        + " stores, one store after the other") : "")
                .append(more(next)).append('\n');
        EventText.timeline(t, hits, sessionId == null);
        shownWarnings.forEach(w -> t.append("warning: ").append(w).append('\n'));
        return new Answer(o, t.toString());
    }

    /** The cursor itself, so an agent that reads only the text can page on. */
    private static String more(String cursor) {
        return cursor == null ? "" : " (more: call again with cursor \"" + cursor + "\")";
    }

    Answer summary(Arguments args) {
        StoreSet.Found found = stores.resolve(args.required("session_id"));
        SessionMeta meta = found.meta();
        SessionSummary s = summaries.get(found.store()).get(meta);
        dev.agenttrace.store.SessionCoverage c = dev.agenttrace.store.SessionCoverage.of(found.store(), meta, s.warnings());
        String note = c.note() == null ? "" : "note: this session " + c.note() + "; the summary covers what was recorded.\n";
        return new Answer(s.toJson(), note + AnalysisText.explain(s));
    }

    Answer diff(Arguments args) {
        String a = args.string("session_a");
        String b = args.string("session_b");
        if (a == null || a.isBlank() || b == null || b.isBlank()) {
            throw new Arguments.BadArgument("both 'session_a' and 'session_b' are required (ids, unique prefixes or 'latest';"
                    + " list_sessions shows them)");
        }
        StoreSet.Found fa = stores.resolve(a);
        StoreSet.Found fb = stores.resolve(b);
        SessionDiff d = SessionDiff.of(summaries.get(fa.store()).get(fa.meta()), summaries.get(fb.store()).get(fb.meta()));
        return new Answer(d.toJson(), AnalysisText.diff(d));
    }
}
