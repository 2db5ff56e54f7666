package dev.agenttrace.rules.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.rules.scope.ArgumentBinding;
import dev.agenttrace.rules.scope.ToolSpec;
import dev.agenttrace.rules.scope.ToolTable;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.cost.PriceTable;
import dev.agenttrace.store.cost.TokenMeter;
import java.nio.file.InvalidPathException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The facts about one session that several watchers share, kept up to date event by event: calls
 * still waiting for an answer (linked by {@code parent_id}, else by {@code request_id}, else by
 * tool name, which covers the Python proxy's unlinked errors and hook sessions), the counters,
 * tokens and cost, the files written and the run of failing test runs.
 */
final class SessionState {
    private static final int RECENT = 20;
    private static final int MAX_OUTSTANDING = 10_000;
    private static final int MAX_KNOWN = 4_096;
    private static final int MAX_TEXT = 20_000;

    final SessionContext context;
    final Observation observation = new Observation();
    private final ToolTable tools;
    private final PriceTable prices;
    private final PriceTable.Model configuredModel;

    double start = Double.NaN;
    double lastEventTs = Double.NaN;
    long toolCalls;
    long errors;
    long completions;
    long failures;
    /** Tokens and cost: the same meter the analysis commands use. */
    final TokenMeter meter;
    final Set<String> filesModified = new HashSet<>();
    int consecutiveTestFailures;
    boolean ended;
    Call lastCall;

    private final LinkedHashMap<String, Call> outstanding = new LinkedHashMap<>();
    private final Map<String, Call> byRequest = new HashMap<>();
    private final LinkedHashMap<String, Call> known = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Call> eldest) {
            return size() > MAX_KNOWN;
        }
    };
    private final ArrayDeque<TraceEvent> recent = new ArrayDeque<>(RECENT);

    SessionState(SessionContext context, ToolTable tools, PriceTable prices, String configuredModel) {
        this.context = context;
        this.tools = tools;
        this.prices = prices;
        this.meter = new TokenMeter(prices);
        this.configuredModel = configuredModel == null ? null : prices.find(configuredModel);
        observation.state = this;
    }

    /** Links one event and updates the facts; the returned observation is reused for the next event. */
    Observation update(TraceEvent e) {
        Observation o = observation;
        o.reset(e);
        double ts = e.timestamp();
        if (Double.isNaN(start)) {
            start = context.startedAt() != null ? Math.min(context.startedAt(), ts) : ts;
        }
        if (Double.isNaN(lastEventTs) || ts > lastEventTs) {
            lastEventTs = ts;
        }
        ObjectNode d = e.data();
        String type = e.eventType();
        if (EventTypes.DECISION.equals(type)) {
            decision(o, e, d);
            if (!o.ignored) {
                remember(e);
            }
            return o;
        }
        remember(e);
        if (d == null) {
            return o;
        }
        switch (type) {
            case EventTypes.TOOL_CALL -> {
                meter.observe(type, d);
                Call c = newCall(e, d);
                toolCalls++;
                o.call = c;
                lastCall = c;
                outstanding.put(c.eventId, c);
                known.put(c.eventId, c);
                if (c.requestKey != null) {
                    byRequest.put(c.requestKey, c);
                }
                if (outstanding.size() > MAX_OUTSTANDING) {
                    Iterator<Call> it = outstanding.values().iterator();
                    Call eldest = it.next();
                    it.remove();
                    byRequest.remove(eldest.requestKey);
                }
                for (String w : c.writes) {
                    filesModified.add(lexical(w));
                }
            }
            case EventTypes.TOOL_RESULT -> {
                meter.observe(type, d);
                boolean isError = d.path("is_error").asBoolean(false) || d.path("isError").asBoolean(false);
                String text = resultText(d);
                Call c = link(e, d);
                if (c != null && c.done) {
                    break;
                }
                ErrorKind kind = isError ? ErrorKind.classify(null, text) : null;
                if (isError) {
                    errors++;
                    o.failed = true;
                    o.errorKind = kind;
                    o.errorText = text;
                }
                if (c != null) {
                    complete(c, isError, kind, text);
                    o.completed = c;
                }
            }
            case EventTypes.ERROR -> {
                Call c = link(e, d);
                if (c != null && c.done) {
                    break; // a second report of the same failure (both directions of an echo)
                }
                errors++;
                boolean cancelled = d.path("cancelled").asBoolean(false);
                String text = text(d, "message");
                if (text == null) {
                    text = text(d, "error");
                }
                JsonNode code = d.get("code");
                ErrorKind kind = ErrorKind.classify(code != null && code.canConvertToInt() ? code.intValue() : null, text);
                o.failed = !cancelled;
                o.errorKind = kind;
                o.errorText = text;
                if (c != null) {
                    complete(c, !cancelled, kind, text);
                    o.completed = c;
                }
            }
            case EventTypes.LLM_REQUEST, EventTypes.LLM_RESPONSE, EventTypes.ASSISTANT_RESPONSE, EventTypes.USER_PROMPT -> {
                meter.observe(type, d);
                o.reasoning = true;
            }
            case EventTypes.SESSION_START -> meter.observe(type, d);
            case EventTypes.SESSION_END -> {
                ended = true;
                outstanding.clear();
                byRequest.clear();
            }
            case EventTypes.FILE_WRITE -> {
                String uri = text(d, "uri");
                if (uri != null) {
                    filesModified.add(lexical(uri));
                }
            }
            default -> {
                // file_read and types a newer writer added: nothing to track
            }
        }
        return o;
    }

    /**
     * The watch's own alerts are not the agent's behaviour; a call the proxy refused (firewall or
     * watch) is answered by that decision, so it must not look like a call still running.
     */
    private void decision(Observation o, TraceEvent e, ObjectNode d) {
        String kind = d == null ? "" : d.path("kind").asText("");
        boolean own = "alert".equals(kind) || "resume".equals(kind) || kind.startsWith("watch");
        if (d != null && "block".equals(d.path("choice").asText()) && e.parentId() != null) {
            Call c = outstanding.get(e.parentId());
            if (c != null) {
                String reason = d.path("reason").asText("blocked");
                complete(c, true, ErrorKind.PERMISSION, reason);
                if (!own) {
                    errors++;
                    o.completed = c;
                    o.failed = true;
                    o.errorKind = ErrorKind.PERMISSION;
                    o.errorText = reason;
                }
            }
        }
        if (own) {
            o.ignored = true;
        } else if (!"policy_violation".equals(kind)) {
            o.reasoning = true; // a decorator's decision {choice, reason}: the agent thought
        }
    }

    /**
     * A call's outcome. Its result text is read here and not kept in the call: nothing reads it
     * later, and a session remembers up to {@value #MAX_KNOWN} calls (a 20,000-character text each
     * was up to 80 MB per session, copied by young collections while the session lasted).
     */
    private void complete(Call c, boolean failed, ErrorKind kind, String text) {
        c.done = true;
        c.failed = failed;
        c.errorKind = kind;
        outstanding.remove(c.eventId);
        if (c.requestKey != null && byRequest.get(c.requestKey) == c) {
            byRequest.remove(c.requestKey);
        }
        completions++;
        if (failed) {
            failures++;
        }
        if (c.test) {
            consecutiveTestFailures = failed || TestRuns.failed(text) ? consecutiveTestFailures + 1 : 0;
        }
    }

    private Call link(TraceEvent e, ObjectNode d) {
        String parent = e.parentId();
        if (parent != null) {
            Call c = known.get(parent);
            if (c != null) {
                return c;
            }
        }
        JsonNode rid = d.get("request_id");
        if (rid != null && !rid.isNull()) {
            Call c = byRequest.get(requestKey(rid));
            if (c != null) {
                return c;
            }
        }
        String tool = text(d, "tool_name");
        if (tool != null && parent == null) {
            Call match = null;
            for (Call c : outstanding.values()) {
                if (c.tool.equals(tool)) {
                    match = c;
                }
            }
            return match;
        }
        return null;
    }

    private Call newCall(TraceEvent e, ObjectNode d) {
        String tool = d.path("tool_name").asText("");
        JsonNode args = d.get("arguments");
        String canonical = ArgumentCanon.canonical(args);
        String command = null;
        List<String> paths = List.of();
        List<String> writes = List.of();
        if (args != null && args.isObject()) {
            Optional<ToolSpec> spec = tools.lookup(tool);
            if (spec.isPresent()) {
                for (ArgumentBinding b : spec.get().arguments()) {
                    List<String> values = valuesAt(args, b.key());
                    if (values.isEmpty()) {
                        continue;
                    }
                    switch (b.kind()) {
                        case COMMAND -> command = command == null ? values.get(0) : command;
                        case FILE_READ -> paths = concat(paths, values);
                        case FILE_WRITE -> {
                            paths = concat(paths, values);
                            writes = concat(writes, values);
                        }
                        default -> {
                        }
                    }
                }
            } else {
                command = text(args, "command");
                if (command == null) {
                    command = text(args, "cmd");
                }
                String path = firstText(args, "file_path", "path", "notebook_path", "filename");
                if (path != null) {
                    paths = List.of(path);
                    if (writes(tool)) {
                        writes = paths;
                    }
                }
            }
        }
        JsonNode rid = d.get("request_id");
        return new Call(e.eventId(), tool, rid == null || rid.isNull() ? null : requestKey(rid), e.timestamp(), args,
                canonical, command, paths, writes, TestRuns.isTestCall(tool, command));
    }

    private static boolean writes(String tool) {
        String t = tool.toLowerCase(Locale.ROOT);
        return t.contains("write") || t.contains("edit") || t.contains("create") || t.contains("replace")
                || t.contains("patch") || t.contains("save") || t.contains("delete") || t.contains("remove") || t.contains("move");
    }

    private static List<String> concat(List<String> a, List<String> b) {
        if (a.isEmpty()) {
            return b;
        }
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** The strings at a dotted key; arrays at any level are flattened. */
    static List<String> valuesAt(JsonNode args, String dotted) {
        List<String> out = new ArrayList<>(1);
        collect(args, dotted.split("\\."), 0, out);
        return out;
    }

    private static void collect(JsonNode n, String[] parts, int i, List<String> out) {
        if (n == null || n.isNull()) {
            return;
        }
        if (n.isArray()) {
            for (JsonNode item : n) {
                collect(item, parts, i, out);
            }
            return;
        }
        if (i == parts.length) {
            if (n.isTextual() && !n.textValue().isEmpty()) {
                out.add(n.textValue());
            }
            return;
        }
        if (n.isObject()) {
            collect(n.get(parts[i]), parts, i + 1, out);
        }
    }

    /** A written path made comparable: relative ones resolved against the root, dots removed. */
    private String lexical(String p) {
        try {
            String s = p.startsWith("file://") ? p.substring("file://".length()) : p;
            return context.root().resolve(s).normalize().toString();
        } catch (InvalidPathException ex) {
            return p;
        }
    }

    private void remember(TraceEvent e) {
        if (recent.size() == RECENT) {
            recent.removeFirst();
        }
        recent.addLast(e);
    }

    // ---------------------------------------------------------------- queries

    /** The model prices are taken from: the config's cost.model, else the session's, else the default. */
    PriceTable.Model priceModel() {
        if (configuredModel != null) {
            return configuredModel;
        }
        return meter.priceModel();
    }

    /** Real token counts where the trace has them, else the payload-size estimate. */
    long totalTokens() {
        return meter.totalTokens();
    }

    boolean realTokens() {
        return meter.realTokens();
    }

    String model() {
        return meter.model();
    }

    double costUsd() {
        return meter.costUsd(priceModel());
    }

    /** Percent of the model's context window the latest llm_request used. */
    double contextPercent() {
        long window = priceModel().contextTokens();
        return window <= 0 ? 0 : meter.lastPromptTokens() * 100.0 / window;
    }

    double elapsedSeconds(double now) {
        return Double.isNaN(start) ? 0 : Math.max(0, now - start);
    }

    Call oldestOutstanding() {
        return outstanding.isEmpty() ? null : outstanding.values().iterator().next();
    }

    int outstandingCount() {
        return outstanding.size();
    }

    List<TraceEvent> recentEvents() {
        return new ArrayList<>(recent);
    }

    // ---------------------------------------------------------------- helpers

    /** Type-tagged: {@code 1} and {@code "1"} are different requests (as the classifier keys them). */
    static String requestKey(JsonNode id) {
        // an int or long prints the same either way; toString() would run a whole JSON generator
        return id.isTextual() ? "s:" + id.asText() : "n:" + (id.isInt() || id.isLong() ? id.asText() : id.toString());
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() && !v.textValue().isEmpty() ? v.textValue() : null;
    }

    private static String firstText(JsonNode n, String... fields) {
        for (String f : fields) {
            String t = text(n, f);
            if (t != null) {
                return t;
            }
        }
        return null;
    }

    /** The text of a result: a hook's {@code result}, the full MCP result's content, else the preview. */
    static String resultText(ObjectNode d) {
        JsonNode result = d.get("result");
        if (result != null && result.isTextual()) {
            return clip(result.textValue());
        }
        if (result != null && result.isObject()) {
            JsonNode content = result.get("content");
            if (content != null && content.isArray()) {
                StringBuilder sb = new StringBuilder();
                for (JsonNode c : content) {
                    if (c.hasNonNull("text")) {
                        if (sb.length() > 0) {
                            sb.append('\n');
                        }
                        sb.append(c.get("text").asText());
                        if (sb.length() > MAX_TEXT) {
                            break;
                        }
                    }
                }
                if (sb.length() > 0) {
                    return clip(sb.toString());
                }
            }
            if (result.hasNonNull("preview")) {
                return clip(result.get("preview").asText());
            }
        }
        String preview = text(d, "content_preview");
        return preview == null ? "" : preview;
    }

    private static String clip(String s) {
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT);
    }
}
