package dev.agenttrace.report.live;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.report.html.SafeJson;
import dev.agenttrace.store.EventTail;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.analysis.EventFacts;
import dev.agenttrace.store.TraceStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * What {@code serve}'s live view shows: the sessions of every store it knows that are running now
 * (written by any recorder on this machine: {@code record}, {@code record-http}, {@code serve}'s own
 * hooks), and the few that ended last, with their counters and breaker state. {@link #scan} looks
 * at the stores again and says which entries changed, as server-sent-event frames for {@code live.js}:
 *
 * <pre>
 * data: {"op":"session","id":"31779b0c...","store":0,"state":"running","agent":"claude-code",...}
 *
 * data: {"op":"gone","id":"31779b0c..."}
 * </pre>
 *
 * A scan re-reads a session's {@code meta.json} only when its size or time changed (recorders
 * rewrite it at most every 250 ms), so a store of thousands of sessions costs a directory listing
 * and two {@code stat}s per session. One poller calls {@link #scan}; {@link #current} may be called
 * from any thread.
 */
public final class LiveBoard {
    /** A session without an end that was written to this recently is taken to be running (as retention does). */
    public static final long QUIET_SECONDS = 15 * 60;
    /** Ended sessions shown beside the running ones, newest first. */
    public static final int RECENT_ENDED = 12;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private final List<TraceStore> stores;
    private final Map<String, Seen> seen = new HashMap<>();
    /** Replaced whole by each scan, never changed after: a page render on another thread reads it as it is. */
    private volatile Map<String, String> shown = new LinkedHashMap<>();

    private static final class Seen {
        long metaStamp;
        long eventsSize;
        long lastWrite;
        SessionMeta meta;
        /** Follows the events of a session without an end: its counters as the events say, read incrementally. */
        EventTail tail;
        long calls;
        long llm;
        long errors;
    }

    public LiveBoard(List<TraceStore> stores) {
        this.stores = List.copyOf(stores);
    }

    public List<TraceStore> stores() {
        return stores;
    }

    /** The store holding session {@code id} (an exact id, never a prefix), or null. */
    public TraceStore storeOf(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            return null;
        }
        for (TraceStore s : stores) {
            Path dir = s.dir().resolve(id);
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                    && (Files.exists(dir.resolve("meta.json"), LinkOption.NOFOLLOW_LINKS) || Files.exists(dir.resolve("events.ndjson"), LinkOption.NOFOLLOW_LINKS))) {
                return s;
            }
        }
        return null;
    }

    /**
     * Looks at the stores; hands {@code frames} one {@code data:} message per session that appeared
     * or changed and per session no longer shown. Returns every entry shown now, in order.
     */
    public List<String> scan(Consumer<String> frames) {
        long now = System.currentTimeMillis();
        List<Entry> entries = new ArrayList<>();
        Set<String> present = new HashSet<>();
        for (int i = 0; i < stores.size(); i++) {
            Path dir = stores.get(i).dir();
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    String id = p.getFileName().toString();
                    if (id.startsWith(".") || !ID.matcher(id).matches() || !present.add(id)) {
                        continue;
                    }
                    Entry e = look(stores.get(i), i, p, id, now);
                    if (e != null) {
                        entries.add(e);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // a store that cannot be listed now may be listable at the next scan
            }
        }
        seen.keySet().retainAll(present);
        entries.sort(Comparator.comparing((Entry e) -> !e.running).thenComparing(e -> -e.started));
        Map<String, String> next = new LinkedHashMap<>();
        int ended = 0;
        for (Entry e : entries) {
            if (!e.running && ended++ >= RECENT_ENDED) {
                continue;
            }
            next.put(e.id, e.json);
        }
        for (Map.Entry<String, String> e : next.entrySet()) {
            if (!e.getValue().equals(shown.get(e.getKey()))) {
                frames.accept("data: " + e.getValue() + "\n\n");
            }
        }
        for (String id : shown.keySet()) {
            if (!next.containsKey(id)) {
                frames.accept("data: {\"op\":\"gone\",\"id\":\"" + id + "\"}\n\n");
            }
        }
        shown = next;
        return new ArrayList<>(next.values());
    }

    /** The entries shown after the last scan, as {@code session} frames (for a page that just connected). */
    public List<String> current() {
        List<String> out = new ArrayList<>();
        shown.values().forEach(j -> out.add("data: " + j + "\n\n"));
        return out;
    }

    private record Entry(String id, boolean running, double started, String json) {
    }

    private Entry look(TraceStore store, int index, Path dir, String id, long now) throws IOException {
        BasicFileAttributes d = attributes(dir);
        if (d == null || !d.isDirectory()) {
            return null;
        }
        BasicFileAttributes meta = attributes(dir.resolve("meta.json"));
        BasicFileAttributes events = attributes(dir.resolve("events.ndjson"));
        if (meta == null && events == null) {
            return null;
        }
        long metaStamp = meta == null ? -1 : meta.lastModifiedTime().toMillis() * 31 + meta.size();
        long eventsSize = events == null ? -1 : events.size();
        Seen s = seen.get(id);
        if (s == null || s.metaStamp != metaStamp || s.eventsSize != eventsSize) {
            if (s == null) {
                s = new Seen();
                seen.put(id, s);
            }
            s.metaStamp = metaStamp;
            s.eventsSize = eventsSize;
            s.lastWrite = Math.max(meta == null ? 0 : meta.lastModifiedTime().toMillis(), events == null ? 0 : events.lastModifiedTime().toMillis());
            if (s.meta == null || meta != null) {
                SessionMeta m;
                try {
                    m = store.meta(id);
                } catch (IOException | RuntimeException e) {
                    m = new SessionMeta();
                    m.sessionId = id;
                    m.damage = "its meta.json cannot be read";
                    store.countFromEvents(m);
                }
                m.sessionId = id;
                s.meta = m;
            }
            if (s.meta.endedAt == null && events != null) {
                countNewEvents(store, id, s);
            }
        }
        SessionMeta m = s.meta;
        if (m.endedAt == null) {
            // a recorder rewrites its meta at most every 250 ms, and a writer that keeps no counters not at all:
            // the events are the truth, as for list
            m.toolCalls = Math.max(m.toolCalls, s.calls);
            m.llmRequests = Math.max(m.llmRequests, s.llm);
            m.errors = Math.max(m.errors, s.errors);
        }
        if (m.isProbe()) {
            return null;
        }
        String why = running(m, s.lastWrite, now);
        boolean running = why != null;
        String state = !running ? (m.endedAt == null ? "stale" : "ended")
                : Files.exists(dir.resolve(".watch-paused"), LinkOption.NOFOLLOW_LINKS) ? "paused"
                : Files.exists(dir.resolve(".watch-blocked"), LinkOption.NOFOLLOW_LINKS) ? "blocked" : "running";
        double started = m.startedAt != null ? m.startedAt : s.lastWrite / 1000.0;
        return new Entry(id, running, started, json(m, index, store, state, why, s.lastWrite));
    }

    /** Counts the events appended since the last scan (a file that shrank is counted again from its start). */
    private static void countNewEvents(TraceStore store, String id, Seen s) {
        if (s.tail == null) {
            s.tail = store.tail(id);
        }
        long before = s.tail.offset();
        long[] n = new long[3];
        s.tail.poll(e -> {
            String t = e.eventType();
            if (EventTypes.TOOL_CALL.equals(t)) {
                n[0]++;
            } else if (EventTypes.LLM_REQUEST.equals(t)) {
                n[1]++;
            }
            if (EventFacts.isError(e)) {
                n[2]++;
            }
        });
        if (s.tail.offset() < before) { // read again from the start
            s.calls = 0;
            s.llm = 0;
            s.errors = 0;
        }
        s.calls += n[0];
        s.llm += n[1];
        s.errors += n[2];
    }

    /** Why the session is taken to be running, or null. */
    private static String running(SessionMeta m, long lastWrite, long now) {
        if (m.endedAt != null) {
            return null;
        }
        JsonNode a = m.attribution;
        JsonNode pid = a == null ? null : a.get("proxy_pid");
        if (pid != null && pid.canConvertToLong() && pid.asLong() > 0) {
            boolean alive = ProcessHandle.of(pid.asLong()).map(ProcessHandle::isAlive).orElse(false);
            if (alive) {
                return "its recorder, pid " + pid.asLong() + ", is running";
            }
        }
        if (now - lastWrite < QUIET_SECONDS * 1000) {
            return "written to " + Math.max(0, (now - lastWrite) / 1000) + " s ago";
        }
        return null;
    }

    private static String json(SessionMeta m, int store, TraceStore s, String state, String why, long lastWrite) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = SafeJson.generator(out)) {
            g.writeStartObject();
            g.writeStringField("op", "session");
            g.writeStringField("id", m.sessionId);
            g.writeNumberField("store", store);
            g.writeStringField("store_dir", s.dir().toString());
            g.writeStringField("state", state);
            if (why != null) {
                g.writeStringField("why", why);
            }
            g.writeStringField("agent", clip(m.agentName != null ? m.agentName : m.command != null ? m.command : "", 60));
            g.writeStringField("command", clip(m.command == null ? "" : m.command, 200));
            if (m.startedAt != null) {
                g.writeNumberField("started_at", m.startedAt);
            }
            if (m.endedAt != null) {
                g.writeNumberField("ended_at", m.endedAt);
            }
            g.writeNumberField("last_write", lastWrite / 1000.0);
            g.writeNumberField("tool_calls", m.toolCalls);
            g.writeNumberField("errors", m.errors);
            g.writeNumberField("tokens", m.totalTokens);
            if (m.parentSessionId != null) {
                g.writeStringField("parent", m.parentSessionId);
            }
            if (m.damage != null) {
                g.writeStringField("damaged", m.damage);
            }
            JsonNode pid = m.attribution == null ? null : m.attribution.get("agent_pid");
            g.writeBooleanField("agent_pid", pid != null && pid.canConvertToLong() && pid.asLong() > 0);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String clip(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    private static BasicFileAttributes attributes(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null;
        }
    }
}
