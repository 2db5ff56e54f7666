package dev.agenttrace.mcp;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.AmbiguousSessionException;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.SessionNotFoundException;
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
import java.util.HashSet;
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

    private final TraceQueries queries;
    private final SummaryCache summaries;

    public TraceTools(TraceStore store) {
        this.queries = new TraceQueries(store);
        this.summaries = new SummaryCache(store, 64);
    }

    /** How many sessions were read and analysed for summaries and diffs (the rest came from the cache). */
    long analyses() {
        return summaries.analyses();
    }

    /** Starts bringing the search index up to date while the client initialises. */
    public void warmUp() {
        queries.warmUp();
    }

    public List<SyncToolSpecification> specifications() {
        return List.of(
                spec("list_sessions", "List recorded sessions, newest first (by start time), with tool calls, errors,"
                        + " tokens and estimated cost. Filter by agent name.", this::listSessions),
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
                .replace("agent-trace list", "list_sessions");
    }

    private static CallToolResult error(String message) {
        return CallToolResult.builder().addTextContent(message).isError(true).build();
    }

    // ---------------------------------------------------------------- the tools

    Answer listSessions(Arguments args) {
        TraceQueries.SessionPage page = queries.listSessions(args.limit("limit", 20, 1000), args.string("agent"),
                Boolean.TRUE.equals(args.bool("include_probes")));
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        ArrayNode sessions = o.putArray("sessions");
        page.sessions().forEach(sessions::add);
        o.put("count", page.sessions().size());
        o.put("total", page.total());
        if (page.probes() > 0) {
            o.put("probes_hidden", page.probes());
        }
        ArrayNode problems = o.putArray("problems");
        page.problems().forEach(problems::add);
        StringBuilder t = new StringBuilder();
        if (page.sessions().isEmpty()) {
            t.append("No sessions").append(args.string("agent") == null ? "" : " for agent '" + args.string("agent") + "'")
                    .append(" in ").append(queries.store().dir()).append(". Record one with: agent-trace record -- <server command>\n");
        } else {
            t.append(page.sessions().size()).append(" of ").append(page.total()).append(" sessions, newest first:\n");
            for (ObjectNode s : page.sessions()) {
                t.append(String.format(Locale.ROOT, "%s  %s  %-20s calls %d  errors %d  $%.4f%s%n", s.get("session_id").asText(),
                        EventText.time(s.get("started_at")), EventText.clip(EventText.text(s, "agent_name", EventText.text(s, "command", "")), 20),
                        s.get("tool_calls").asLong(), s.get("errors").asLong(), s.get("estimated_cost_usd").asDouble(),
                        s.has("damaged") ? "  (DAMAGED: " + s.get("damaged").asText() + "; counters from its events)"
                                : s.get("ended").asBoolean() ? "" : "  (not ended)"));
            }
        }
        if (page.probes() > 0) {
            t.append(page.probes()).append(page.probes() == 1 ? " probe session" : " probe sessions")
                    .append(" (no tool traffic, ended within a second) left out; include_probes: true lists them\n");
        }
        page.problems().forEach(p -> t.append("note: ").append(p).append('\n'));
        return new Answer(o, t.toString());
    }

    Answer getSession(Arguments args) {
        SessionMeta meta = queries.store().resolve(args.required("session_id"));
        List<String> types = args.strings("event_types");
        EventFilter filter = new EventFilter(null, null, null, null, null, new HashSet<>(types), null, null);
        TraceQueries.SearchPage page = queries.search(meta.sessionId, filter, args.limit("limit", 500, 5000), args.string("cursor"));
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        ObjectNode session = page.session() != null ? page.session() : queries.session(meta.sessionId);
        o.set("session", session);
        ArrayNode events = o.putArray("events");
        for (TraceQueries.Hit h : page.hits()) {
            events.add(EventText.json(h.event(), null, 0));
        }
        o.put("event_count", page.hits().size());
        EventText.putNullable(o, "next_cursor", page.nextCursor());
        ArrayNode warnings = o.putArray("warnings");
        page.warnings().forEach(warnings::add);
        dev.agenttrace.store.SessionCoverage coverage = dev.agenttrace.store.SessionCoverage.of(queries.store(), meta, page.warnings());
        if (coverage.note() != null) {
            warnings.add("this session " + coverage.note());
        }
        StringBuilder t = new StringBuilder();
        t.append("Session ").append(meta.sessionId).append(session.hasNonNull("agent_name") ? " (" + session.get("agent_name").asText() + ")" : "")
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
        String sessionId = sessionArg == null || sessionArg.isBlank() ? null : queries.store().resolve(sessionArg).sessionId;
        Double since = args.time("since");
        Double until = args.time("until");
        EventFilter filter = new EventFilter(args.string("tool_name"), args.string("file_path"), args.integer("exit_code"),
                args.bool("has_error"), args.string("query"), new HashSet<>(args.strings("event_type")), since, until);
        TraceQueries.SearchPage page = queries.search(sessionId, filter, args.limit("limit", 50, TraceQueries.MAX_LIMIT),
                args.string("cursor"));
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        ArrayNode events = o.putArray("events");
        for (TraceQueries.Hit h : page.hits()) {
            events.add(EventText.json(h.event(), h.sessionId(), h.line()));
        }
        o.put("count", page.hits().size());
        EventText.putNullable(o, "next_cursor", page.nextCursor());
        o.put("sessions_scanned", page.sessionsScanned());
        o.put("sessions_skipped", page.sessionsSkipped());
        ArrayNode warnings = o.putArray("warnings");
        page.warnings().forEach(warnings::add);
        StringBuilder t = new StringBuilder();
        t.append(page.hits().size()).append(page.hits().size() == 1 ? " event" : " events")
                .append(sessionId == null ? "" : " in session " + sessionId)
                .append(more(page.nextCursor())).append('\n');
        EventText.timeline(t, page.hits(), sessionId == null);
        page.warnings().forEach(w -> t.append("warning: ").append(w).append('\n'));
        return new Answer(o, t.toString());
    }

    /** The cursor itself, so an agent that reads only the text can page on. */
    private static String more(String cursor) {
        return cursor == null ? "" : " (more: call again with cursor \"" + cursor + "\")";
    }

    Answer summary(Arguments args) {
        SessionMeta meta = queries.store().resolve(args.required("session_id"));
        SessionSummary s = summaries.get(meta);
        dev.agenttrace.store.SessionCoverage c = dev.agenttrace.store.SessionCoverage.of(queries.store(), meta, s.warnings());
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
        SessionMeta ma = queries.store().resolve(a);
        SessionMeta mb = queries.store().resolve(b);
        SessionDiff d = SessionDiff.of(summaries.get(ma), summaries.get(mb));
        return new Answer(d.toJson(), AnalysisText.diff(d));
    }
}
