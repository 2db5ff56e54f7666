package dev.agenttrace.rules.watch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceStore;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code agent-trace watch}: follows sessions another process is writing (an {@code agent-trace
 * record} proxy, agent-strace's hooks) and runs the same {@link SessionWatch} on them. A
 * {@link WatchService} (inotify on Linux) wakes it as soon as a file changes, and it polls every
 * {@code pollMillis} anyway (file systems without notifications, a missed event), so an append is
 * seen within milliseconds. agent-strace slept 0.5 s between reads, dropped a line caught
 * half-written and skipped the events written before it started.
 *
 * <p>Events already in a session when the watch starts are replayed first, so counters and
 * rules start from the truth; what they trip is reported as having happened before the watch
 * (no actions: the moment to pause or kill has passed), and the clock trips nothing (hung, duration)
 * in a session until it writes again, so a session whose recorder died long ago is not acted on. A
 * line still being written waits for its
 * newline; a corrupt line is reported and skipped. With {@link Mode#ALL} new sessions are picked
 * up as they appear (sessions that had already ended, by their meta's {@code ended_at}, are not
 * followed). Single-threaded: {@link #run} returns when every followed session has ended
 * (not in ALL mode), when {@link #stop} is called, or after {@code maxIdleSeconds} without events.
 */
public final class LiveWatch {
    /** Which sessions to follow. */
    public enum Mode { SESSIONS, ALL }

    /** What the watch reports, on its own thread. */
    public interface Listener {
        /** A session is being followed; {@code existing} if it was there before the watch started. */
        void started(SessionMeta session, boolean existing);

        /** A rule tripped; {@code live} false for what the replay of earlier events tripped. */
        void alert(Alert alert, boolean live);

        /** The counters of every followed session, after a change (and at least once a second). */
        void status(List<SessionCounters> sessions);

        /** The counters when the watch ends (stopped, idle, or every session ended): shown whatever was shown last. */
        default void finalStatus(List<SessionCounters> sessions) {
            status(sessions);
        }

        /** A session wrote its {@code session_end}. */
        void ended(SessionCounters session);

        /** A skipped line, an unreadable file. */
        void warning(String message);
    }

    /**
     * @param sessions       ids, prefixes or {@code latest} (SESSIONS mode)
     * @param agentPid       overrides the agent pid of every session (0: from each meta)
     * @param pollMillis     the longest wait between two reads when no notification comes
     * @param maxIdleSeconds stop after this long without any event (0: never)
     */
    public record Options(Mode mode, List<String> sessions, long agentPid, long pollMillis, double maxIdleSeconds) {
        public Options {
            sessions = List.copyOf(sessions);
        }
    }

    private final class Followed {
        final SessionMeta meta;
        final dev.agenttrace.store.EventTail tail;
        final SessionWatch watch;
        final SessionTarget target;
        boolean replaying;
        /** An event arrived while watching: only then may the clock trip rules (hung, duration). */
        boolean sawLive;
        boolean endReported;
        long endedAt;
        WatchKey key;

        Followed(SessionMeta meta, boolean existing) {
            this.meta = meta;
            this.tail = store.tail(meta.sessionId);
            this.watch = new SessionWatch(config, SessionContext.of(meta));
            Path dir = store.sessionDir(meta.sessionId);
            long pid = options.agentPid() > 0 ? options.agentPid() : agentPid(meta);
            this.target = new SessionTarget(watch, dir, pid, new EventAppender(dir.resolve("events.ndjson"), listener::warning), false);
            this.replaying = existing;
        }
    }

    private static final int SHOW_ENDED_SECONDS = 10;

    private final TraceStore store;
    private final WatchConfig config;
    private final AlertActions actions;
    private final Listener listener;
    private final Options options;
    private final Map<String, Followed> followed = new LinkedHashMap<>();
    /** Session directories seen before their meta.json: watched so the meta's arrival wakes us. */
    private final java.util.Set<Path> pending = new java.util.HashSet<>();
    /** Sessions that had ended before the watch started (ALL mode): never followed. */
    private final java.util.Set<String> finished = new java.util.HashSet<>();
    private volatile boolean stopped;

    public LiveWatch(TraceStore store, WatchConfig config, AlertActions actions, Listener listener, Options options) {
        this.store = store;
        this.config = config;
        this.actions = actions;
        this.listener = listener;
        this.options = options;
    }

    /** Makes {@link #run} return after its current round. */
    public void stop() {
        stopped = true;
    }

    /**
     * Follows the sessions until done.
     *
     * @throws dev.agenttrace.store.SessionNotFoundException a session asked for does not exist
     */
    public void run() throws IOException, InterruptedException {
        try (WatchService ws = store.dir().getFileSystem().newWatchService()) {
            if (options.mode() == Mode.ALL) {
                for (SessionMeta m : store.listSessions()) {
                    if (m.endedAt == null) {
                        follow(m, true, ws);
                    } else {
                        finished.add(m.sessionId); // a finished session has nothing left to watch
                    }
                }
            } else {
                for (String q : options.sessions()) {
                    SessionMeta m = store.resolve(q);
                    if (!followed.containsKey(m.sessionId)) {
                        follow(m, true, ws);
                    }
                }
            }
            boolean storeRegistered = registerStore(ws);
            boolean storeChanged = false;
            long lastScan = System.nanoTime();
            long lastStatus = 0;
            long lastActivity = System.nanoTime();
            try {
                watchUntilDone(ws, storeRegistered, storeChanged, lastScan, lastStatus, lastActivity);
            } finally {
                // what was appended since the last look, then the last counters (a stop must not lose a session's end state)
                for (Followed f : new ArrayList<>(followed.values())) {
                    if (!f.endReported) {
                        try {
                            pump(f);
                        } catch (RuntimeException e) {
                            // its files went away: its counters stay as they were
                        }
                    }
                }
                listener.finalStatus(counters(System.currentTimeMillis() / 1000.0));
            }
        }
    }

    private void watchUntilDone(WatchService ws, boolean storeRegistered, boolean storeChanged, long lastScan, long lastStatus,
                                long lastActivity) throws IOException, InterruptedException {
        {
            while (!stopped) {
                boolean changed = false;
                for (Followed f : new ArrayList<>(followed.values())) {
                    if (!f.endReported) {
                        changed |= pump(f);
                    }
                }
                double now = System.currentTimeMillis() / 1000.0;
                for (Followed f : followed.values()) {
                    if (f.sawLive && !f.watch.ended()) {
                        for (Alert a : f.watch.tick(now)) {
                            actions.dispatch(a, f.target);
                            listener.alert(a, true);
                            changed = true;
                        }
                    }
                }
                if (options.mode() == Mode.ALL) {
                    if (!storeRegistered) {
                        storeRegistered = registerStore(ws);
                        storeChanged |= storeRegistered;
                    }
                    if (storeChanged || System.nanoTime() - lastScan > TimeUnit.SECONDS.toNanos(1)) {
                        changed |= discover(ws);
                        storeChanged = false;
                        lastScan = System.nanoTime();
                    }
                }
                if (changed) {
                    lastActivity = System.nanoTime();
                }
                if (changed || System.nanoTime() - lastStatus > TimeUnit.SECONDS.toNanos(1)) {
                    listener.status(counters(now));
                    lastStatus = System.nanoTime();
                }
                if (options.mode() == Mode.SESSIONS && followed.values().stream().allMatch(f -> f.watch.ended())) {
                    return;
                }
                if (options.maxIdleSeconds() > 0 && System.nanoTime() - lastActivity > (long) (options.maxIdleSeconds() * 1e9)) {
                    return;
                }
                WatchKey key;
                try {
                    key = ws.poll(options.pollMillis(), TimeUnit.MILLISECONDS);
                    while (key != null) {
                        if (store.dir().equals(key.watchable()) || pending.contains(key.watchable())) {
                            storeChanged = true;
                        }
                        key.pollEvents();
                        key.reset();
                        key = ws.poll();
                    }
                } catch (ClosedWatchServiceException e) {
                    return;
                }
            }
        }
    }

    private boolean registerStore(WatchService ws) {
        if (!Files.isDirectory(store.dir())) {
            return false;
        }
        try {
            store.dir().register(ws, StandardWatchEventKinds.ENTRY_CREATE);
            return true;
        } catch (IOException e) {
            listener.warning("cannot watch " + store.dir() + " for new sessions (" + e.getMessage() + "); looking once a second");
            return true;
        }
    }

    private void follow(SessionMeta m, boolean existing, WatchService ws) {
        Followed f = new Followed(m, existing);
        followed.put(m.sessionId, f);
        try {
            f.key = store.sessionDir(m.sessionId).register(ws, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_CREATE);
        } catch (IOException e) {
            listener.warning("cannot watch " + store.sessionDir(m.sessionId) + " (" + e.getMessage() + "); polling it");
        }
        listener.started(m, existing);
        pump(f);
    }

    /** New session directories with a meta.json: followed from their first event. */
    private boolean discover(WatchService ws) {
        boolean found = false;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(store.dir())) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") || followed.containsKey(name) || finished.contains(name) || !Files.isDirectory(p)) {
                    continue;
                }
                if (!Files.isRegularFile(p.resolve("meta.json"))) {
                    if (pending.add(p)) {
                        try {
                            p.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
                        } catch (IOException e) {
                            // found by the once-a-second scan instead
                        }
                    }
                    continue;
                }
                SessionMeta m;
                try {
                    m = store.meta(name);
                } catch (IOException | RuntimeException e) {
                    continue; // being written: next round
                }
                pending.remove(p);
                follow(m, false, ws);
                found = true;
            }
        } catch (IOException e) {
            listener.warning("cannot list " + store.dir() + " (" + e.getMessage() + ")");
        }
        return found;
    }

    /** Reads what the session appended and feeds it to its watch; true if anything came. */
    private boolean pump(Followed f) {
        boolean[] any = {false};
        List<String> warnings = f.tail.poll(e -> {
            any[0] = true;
            for (Alert a : f.watch.observe(e)) {
                if (!f.replaying) {
                    actions.dispatch(a, f.target);
                }
                listener.alert(a, !f.replaying);
            }
        });
        if (any[0] && !f.replaying) {
            f.sawLive = true;
        }
        f.replaying = false;
        for (String w : warnings) {
            listener.warning(w);
        }
        if (f.watch.ended() && !f.endReported) {
            f.endReported = true;
            f.endedAt = System.nanoTime();
            if (f.key != null) {
                f.key.cancel(); // inotify watches are a limited resource on a long --all watch
            }
            listener.ended(f.watch.counters(System.currentTimeMillis() / 1000.0));
        }
        return any[0];
    }

    /** Live sessions, and ended ones for {@value #SHOW_ENDED_SECONDS} s after their end. */
    private List<SessionCounters> counters(double now) {
        List<SessionCounters> out = new ArrayList<>(followed.size());
        long cutoff = System.nanoTime() - TimeUnit.SECONDS.toNanos(SHOW_ENDED_SECONDS);
        for (Followed f : followed.values()) {
            if (!f.endReported || f.endedAt > cutoff || options.mode() == Mode.SESSIONS) {
                out.add(f.watch.counters(now));
            }
        }
        return out;
    }

    /** The sessions followed so far, in the order they were found. */
    public List<SessionWatch> watches() {
        List<SessionWatch> out = new ArrayList<>();
        for (Followed f : followed.values()) {
            out.add(f.watch);
        }
        return out;
    }

    static long agentPid(SessionMeta m) {
        if (m.attribution == null) {
            return 0;
        }
        JsonNode p = m.attribution.get("agent_pid");
        return p != null && p.canConvertToLong() ? p.asLong() : 0;
    }
}
