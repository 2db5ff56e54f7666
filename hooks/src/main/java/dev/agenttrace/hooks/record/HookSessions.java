package dev.agenttrace.hooks.record;

import dev.agenttrace.hooks.event.HookCall;
import dev.agenttrace.store.Attribution;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.SessionWriter;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.TraceStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Every agent session agent-trace is hearing from, one trace session each. A session is opened by
 * its first event, whatever it is (agent-trace may start after the agent did, or restart in the
 * middle of a session: the same agent session id then continues the same trace). Subagents become
 * child sessions ({@code parent_session_id}, {@code parent_event_id} = the call that spawned them,
 * {@code depth}). Thread-safe.
 */
public final class HookSessions implements AutoCloseable {
    /** A UUID-like agent session id is used as agent-strace uses it: its first 16 characters. */
    private static final Pattern PLAIN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{15,}");

    private final TraceStore store;
    private final StoreOptions options;
    private final ConcurrentHashMap<String, HookSession> open = new ConcurrentHashMap<>();

    public HookSessions(TraceStore store, StoreOptions options) {
        this.store = store;
        this.options = options;
    }

    public StoreOptions options() {
        return options;
    }

    public TraceStore store() {
        return store;
    }

    /**
     * The session an event belongs to: its subagent's child session when it carries an
     * {@code agent_id}, else the top-level session, opened if this is its first event.
     *
     * @param isNew set to true when this call opened a top-level session (so the caller shows it to the watch)
     */
    public HookSession sessionFor(HookCall call, boolean[] isNew) {
        HookSession top = open.get(key(call));
        if (top == null) {
            synchronized (this) {
                top = open.get(key(call));
                if (top == null) {
                    top = openTop(call);
                    open.put(key(call), top);
                    if (isNew != null) {
                        isNew[0] = true;
                    }
                }
            }
        }
        top.touch();
        return top;
    }

    /** The child session of a subagent, opened if needed. */
    public HookSession childFor(HookSession parent, HookCall call, boolean[] isNew) {
        String id = call.agentId();
        synchronized (parent) {
            HookSession c = parent.child(id);
            if (c == null) {
                c = openChild(parent, call);
                parent.addChild(id, c);
                if (isNew != null) {
                    isNew[0] = true;
                }
            }
            c.touch();
            return c;
        }
    }

    /** Ends a subagent's session (SubagentStop). */
    public void endChild(HookSession parent, String agentId, String reason) {
        HookSession c = parent.removeChild(agentId);
        if (c != null) {
            c.end(reason);
        }
    }

    /** Ends a top-level session and its subagents (SessionEnd). */
    public void end(HookSession s, String reason) {
        for (HookSession c : s.childSessions()) {
            endChild(s, c.agentId(), "parent session ended");
        }
        open.values().remove(s);
        s.end(reason);
    }

    /** Ends sessions that sent nothing for {@code idleMillis} (an agent killed before SessionEnd); returns them. */
    public List<HookSession> endIdle(long idleMillis) {
        List<HookSession> ended = new ArrayList<>();
        long now = System.nanoTime();
        for (HookSession s : List.copyOf(open.values())) {
            if ((now - s.lastSeenNanos()) / 1_000_000 >= idleMillis) {
                end(s, "idle: no hook event for " + idleMillis / 1000 + " s");
                ended.add(s);
            }
        }
        return ended;
    }

    public int openCount() {
        return open.size();
    }

    /**
     * Writes out what was recorded without ending any session: a hook process judging in-process
     * handles one event of a session that goes on after it exits.
     */
    public void detach() {
        for (HookSession s : List.copyOf(open.values())) {
            for (HookSession c : s.childSessions()) {
                c.detach();
            }
            s.detach();
        }
        open.clear();
    }

    /** Every open session gets its session_end (serve is stopping). */
    @Override
    public void close() {
        for (HookSession s : List.copyOf(open.values())) {
            end(s, "agent-trace serve stopped");
        }
    }

    private static String key(HookCall call) {
        return call.agent().wireName() + "\u0000" + call.sessionId();
    }

    /** The store id for an agent's session id. */
    public static String storeId(String agent, String agentSessionId) {
        if (PLAIN_ID.matcher(agentSessionId).matches()) {
            return agentSessionId.substring(0, 16);
        }
        return sha16(agent + ":" + agentSessionId);
    }

    private HookSession openTop(HookCall call) {
        String id = storeId(call.agent().wireName(), call.sessionId());
        SessionMeta meta = existing(id);
        boolean resumed = meta != null;
        if (meta == null) {
            meta = new SessionMeta();
            meta.sessionId = id;
            meta.startedAt = HookSession.now();
            meta.agentName = call.agent().wireName();
            String source = call.text("source");
            meta.command = call.agent().wireName() + " (" + (source == null ? "hooks" : source) + ")";
            meta.attribution = Attribution.collect(cwdPath(call.cwd()));
            meta.attribution.put("recorder", "agent-trace hooks");
            meta.attribution.put("agent_session_id", call.sessionId());
            putText(meta, "transcript_path", call.text("transcript_path"));
            putText(meta, "working_dir", call.cwd());
        }
        if (resumed) {
            // the agent went on after an earlier serve ended this session when it stopped: running again
            meta.endedAt = null;
            meta.totalDurationMs = 0;
        }
        SessionWriter w = store.create(meta, options);
        String cwd = resumed && meta.attribution != null && meta.attribution.hasNonNull("working_dir")
                ? meta.attribution.get("working_dir").asText() : call.cwd();
        HookSession s = new HookSession(call.sessionId(), id, w, null, null, cwd, meta.startedAt);
        if (resumed) {
            s.restore(store.readEvents(id).events());
        } else {
            s.sessionStart(call.agent().wireName() + "-hooks", call);
        }
        return s;
    }

    private HookSession openChild(HookSession parent, HookCall call) {
        String id = sha16(parent.sessionId() + "/" + call.agentId());
        SessionMeta meta = existing(id);
        boolean resumed = meta != null;
        if (meta == null) {
            meta = new SessionMeta();
            meta.sessionId = id;
            meta.startedAt = HookSession.now();
            meta.agentName = call.agent().wireName();
            String type = call.text("agent_type");
            meta.command = call.agent().wireName() + " subagent" + (type == null ? "" : " (" + type + ")");
            meta.parentSessionId = parent.sessionId();
            meta.parentEventId = parent.spawningCall();
            meta.depth = depth(parent) + 1;
            meta.attribution = Attribution.collect(cwdPath(call.cwd() != null ? call.cwd() : parent.cwd()));
            meta.attribution.put("recorder", "agent-trace hooks");
            meta.attribution.put("agent_session_id", call.sessionId());
            meta.attribution.put("agent_id", call.agentId());
            putText(meta, "agent_type", type);
            putText(meta, "transcript_path", call.text("agent_transcript_path"));
        }
        if (resumed) {
            meta.endedAt = null;
            meta.totalDurationMs = 0;
        }
        SessionWriter w = store.create(meta, options);
        HookSession s = new HookSession(call.sessionId(), id, w, parent, call.agentId(), call.cwd() != null ? call.cwd() : parent.cwd(),
                meta.startedAt);
        if (resumed) {
            s.restore(store.readEvents(id).events());
        } else {
            s.sessionStart(call.agent().wireName() + "-hooks", call);
        }
        return s;
    }

    private static int depth(HookSession s) {
        int d = 0;
        for (HookSession p = s.parent(); p != null; p = p.parent()) {
            d++;
        }
        return d;
    }

    /** The meta of a session already in the store (agent-trace restarted mid-session), or null. */
    private SessionMeta existing(String id) {
        Path dir = store.sessionDir(id);
        if (!Files.isRegularFile(dir.resolve("meta.json"))) {
            return null;
        }
        try {
            SessionMeta m = store.meta(id);
            m.endedAt = null;
            return m;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Path cwdPath(String cwd) {
        if (cwd != null && !cwd.isBlank()) {
            try {
                Path p = Path.of(cwd);
                if (p.isAbsolute() && Files.isDirectory(p)) {
                    return p;
                }
            } catch (RuntimeException e) {
                // a cwd that is no path: attribution of this process's directory instead
            }
        }
        return Path.of("").toAbsolutePath();
    }

    private static void putText(SessionMeta m, String key, String v) {
        if (v != null && !v.isBlank()) {
            m.attribution.put(key, v);
        }
    }

    private static String sha16(String s) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            StringBuilder b = new StringBuilder(16);
            for (int i = 0; i < 8; i++) {
                b.append(Character.forDigit((h[i] >> 4) & 0xf, 16)).append(Character.forDigit(h[i] & 0xf, 16));
            }
            return b.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
