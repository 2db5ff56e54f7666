package dev.agenttrace.store.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceJson;
import dev.agenttrace.store.TraceStore;
import dev.agenttrace.store.cost.PriceTable;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A digest of every session, kept in {@code <trace-dir>/.agent-trace-index.ndjson} beside the
 * sessions so that listing and searching 10,000 sessions does not mean parsing a million events.
 * The NDJSON files stay the source of truth: before every answer each entry is checked against
 * the size and modification time of its {@code meta.json} and {@code events.ndjson}; a session
 * whose events grew is read from where the index stopped, one whose file shrank or was replaced
 * is read again, a new one is read whole, a removed one is dropped. A missing, corrupt or
 * old-version index file is rebuilt; a read-only store (no owner write bit, or unwritable) keeps
 * the index in memory only.
 *
 * <p>Python agent-strace ignores the file (it lists directories). Thread-safe.
 */
public final class StoreIndex {
    /** Beside the session directories; the leading dot keeps it out of every listing. */
    public static final String FILE = ".agent-trace-index.ndjson";
    private static final int VERSION = 1;
    private static final String META = "meta.json";
    private static final String EVENTS = "events.ndjson";

    private final TraceStore store;
    private final PriceTable prices;
    private final Path file;
    private final Map<String, SessionEntry> entries = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    private List<SessionEntry> newestFirst = List.of();
    private boolean loaded;
    private boolean sorted;
    private boolean dirty;

    public StoreIndex(TraceStore store) {
        this(store, PriceTable.standard());
    }

    public StoreIndex(TraceStore store, PriceTable prices) {
        this.store = store;
        this.prices = prices;
        this.file = store.dir().resolve(FILE);
    }

    public TraceStore store() {
        return store;
    }

    public PriceTable prices() {
        return prices;
    }

    /**
     * Every session with a readable meta.json, newest {@code started_at} first, brought up to date.
     * The files are checked (two stats a session) and changed sessions read on both cores.
     */
    public synchronized List<SessionEntry> refresh() {
        if (!loaded) {
            load();
            loaded = true;
        }
        problems.clear();
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(store.dir())) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(store.dir())) {
                for (Path p : ds) {
                    String name = p.getFileName().toString();
                    if (!name.startsWith(".")) {
                        names.add(name);
                    }
                }
            } catch (IOException e) {
                problems.add(store.dir() + ": cannot list (" + e.getMessage() + ")");
            }
        }
        Path dir = store.dir();
        List<Stat> stats = names.parallelStream()
                .map(n -> new Stat(n, attrs(dir.resolve(n).resolve(META)), attrs(dir.resolve(n).resolve(EVENTS))))
                .filter(st -> st.meta != null || st.events != null) // a session, or a damaged one (listed as such)
                .toList();
        Set<String> seen = new HashSet<>();
        List<Runnable> work = new ArrayList<>();
        for (Stat st : stats) {
            seen.add(st.name);
            SessionEntry e = entries.computeIfAbsent(st.name, n -> new SessionEntry(n, prices));
            Runnable r = update(e, st.meta, st.events);
            if (r != null) {
                work.add(r);
            }
        }
        work.parallelStream().forEach(Runnable::run);
        boolean changed = !work.isEmpty();
        if (entries.keySet().retainAll(seen)) {
            changed = true;
        }
        if (changed || newestFirst.size() != entries.size() || !sorted) {
            List<SessionEntry> all = new ArrayList<>();
            for (SessionEntry e : entries.values()) {
                if (e.meta != null) {
                    all.add(e);
                }
            }
            all.sort(Comparator.comparingDouble(SessionEntry::startedAt).thenComparing(e -> e.id).reversed());
            newestFirst = List.copyOf(all);
            sorted = true;
            dirty |= changed;
        }
        if (dirty) {
            save();
        }
        return newestFirst;
    }

    private record Stat(String name, BasicFileAttributes meta, BasicFileAttributes events) {
    }

    /** What the last refresh could not read. */
    public synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    /**
     * A store directory without its owner's write bit is read-only by intent (fixtures, a copy
     * from another machine), even to root, whom the kernel lets write anyway: the index stays in memory.
     */
    static boolean readOnly(Path dir) {
        try {
            return !Files.getPosixFilePermissions(dir).contains(PosixFilePermission.OWNER_WRITE) || !Files.isWritable(dir);
        } catch (UnsupportedOperationException | IOException e) {
            return !Files.isWritable(dir);
        }
    }

    private static BasicFileAttributes attrs(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class);
        } catch (IOException e) {
            return null;
        }
    }

    /** The work that brings one entry up to date (run in parallel with others), or null if it is fresh. */
    private Runnable update(SessionEntry e, BasicFileAttributes meta, BasicFileAttributes events) {
        long mSize = meta == null ? -2 : meta.size();
        long mTime = meta == null ? -2 : meta.lastModifiedTime().toMillis();
        boolean metaStale = e.meta == null || e.metaSize != mSize || e.metaMtime != mTime;
        long eSize = events == null ? 0 : events.size();
        long eTime = events == null ? 0 : events.lastModifiedTime().toMillis();
        boolean eventsStale = eSize != e.eventsSize || eTime != e.eventsMtime;
        if (!metaStale && !eventsStale) {
            return null;
        }
        String id = e.id;
        return () -> {
            if (metaStale) {
                try {
                    SessionMeta m = store.resolve(id); // a stand-in with its damage when meta.json cannot be read
                    m.sessionId = id;
                    if (m.damage != null) {
                        synchronized (problems) {
                            problems.add(store.dir().resolve(id) + ": " + m.damage + "; listed from its events");
                        }
                    }
                    e.meta = m;
                } catch (RuntimeException ex) {
                    synchronized (problems) {
                        problems.add(store.dir().resolve(id).resolve(META) + ": unreadable (" + ex.getMessage() + "); skipped");
                    }
                    e.meta = null;
                }
                e.metaSize = mSize;
                e.metaMtime = mTime;
            }
            if (eventsStale) {
                if (eSize < e.offset || eSize == e.eventsSize) {
                    e.resetEvents(prices); // shrunk or rewritten in place: read it again
                }
                if (events != null) {
                    TraceStore.EventScan scan = store.scanEvents(id, e.offset, e.nextLine, false, TraceStore.RawLineFilter.ALL,
                            (ev, line, end) -> {
                                e.add(ev);
                                return false;
                            });
                    e.offset = scan.endOffset();
                    e.nextLine = scan.nextLine();
                }
                e.eventsSize = eSize;
                e.eventsMtime = eTime;
            }
        };
    }

    // ---------------------------------------------------------------- the file

    private void load() {
        if (!Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return; // a FIFO or a link planted in its place: rebuilt from the sessions
        }
        ObjectMapper m = TraceJson.mapper();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(dev.agenttrace.store.StoreFiles.open(store.dir(), file), StandardCharsets.UTF_8))) {
            String header = r.readLine();
            if (header == null || m.readTree(header).path("version").asInt() != VERSION) {
                return; // another version: rebuilt from the sessions
            }
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode o = m.readTree(line);
                SessionMeta meta = o.hasNonNull("meta") ? TraceJson.parseMeta(o.get("meta").toString()) : null;
                if (meta != null) {
                    meta.sessionId = o.path("id").asText();
                }
                SessionEntry e = SessionEntry.fromJson(o, meta, prices);
                entries.put(e.id, e);
            }
        } catch (IOException | RuntimeException e) {
            entries.clear(); // a corrupt index is only a slower first answer
        }
    }

    private void save() {
        if (!Files.isDirectory(store.dir()) || readOnly(store.dir())) {
            dirty = false;
            return;
        }
        Path tmp = file.resolveSibling(FILE + "." + ProcessHandle.current().pid() + ".tmp");
        ObjectMapper m = TraceJson.mapper();
        try {
            try (BufferedWriter w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(tmp), StandardCharsets.UTF_8), 1 << 16)) {
                w.write("{\"version\":" + VERSION + ",\"what\":\"agent-trace search index; the session files are the truth, delete this at will\"}\n");
                for (SessionEntry e : entries.values()) {
                    ObjectNode o = e.toJson();
                    if (e.meta != null) {
                        o.set("meta", m.readTree(TraceJson.metaJson(e.meta)));
                    }
                    w.write(m.writeValueAsString(o));
                    w.write('\n');
                }
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            dirty = false;
        } catch (IOException e) {
            // read-only store: the index lives in memory for this process only
            dirty = false;
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException | RuntimeException ignored) {
                // nothing more to do
            }
        }
    }
}
