package dev.agenttrace.hooks.transcript;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.SessionWriter;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceJson;
import dev.agenttrace.store.TraceStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Turns a Claude Code transcript ({@code ~/.claude/projects/<dir>/<session>.jsonl}, and its
 * subagents' {@code <session>/subagents/agent-*.jsonl}) into sessions of the store, in the shape
 * the hooks record ({@code session_start {mode}}, {@code user_prompt}, {@code tool_call
 * {tool_name, arguments, tool_use_id}}, {@code tool_result {tool_name, result}}, {@code error},
 * {@code assistant_response}, {@code session_end}), plus one {@code llm_response {model, usage}}
 * per model answer, so tokens and cost are the transcript's own.
 *
 * <p>Results are linked to their calls by {@code tool_use_id}; sidechains (subagents) become child
 * sessions ({@code parent_session_id}, {@code parent_event_id} = the Agent/Task call that started
 * them, {@code depth}). Session and event ids are derived from the transcript's ids, so importing
 * again gives the same session: an unchanged transcript is left alone, one that grew is written
 * anew. Redaction is the store writer's, as for every other write.
 */
public final class ClaudeTranscriptImporter {
    public static final String MODE = "claude-code-transcript";
    public static final String RECORDER = "agent-trace import";
    private static final int RESULT_CHARS = 1000;
    private static final int TEXT_CHARS = 16_000;
    private static final int ARGUMENT_STRING_CHARS = 16_000;
    private static final int RESPONSE_BYTES = 16 * 1024;

    private final TraceStore store;
    private final StoreOptions options;

    /** What one import did. */
    public record Result(Path transcript, String sessionId, String status, int toolCalls, int errors, List<String> children,
                         List<String> warnings) {
    }

    public ClaudeTranscriptImporter(TraceStore store, StoreOptions options) {
        this.store = store;
        this.options = options;
    }

    /**
     * Claude Code's transcript directory of a project: {@code <claude home>/projects/<dir>} where
     * every character of the absolute path that is not a letter or digit is a {@code -}.
     */
    public static Path projectDir(Path claudeHome, Path project) {
        String abs = project.toAbsolutePath().normalize().toString();
        return claudeHome.resolve("projects").resolve(abs.replaceAll("[^A-Za-z0-9]", "-"));
    }

    /** The store id of a transcript's session: stable across imports, never the id the hooks give the same session. */
    public static String sessionIdFor(String transcriptSessionId) {
        return sha(MODE + ":" + transcriptSessionId, 16);
    }

    /** The transcripts under {@code dir} (not its subagents' files), oldest name first. */
    public static List<Path> transcriptsIn(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.jsonl")) {
            for (Path p : s) {
                if (Files.isRegularFile(p)) {
                    out.add(p);
                }
            }
        }
        out.sort(null);
        return out;
    }

    /**
     * Imports one transcript.
     *
     * @throws IOException the transcript cannot be read at all, or the store cannot be written
     */
    public Result importFile(Path transcript) throws IOException {
        List<String> warnings = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        files.add(transcript);
        String stem = transcript.getFileName().toString().replaceFirst("\\.jsonl$", "");
        Path subagents = transcript.resolveSibling(stem).resolve("subagents");
        if (Files.isDirectory(subagents)) {
            files.addAll(transcriptsIn(subagents));
        }
        String fingerprint = fingerprint(files);
        List<TranscriptLines.Line> lines = new ArrayList<>();
        for (Path f : files) {
            try {
                TranscriptLines.read(f, lines::add, warnings);
            } catch (IOException e) {
                if (f == transcript) {
                    throw e;
                }
                warnings.add(f + ": cannot be read (" + e.getMessage() + "), its subagent left out");
            }
        }
        String agentSessionId = null;
        for (TranscriptLines.Line l : lines) {
            String s = text(l.json(), "sessionId");
            if (s != null) {
                agentSessionId = s;
                break;
            }
        }
        if (agentSessionId == null) {
            agentSessionId = stem;
        }
        String id = sessionIdFor(agentSessionId);
        SessionMeta previous = existing(id);
        if (previous != null && fingerprint.equals(previous.attribution.path("transcript_sha256").asText(null))) {
            return new Result(transcript, id, "unchanged", (int) previous.toolCalls, (int) previous.errors,
                    strings(previous.attribution.get("child_sessions")), warnings);
        }
        if (previous != null) {
            for (String child : strings(previous.attribution.get("child_sessions"))) {
                removeSession(child);
            }
            removeSession(id);
        }

        // the main line of the session, and each sidechain on its own
        List<TranscriptLines.Line> main = new ArrayList<>();
        Map<String, List<TranscriptLines.Line>> sidechains = new LinkedHashMap<>();
        Map<String, String> chainOf = new HashMap<>();
        for (TranscriptLines.Line l : lines) {
            ObjectNode j = l.json();
            boolean side = j.path("isSidechain").asBoolean(false) || !l.file().equals(transcript);
            if (!side) {
                main.add(l);
                continue;
            }
            String key = text(j, "agentId");
            if (key == null) {
                String parent = text(j, "parentUuid");
                key = parent != null && chainOf.containsKey(parent) ? chainOf.get(parent)
                        : text(j, "uuid") != null ? text(j, "uuid") : l.file() + ":" + l.number();
            }
            String uuid = text(j, "uuid");
            if (uuid != null) {
                chainOf.put(uuid, key);
            }
            sidechains.computeIfAbsent(key, k -> new ArrayList<>()).add(l);
        }

        Session top = new Session(id, agentSessionId, null, 0, warnings);
        top.build(main);
        List<String> children = new ArrayList<>();
        List<Session> childSessions = new ArrayList<>();
        for (Map.Entry<String, List<TranscriptLines.Line>> e : sidechains.entrySet()) {
            Session c = new Session(sha(id + "/" + e.getKey(), 16), agentSessionId, id, 1, warnings);
            c.agentId = e.getKey();
            c.build(e.getValue());
            c.parentEventId = top.spawnerOf(c);
            children.add(c.id);
            childSessions.add(c);
        }
        top.write(transcript, fingerprint, children);
        for (Session c : childSessions) {
            c.write(transcript, fingerprint, List.of());
        }
        return new Result(transcript, id, previous == null ? "imported" : "updated", top.toolCalls, top.errors, children, warnings);
    }

    /** The events of one session (the main line, or one sidechain) built from its transcript lines. */
    private final class Session {
        final String id;
        final String agentSessionId;
        final String parentId;
        final int depth;
        final List<String> warnings;
        String agentId;
        String parentEventId;
        final List<TraceEvent> events = new ArrayList<>();
        final Map<String, Call> calls = new HashMap<>();
        final List<Call> spawners = new ArrayList<>();
        final Set<String> countedMessages = new HashSet<>();
        String firstPrompt;
        String cwd;
        String gitBranch;
        String version;
        String model;
        String title;
        double first = Double.NaN;
        double last = Double.NaN;
        int toolCalls;
        int errors;
        int llmResponses;
        long inputTokens;
        long outputTokens;
        long cacheCreation;
        long cacheRead;
        int seq;

        Session(String id, String agentSessionId, String parentId, int depth, List<String> warnings) {
            this.id = id;
            this.agentSessionId = agentSessionId;
            this.parentId = parentId;
            this.depth = depth;
            this.warnings = warnings;
        }

        void build(List<TranscriptLines.Line> lines) {
            for (TranscriptLines.Line l : lines) {
                try {
                    line(l);
                } catch (RuntimeException e) {
                    warnings.add(l.file() + ":" + l.number() + ": not a transcript entry this import understands ("
                            + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "), skipped");
                }
            }
            if (!Double.isNaN(first)) {
                ObjectNode start = data();
                start.put("mode", MODE);
                start.put("source", "import");
                put(start, "model", model);
                put(start, "cwd", cwd);
                put(start, "agent_id", parentId == null ? null : agentId);
                events.add(0, new TraceEvent(EventTypes.SESSION_START, first, eventId("start"), id, null, null, start));
                ObjectNode end = data();
                end.put("duration_ms", (last - first) * 1000);
                end.put("reason", "end of the transcript");
                events.add(new TraceEvent(EventTypes.SESSION_END, last, eventId("end"), id, null, null, end));
            }
        }

        private void line(TranscriptLines.Line l) {
            ObjectNode j = l.json();
            String type = text(j, "type");
            if (type == null) {
                return;
            }
            if (type.equals("summary")) {
                title = text(j, "summary");
                return;
            }
            if (!type.equals("user") && !type.equals("assistant")) {
                return; // system notes, queue operations, file snapshots: nothing a trace shows
            }
            double ts = timestamp(j);
            if (Double.isNaN(ts)) {
                ts = Double.isNaN(last) ? fileTime(l.file()) : last;
            }
            if (Double.isNaN(first)) {
                first = ts;
            }
            last = Math.max(Double.isNaN(last) ? ts : last, ts);
            if (cwd == null) {
                cwd = text(j, "cwd");
            }
            if (gitBranch == null) {
                gitBranch = text(j, "gitBranch");
            }
            if (version == null) {
                version = text(j, "version");
            }
            String uuid = text(j, "uuid") != null ? text(j, "uuid") : l.file().getFileName() + ":" + l.number();
            JsonNode message = j.path("message");
            JsonNode content = message.path("content");
            if (type.equals("user")) {
                if (j.path("isMeta").asBoolean(false)) {
                    return;
                }
                user(uuid, ts, content, j.get("toolUseResult"));
            } else {
                assistant(uuid, ts, message, content);
            }
        }

        private void user(String uuid, double ts, JsonNode content, JsonNode toolUseResult) {
            if (content.isTextual()) {
                prompt(uuid, ts, content.asText());
                return;
            }
            if (!content.isArray()) {
                return;
            }
            int results = 0;
            for (JsonNode b : content) {
                if ("tool_result".equals(b.path("type").asText())) {
                    results++;
                }
            }
            StringBuilder text = new StringBuilder();
            int i = 0;
            for (JsonNode b : content) {
                String t = b.path("type").asText();
                if (t.equals("text")) {
                    if (text.length() > 0) {
                        text.append('\n');
                    }
                    text.append(b.path("text").asText(""));
                } else if (t.equals("tool_result")) {
                    result(uuid + "#" + i, ts, b, results == 1 ? toolUseResult : null);
                }
                i++;
            }
            if (text.length() > 0) {
                prompt(uuid, ts, text.toString());
            }
        }

        private void prompt(String uuid, double ts, String text) {
            if (firstPrompt == null) {
                firstPrompt = text;
            }
            ObjectNode d = data();
            d.put("prompt", clip(text, TEXT_CHARS));
            events.add(new TraceEvent(EventTypes.USER_PROMPT, ts, eventId(uuid + "/prompt"), id, null, null, d));
        }

        private void result(String key, double ts, JsonNode block, JsonNode toolUseResult) {
            String useId = text(block, "tool_use_id");
            Call call = useId == null ? null : calls.remove(useId);
            if (call == null) {
                // a result whose call is not in this transcript (cut by a compaction): its call is recorded first
                ObjectNode d = data();
                d.put("tool_name", "");
                d.set("arguments", data());
                put(d, "tool_use_id", useId);
                d.put("note", "the call is not in the transcript");
                String callId = eventId(key + "/call");
                events.add(new TraceEvent(EventTypes.TOOL_CALL, ts, callId, id, null, null, d));
                toolCalls++;
                call = new Call(callId, "", ts, null);
            }
            boolean isError = block.path("is_error").asBoolean(false);
            String text = resultText(block.get("content"));
            Double duration = Math.max(0, (ts - call.ts) * 1000);
            ObjectNode d = data();
            d.put("tool_name", call.toolName);
            put(d, "tool_use_id", useId);
            if (isError) {
                d.put("error", clip(text.isEmpty() ? "tool call failed" : text, RESULT_CHARS));
                events.add(new TraceEvent(EventTypes.ERROR, ts, eventId(key + "/error"), id, call.eventId, duration, d));
                errors++;
            } else {
                d.put("result", clip(text, RESULT_CHARS));
                if (toolUseResult != null && toolUseResult.isObject() && toolUseResult.toString().length() <= RESPONSE_BYTES) {
                    d.set("response", toolUseResult);
                }
                d.put("is_error", false);
                events.add(new TraceEvent(EventTypes.TOOL_RESULT, ts, eventId(key + "/result"), id, call.eventId, duration, d));
            }
            if (call.spawn != null && toolUseResult != null) {
                call.spawn.agentId = text(toolUseResult, "agentId");
            }
        }

        private void assistant(String uuid, double ts, JsonNode message, JsonNode content) {
            String m = text(message, "model");
            if (m != null && !m.startsWith("<")) {
                model = m;
            }
            String messageId = text(message, "id") != null ? text(message, "id") : uuid;
            JsonNode usage = message.get("usage");
            if (usage != null && usage.isObject() && countedMessages.add(messageId)) {
                // Claude Code writes one line per content block of an answer, each with the answer's usage: count it once
                ObjectNode d = data();
                put(d, "model", m);
                d.put("message_id", messageId);
                ObjectNode u = d.putObject("usage");
                for (String k : List.of("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")) {
                    long v = usage.path(k).asLong(0);
                    u.put(k, v);
                }
                put(d, "stop_reason", text(message, "stop_reason"));
                inputTokens += u.path("input_tokens").asLong();
                outputTokens += u.path("output_tokens").asLong();
                cacheCreation += u.path("cache_creation_input_tokens").asLong();
                cacheRead += u.path("cache_read_input_tokens").asLong();
                llmResponses++;
                events.add(new TraceEvent(EventTypes.LLM_RESPONSE, ts, eventId(messageId + "/usage"), id, null, null, d));
            }
            if (content.isTextual()) {
                response(uuid + "#0", ts, content.asText(), m);
                return;
            }
            if (!content.isArray()) {
                return;
            }
            int i = 0;
            for (JsonNode b : content) {
                String t = b.path("type").asText();
                if (t.equals("text") && !b.path("text").asText("").isBlank()) {
                    response(uuid + "#" + i, ts, b.path("text").asText(), m);
                } else if (t.equals("tool_use")) {
                    call(uuid + "#" + i, ts, b);
                }
                i++;
            }
        }

        private void response(String key, double ts, String text, String m) {
            ObjectNode d = data();
            d.put("text", clip(text, TEXT_CHARS));
            put(d, "model", m);
            events.add(new TraceEvent(EventTypes.ASSISTANT_RESPONSE, ts, eventId(key + "/text"), id, null, null, d));
        }

        private void call(String key, double ts, JsonNode block) {
            String name = text(block, "name") == null ? "" : text(block, "name");
            String useId = text(block, "id");
            ObjectNode d = data();
            d.put("tool_name", name);
            JsonNode input = block.get("input");
            d.set("arguments", input != null && input.isObject() ? clipStrings(input.deepCopy()) : data());
            put(d, "tool_use_id", useId);
            String eventId = eventId(key + "/call");
            events.add(new TraceEvent(EventTypes.TOOL_CALL, ts, eventId, id, null, null, d));
            toolCalls++;
            Call c = new Call(eventId, name, ts, name.equals("Agent") || name.equals("Task") ? new Spawn(eventId, ts,
                    input == null ? null : text(input, "prompt")) : null);
            if (c.spawn != null) {
                spawners.add(c);
            }
            if (useId != null) {
                calls.put(useId, c);
            }
        }

        /** The Agent/Task call that started a sidechain: by the agent id its result names, its prompt, else the last one before it. */
        String spawnerOf(Session child) {
            for (Call c : spawners) {
                if (child.agentId != null && child.agentId.equals(c.spawn.agentId)) {
                    return c.eventId;
                }
            }
            for (Call c : spawners) {
                if (c.spawn.prompt != null && c.spawn.prompt.equals(child.firstPrompt)) {
                    return c.eventId;
                }
            }
            String best = null;
            for (Call c : spawners) {
                if (Double.isNaN(child.first) || c.ts <= child.first) {
                    best = c.eventId;
                }
            }
            return best;
        }

        String eventId(String key) {
            return sha(id + "/" + key, 12);
        }

        void write(Path transcript, String fingerprint, List<String> children) {
            SessionMeta meta = new SessionMeta();
            meta.sessionId = id;
            meta.startedAt = Double.isNaN(first) ? fileTime(transcript) : first;
            meta.endedAt = Double.isNaN(last) ? meta.startedAt : last;
            meta.agentName = "claude-code";
            meta.command = parentId == null ? "claude-code (transcript)" : "claude-code subagent (transcript)";
            meta.toolCalls = toolCalls;
            meta.errors = errors;
            meta.llmRequests = llmResponses;
            meta.totalTokens = inputTokens + outputTokens;
            meta.totalDurationMs = (meta.endedAt - meta.startedAt) * 1000;
            meta.parentSessionId = parentId;
            meta.parentEventId = parentEventId;
            meta.depth = depth;
            ObjectNode a = TraceJson.mapper().createObjectNode();
            a.put("recorder", RECORDER);
            a.put("agent_session_id", agentSessionId);
            put(a, "agent_id", parentId == null ? null : agentId);
            a.put("transcript_path", transcript.toAbsolutePath().toString());
            a.put("transcript_sha256", fingerprint);
            put(a, "working_dir", cwd);
            put(a, "git_branch", gitBranch);
            put(a, "agent_version", version);
            put(a, "model", model);
            put(a, "title", title);
            ObjectNode tokens = a.putObject("tokens");
            tokens.put("input", inputTokens);
            tokens.put("output", outputTokens);
            tokens.put("cache_creation_input", cacheCreation);
            tokens.put("cache_read_input", cacheRead);
            if (!children.isEmpty()) {
                ArrayNode c = a.putArray("child_sessions");
                children.forEach(c::add);
            }
            meta.attribution = a;
            SessionWriter w = store.create(meta, options);
            List<TraceEvent> all = events;
            for (int from = 0; from < all.size(); from += 512) {
                List<TraceEvent> chunk = all.subList(from, Math.min(all.size(), from + 512));
                if (!w.submit(sink -> chunk.forEach(sink::append), 1)) {
                    warnings.add("session " + id + ": the store's writer queue was full; the import is incomplete, run it again");
                }
            }
            w.close(java.time.Duration.ofMinutes(2));
            if (w.incomplete()) {
                warnings.add("session " + id + ": not every event reached the disk (see the message above); run the import again");
            }
        }
    }

    private record Call(String eventId, String toolName, double ts, Spawn spawn) {
    }

    private static final class Spawn {
        final String eventId;
        final double ts;
        final String prompt;
        String agentId;

        Spawn(String eventId, double ts, String prompt) {
            this.eventId = eventId;
            this.ts = ts;
            this.prompt = prompt;
        }
    }

    // ------------------------------------------------------------------ helpers

    private SessionMeta existing(String id) {
        if (!Files.isRegularFile(store.sessionDir(id).resolve("meta.json"))) {
            return null;
        }
        try {
            SessionMeta m = store.meta(id);
            return m.attribution != null && RECORDER.equals(m.attribution.path("recorder").asText()) ? m : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private void removeSession(String id) throws IOException {
        Path dir = store.sessionDir(id);
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * SHA-256 over the transcript's bytes and its subagents' names and bytes: equal when nothing was
     * appended or changed, wherever the transcript was copied to.
     */
    private static String fingerprint(List<Path> files) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 16];
        for (Path f : files) {
            if (f != files.get(0)) {
                md.update((byte) 0);
                md.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            try (InputStream in = Files.newInputStream(f)) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    md.update(buf, 0, n);
                }
            } catch (IOException e) {
                if (f == files.get(0)) {
                    throw e;
                }
            }
        }
        return hex(md.digest(), 64);
    }

    private static double timestamp(JsonNode j) {
        String t = text(j, "timestamp");
        if (t != null) {
            try {
                Instant i = Instant.parse(t);
                return i.getEpochSecond() + (i.getNano() / 1000) / 1e6;
            } catch (DateTimeParseException e) {
                // fall through
            }
        }
        JsonNode n = j.get("timestamp");
        if (n != null && n.isNumber()) {
            double v = n.asDouble();
            return v > 1e11 ? v / 1000 : v;
        }
        return Double.NaN;
    }

    private static double fileTime(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis() / 1000.0;
        } catch (IOException e) {
            return System.currentTimeMillis() / 1000.0;
        }
    }

    /** A tool_result's content as a person reads it: text as is, text blocks joined, other blocks named. */
    static String resultText(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder b = new StringBuilder();
            for (JsonNode c : content) {
                if (b.length() > 0) {
                    b.append('\n');
                }
                if ("text".equals(c.path("type").asText())) {
                    b.append(c.path("text").asText(""));
                } else {
                    b.append('[').append(c.path("type").asText("block")).append(']');
                }
                if (b.length() > RESULT_CHARS * 2) {
                    break;
                }
            }
            return b.toString();
        }
        return content.toString();
    }

    private static JsonNode clipStrings(JsonNode n) {
        if (n instanceof ObjectNode o) {
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                JsonNode v = e.getValue();
                if (v.isTextual() && v.asText().length() > ARGUMENT_STRING_CHARS) {
                    e.setValue(TraceJson.mapper().getNodeFactory().textNode(clip(v.asText(), ARGUMENT_STRING_CHARS)));
                } else {
                    clipStrings(v);
                }
            }
        } else if (n instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                JsonNode v = a.get(i);
                if (v.isTextual() && v.asText().length() > ARGUMENT_STRING_CHARS) {
                    a.set(i, TraceJson.mapper().getNodeFactory().textNode(clip(v.asText(), ARGUMENT_STRING_CHARS)));
                } else {
                    clipStrings(v);
                }
            }
        }
        return n;
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "... (truncated)";
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n == null ? null : n.get(key);
        return v != null && v.isTextual() && !v.asText().isEmpty() ? v.asText() : null;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null && array.isArray()) {
            array.forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    private static void put(ObjectNode d, String key, String value) {
        if (value != null && !value.isEmpty()) {
            d.put(key, value);
        }
    }

    private static ObjectNode data() {
        return TraceJson.mapper().createObjectNode();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha(String s, int hexChars) {
        return hex(sha256().digest(s.getBytes(StandardCharsets.UTF_8)), hexChars);
    }

    private static String hex(byte[] bytes, int hexChars) {
        StringBuilder b = new StringBuilder(hexChars);
        for (byte x : bytes) {
            b.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
            if (b.length() >= hexChars) {
                break;
            }
        }
        return b.substring(0, hexChars);
    }
}
