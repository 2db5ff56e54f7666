package dev.agenttrace.store.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.analysis.EventFacts;
import dev.agenttrace.store.cost.PriceTable;
import dev.agenttrace.store.cost.TokenMeter;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the index knows about one session: its meta, the size and time of its files when they were
 * read (so a stale entry is noticed), and a digest of its events that lets a search skip a session
 * that cannot match: the tools it called, the paths it touched, the exit codes and event types it
 * holds, whether anything failed, its time span, and its tokens so far.
 *
 * <p>The sets are capped (memory stays bounded whatever the store holds); past the cap a set is
 * marked incomplete and never used to skip.
 */
final class SessionEntry {
    static final int MAX_TOOLS = 256;
    static final int MAX_PATHS = 512;
    static final int MAX_CODES = 64;

    final String id;
    SessionMeta meta;
    long metaSize = -1;
    long metaMtime = -1;
    long eventsSize = -1;
    long eventsMtime = -1;
    /** Where the next incremental read starts: just past the last complete line indexed. */
    long offset;
    long nextLine = 1;
    long events;
    long toolCalls;
    long errors;
    double minTs = Double.NaN;
    double maxTs = Double.NaN;
    final Set<String> tools = new HashSet<>();
    boolean toolsComplete = true;
    final Set<String> paths = new HashSet<>();
    boolean pathsComplete = true;
    final Set<Integer> exitCodes = new HashSet<>();
    boolean codesComplete = true;
    final Set<String> types = new HashSet<>();
    TokenMeter meter;
    /** A stand-in for a session the index does not hold (no meta.json): never skipped. */
    boolean unindexed;

    SessionEntry(String id, PriceTable prices) {
        this.id = id;
        this.meter = new TokenMeter(prices);
    }

    /** Forgets the events digest (the file was replaced, not appended to). */
    void resetEvents(PriceTable prices) {
        offset = 0;
        nextLine = 1;
        events = 0;
        toolCalls = 0;
        errors = 0;
        minTs = Double.NaN;
        maxTs = Double.NaN;
        tools.clear();
        toolsComplete = true;
        paths.clear();
        pathsComplete = true;
        exitCodes.clear();
        codesComplete = true;
        types.clear();
        meter = new TokenMeter(prices);
    }

    void add(TraceEvent e) {
        events++;
        double ts = e.timestamp();
        if (Double.isNaN(minTs) || ts < minTs) {
            minTs = ts;
        }
        if (Double.isNaN(maxTs) || ts > maxTs) {
            maxTs = ts;
        }
        if (e.eventType() != null) {
            types.add(e.eventType());
        }
        if (EventTypes.TOOL_CALL.equals(e.eventType())) {
            toolCalls++;
        }
        if (EventFacts.isError(e)) {
            errors++;
        }
        String tool = EventFacts.toolName(e);
        if (tool != null && toolsComplete) {
            tools.add(tool.toLowerCase(Locale.ROOT).intern());
            toolsComplete = tools.size() <= MAX_TOOLS;
        }
        if (pathsComplete) {
            for (String p : EventFacts.paths(e)) {
                paths.add(p.intern()); // the same files recur across a project's sessions: one copy each
            }
            pathsComplete = paths.size() <= MAX_PATHS;
        }
        Integer code = EventFacts.exitCode(e);
        if (code != null && codesComplete) {
            exitCodes.add(code);
            codesComplete = exitCodes.size() <= MAX_CODES;
        }
        meter.observe(e);
    }

    /** The session's start: the meta's, else its first event's. */
    double startedAt() {
        if (meta != null && meta.startedAt != null) {
            return meta.startedAt;
        }
        return Double.isNaN(minTs) ? 0 : minTs;
    }

    // ---------------------------------------------------------------- the index file, one entry a line

    ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        o.put("id", id);
        o.put("meta_size", metaSize);
        o.put("meta_mtime", metaMtime);
        o.put("events_size", eventsSize);
        o.put("events_mtime", eventsMtime);
        o.put("offset", offset);
        o.put("next_line", nextLine);
        o.put("events", events);
        o.put("tool_calls", toolCalls);
        o.put("errors", errors);
        if (!Double.isNaN(minTs)) {
            o.put("min_ts", minTs);
            o.put("max_ts", maxTs);
        }
        strings(o.putArray("tools"), tools);
        o.put("tools_complete", toolsComplete);
        strings(o.putArray("paths"), paths);
        o.put("paths_complete", pathsComplete);
        ArrayNode codes = o.putArray("exit_codes");
        exitCodes.forEach(codes::add);
        o.put("codes_complete", codesComplete);
        strings(o.putArray("types"), types);
        TokenMeter.Snapshot s = meter.snapshot();
        ObjectNode t = o.putObject("tokens");
        t.put("ei", s.estimatedInput());
        t.put("eo", s.estimatedOutput());
        t.put("ri", s.realInput());
        t.put("ro", s.realOutput());
        t.put("real", s.realTokens());
        t.put("last_prompt", s.lastPromptTokens());
        if (s.model() != null) {
            t.put("model", s.model());
        }
        return o;
    }

    static SessionEntry fromJson(JsonNode o, SessionMeta meta, PriceTable prices) {
        SessionEntry e = new SessionEntry(o.path("id").asText(), prices);
        e.meta = meta;
        e.metaSize = o.path("meta_size").asLong(-1);
        e.metaMtime = o.path("meta_mtime").asLong(-1);
        e.eventsSize = o.path("events_size").asLong(-1);
        e.eventsMtime = o.path("events_mtime").asLong(-1);
        e.offset = o.path("offset").asLong();
        e.nextLine = o.path("next_line").asLong(1);
        e.events = o.path("events").asLong();
        e.toolCalls = o.path("tool_calls").asLong();
        e.errors = o.path("errors").asLong();
        e.minTs = o.has("min_ts") ? o.get("min_ts").asDouble() : Double.NaN;
        e.maxTs = o.has("max_ts") ? o.get("max_ts").asDouble() : Double.NaN;
        o.path("tools").forEach(n -> e.tools.add(n.asText().intern()));
        e.toolsComplete = o.path("tools_complete").asBoolean(false);
        o.path("paths").forEach(n -> e.paths.add(n.asText().intern()));
        e.pathsComplete = o.path("paths_complete").asBoolean(false);
        o.path("exit_codes").forEach(n -> e.exitCodes.add(n.asInt()));
        e.codesComplete = o.path("codes_complete").asBoolean(false);
        o.path("types").forEach(n -> e.types.add(n.asText()));
        JsonNode t = o.path("tokens");
        e.meter = new TokenMeter(prices, new TokenMeter.Snapshot(t.path("ei").asLong(), t.path("eo").asLong(),
                t.path("ri").asLong(), t.path("ro").asLong(), t.path("real").asBoolean(), t.path("last_prompt").asLong(),
                t.hasNonNull("model") ? t.get("model").asText() : null));
        return e;
    }

    private static void strings(ArrayNode a, Set<String> values) {
        new TreeSet<>(values).forEach(a::add);
    }
}
