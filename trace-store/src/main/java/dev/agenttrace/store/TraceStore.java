package dev.agenttrace.store;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.redact.Redactor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * A {@code .agent-traces/} directory, laid out exactly as the Python agent-strace lays it out, so
 * either tool reads what the other wrote:
 * <pre>
 *   &lt;dir&gt;/&lt;session_id&gt;/meta.json        pretty JSON, replaced atomically
 *   &lt;dir&gt;/&lt;session_id&gt;/events.ndjson    one compact event per line, append-only
 *   &lt;dir&gt;/&lt;session_id&gt;/messages.ndjson  this product's wire log (Python ignores it)
 * </pre>
 *
 * <p>Where agent-strace guesses, this decides: "latest" is the greatest {@code started_at} (not
 * the greatest directory name), a prefix that matches two sessions is an error listing both,
 * and a broken file costs one reported line, never the session or the listing. Session ids may
 * contain {@code -} (hooks sessions do) but never {@code /} or {@code ..}: an id is a directory
 * name inside the store and must not name anything outside it.
 *
 * <p>Reading is safe while a writer appends. Instances are immutable and thread-safe.
 */
public final class TraceStore {
    /** Overrides the default store directory, as it does for agent-strace's hooks. */
    public static final String ENV_DIR = "AGENT_TRACE_DIR";
    public static final String DEFAULT_DIR_NAME = ".agent-traces";
    static final String META = "meta.json";
    static final String EVENTS = "events.ndjson";
    static final String MESSAGES = "messages.ndjson";
    private static final int NEWEST_SHOWN = 5;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);
    /** Newest first: greatest started_at, unknown start last, ties by id (greatest first). */
    static final Comparator<SessionMeta> NEWEST_FIRST = Comparator
            .comparing((SessionMeta m) -> m.startedAt, Comparator.nullsFirst(Comparator.<Double>naturalOrder()))
            .thenComparing(m -> m.sessionId, Comparator.nullsFirst(Comparator.<String>naturalOrder()))
            .reversed();

    private final Path dir;
    /** Sees every session this store writes (live export), or null. */
    private final EventTee tee;

    private TraceStore(Path dir, EventTee tee) {
        this.dir = dir;
        this.tee = tee;
    }

    /** The same store, with every session it writes from now on also handed to {@code tee}. */
    public TraceStore teeTo(EventTee tee) {
        return new TraceStore(dir, tee);
    }

    /** The store in {@code dir} (which need not exist until a session is created). */
    public static TraceStore at(Path dir) {
        return new TraceStore(dir.toAbsolutePath().normalize(), null);
    }

    /** {@code $AGENT_TRACE_DIR} if set, else {@code .agent-traces} in the working directory. */
    public static Path defaultDir() {
        String env = System.getenv(ENV_DIR);
        Path p = env != null && !env.isBlank() ? Path.of(env) : Path.of(DEFAULT_DIR_NAME);
        return p.toAbsolutePath().normalize();
    }

    public Path dir() {
        return dir;
    }

    /** The directory of one session; the id is checked so it cannot point outside the store. */
    public Path sessionDir(String sessionId) {
        String problem = idProblem(sessionId);
        if (problem != null) {
            throw new SessionNotFoundException(sessionId, List.of(), problem);
        }
        return dir.resolve(sessionId);
    }

    // ---------------------------------------------------------------- listing and resolving

    /**
     * Every session, newest first, plus a line per problem. A session whose meta.json is
     * missing (with events beside it) or cannot be read is listed all the same, as a stand-in
     * with {@link SessionMeta#damage} saying why and its counters taken from its events; so is
     * one whose meta is stale (no {@code ended_at}: still running, or its recorder was killed).
     */
    public SessionListing scan() {
        List<SessionMeta> sessions = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return new SessionListing(sessions, problems);
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") || !Files.isDirectory(p) || idProblem(name) != null) {
                    continue;
                }
                Path meta = p.resolve(META);
                if (!Files.exists(meta, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    if (Files.exists(p.resolve(EVENTS), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        SessionMeta m = standIn(name, "no " + META + " (the recorder was probably killed before writing it)");
                        problems.add(p + ": " + m.damage + "; listed from its events");
                        sessions.add(m);
                    }
                    continue;
                }
                try {
                    SessionMeta m = TraceJson.parseMeta(readMeta(meta));
                    if (m.sessionId != null && !m.sessionId.isEmpty() && !m.sessionId.equals(name)) {
                        problems.add(meta + ": session_id '" + m.sessionId + "' is not its directory name; listed as '"
                                + name + "'");
                    }
                    m.sessionId = name;
                    if (m.endedAt == null) {
                        countFromEvents(m);
                    }
                    sessions.add(m);
                } catch (IOException | RuntimeException e) {
                    SessionMeta m = standIn(name, META + " " + unreadable(e));
                    problems.add(p + ": " + m.damage + "; listed from its events");
                    sessions.add(m);
                }
            }
        } catch (IOException e) {
            problems.add(dir + ": cannot list (" + describe(e) + ")");
        }
        sessions.sort(NEWEST_FIRST);
        return new SessionListing(sessions, problems);
    }

    private byte[] readMeta(Path meta) throws IOException {
        byte[] b = StoreFiles.readSmall(dir, meta, StoreFiles.MAX_META_BYTES);
        if (b.length == 0) {
            throw new StoreFiles.UnreadableFileException("is empty");
        }
        return b;
    }

    /** "is empty", "is not JSON (...)", "is a directory, not a file", ... */
    private static String unreadable(Exception e) {
        if (e instanceof StoreFiles.UnreadableFileException) {
            String m = e.getMessage();
            return m.startsWith("is ") ? m : "is " + m;
        }
        if (e instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException) {
            return "is nested too deeply to be a meta (" + firstLine(e) + ")";
        }
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException) {
            return "is not JSON (" + firstLine(e) + ")";
        }
        return "is unreadable (" + firstLine(e) + ")";
    }

    /** A meta for a session whose own cannot be read: its id, the reason, and what its events say. */
    private SessionMeta standIn(String id, String damage) {
        SessionMeta m = new SessionMeta();
        m.sessionId = id;
        m.damage = damage;
        countFromEvents(m);
        return m;
    }

    /**
     * Sets the counters of {@code m} from its events (tool calls, LLM requests, errors; the start
     * and end times when the meta has none; ended only when no call, prompt or model request follows its
     * last {@code session_end}),
     * where the events say more than the meta: a meta is
     * rewritten at most every 250 ms, so a killed recorder leaves it behind its events.
     */
    public void countFromEvents(SessionMeta m) {
        long[] calls = {0};
        long[] llm = {0};
        long[] errors = {0};
        double[] first = {Double.NaN};
        double[] last = {Double.NaN};
        boolean[] ended = {false};
        try {
            forEachEvent(m.sessionId, e -> {
                if (Double.isNaN(first[0])) {
                    first[0] = e.timestamp();
                }
                last[0] = e.timestamp();
                String t = e.eventType();
                if (EventTypes.TOOL_CALL.equals(t)) {
                    calls[0]++;
                } else if (EventTypes.LLM_REQUEST.equals(t)) {
                    llm[0]++;
                }
                // a session_end followed by more work (a recorder restarted while the agent went on) is no end;
                // an alert or decision appended after the end by a watcher is not work
                if (EventTypes.SESSION_END.equals(t)) {
                    ended[0] = true;
                } else if (EventTypes.TOOL_CALL.equals(t) || EventTypes.LLM_REQUEST.equals(t) || EventTypes.USER_PROMPT.equals(t)) {
                    ended[0] = false;
                }
                if (dev.agenttrace.store.analysis.EventFacts.isError(e)) {
                    errors[0]++;
                }
            });
        } catch (RuntimeException e) {
            return; // the directory went away meanwhile
        }
        if (calls[0] > m.toolCalls || llm[0] > m.llmRequests || errors[0] > m.errors) {
            m.countedFromEvents = true;
        }
        m.toolCalls = Math.max(m.toolCalls, calls[0]);
        m.llmRequests = Math.max(m.llmRequests, llm[0]);
        m.errors = Math.max(m.errors, errors[0]);
        if (m.startedAt == null && !Double.isNaN(first[0])) {
            m.startedAt = first[0];
        }
        if (m.endedAt == null && ended[0]) {
            m.endedAt = last[0];
        }
    }

    /** {@link #scan()}'s sessions: newest {@code started_at} first, never by directory name. */
    public List<SessionMeta> listSessions() {
        return scan().sessions();
    }

    /**
     * The session meant by {@code query}: {@code latest} (the greatest {@code started_at}), an
     * exact id, or a prefix matching exactly one id. A session whose {@code meta.json} is missing
     * or unreadable still resolves (to a meta holding only its id), so its events can be read.
     *
     * @throws SessionNotFoundException nothing matches, or the query cannot be an id (it
     *                                  contains {@code /} or {@code ..}); the message lists the
     *                                  newest sessions
     * @throws AmbiguousSessionException the prefix matches several sessions; all are listed
     */
    public SessionMeta resolve(String query) {
        String problem = idProblem(query);
        if (problem != null) {
            throw new SessionNotFoundException(query, List.of(), problem);
        }
        if ("latest".equals(query)) {
            List<SessionMeta> all = listSessions();
            if (all.isEmpty()) {
                throw notFound(query, all);
            }
            return all.get(0);
        }
        Path exact = dir.resolve(query);
        if (isSessionDir(exact)) {
            return metaOrStandIn(query);
        }
        List<String> matches = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    String name = p.getFileName().toString();
                    if (name.startsWith(query) && !name.startsWith(".") && isSessionDir(p)) {
                        matches.add(name);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir + ": " + describe(e), e);
            }
        }
        if (matches.size() == 1) {
            return metaOrStandIn(matches.get(0));
        }
        if (matches.isEmpty()) {
            throw notFound(query, listSessions());
        }
        List<SessionMeta> metas = new ArrayList<>();
        for (String id : matches) {
            metas.add(metaOrStandIn(id));
        }
        metas.sort(NEWEST_FIRST);
        List<String> ids = new ArrayList<>();
        StringBuilder msg = new StringBuilder("session prefix '").append(query).append("' matches ")
                .append(metas.size()).append(" sessions in ").append(dir).append(':');
        for (SessionMeta m : metas) {
            ids.add(m.sessionId);
            msg.append("\n  ").append(m.sessionId).append(started(m));
        }
        msg.append("\ntype more of the id to choose one");
        throw new AmbiguousSessionException(query, ids, msg.toString());
    }

    /** The meta of one session, as stored. */
    public SessionMeta meta(String sessionId) throws IOException {
        Path file = sessionDir(sessionId).resolve(META);
        SessionMeta m = TraceJson.parseMeta(readMeta(file));
        m.sessionId = sessionId;
        return m;
    }

    private SessionMeta metaOrStandIn(String id) {
        Path file = dir.resolve(id).resolve(META);
        if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return standIn(id, "no " + META + " (the recorder was probably killed before writing it)");
        }
        try {
            SessionMeta m = meta(id);
            if (m.endedAt == null) {
                countFromEvents(m);
            }
            return m;
        } catch (IOException | RuntimeException e) {
            return standIn(id, META + " " + unreadable(e));
        }
    }

    /** Whether {@code id} is exactly the id of a session in this store (no prefix matching). */
    public boolean hasSession(String id) {
        return idProblem(id) == null && !"latest".equals(id) && isSessionDir(dir.resolve(id));
    }

    private static boolean isSessionDir(Path p) {
        return Files.isDirectory(p) && (Files.exists(p.resolve(META)) || Files.exists(p.resolve(EVENTS)));
    }

    private SessionNotFoundException notFound(String query, List<SessionMeta> newest) {
        List<String> ids = new ArrayList<>();
        for (SessionMeta m : newest.subList(0, Math.min(NEWEST_SHOWN, newest.size()))) {
            ids.add(m.sessionId);
        }
        if (newest.isEmpty()) {
            return new SessionNotFoundException(query, ids, "no sessions in " + dir
                    + " yet; record one with: agent-trace record -- <server command>");
        }
        StringBuilder msg = new StringBuilder();
        msg.append("latest".equals(query) ? "no session" : "no session '" + query + "'")
                .append(" in ").append(dir).append("; the newest ").append(ids.size() == 1 ? "is" : "are").append(':');
        for (SessionMeta m : newest.subList(0, ids.size())) {
            msg.append("\n  ").append(m.sessionId).append(started(m));
        }
        if (newest.size() > ids.size()) {
            msg.append("\n  (").append(newest.size() - ids.size()).append(" more)");
        }
        msg.append("\nlist them all with: agent-trace list");
        return new SessionNotFoundException(query, ids, msg.toString());
    }

    static String started(SessionMeta m) {
        return m.startedAt == null ? "" : "  started " + TIME.format(Instant.ofEpochMilli((long) (m.startedAt * 1000)));
    }

    /** Null if {@code id} may name a session directory, else why not. */
    static String idProblem(String id) {
        if (id == null || id.isBlank()) {
            return "no session id given; use an id, a prefix of one, or 'latest' (list them with: agent-trace list)";
        }
        if (id.indexOf('/') >= 0 || id.indexOf('\\') >= 0 || id.contains("..") || id.indexOf('\0') >= 0
                || id.equals(".")) {
            return "'" + id + "' is not a session id: ids never contain '/', '\\' or '..'"
                    + " (list the sessions with: agent-trace list)";
        }
        return null;
    }

    // ---------------------------------------------------------------- reading events

    /** All events of a session in file order, and a warning per skipped line. */
    public EventRead readEvents(String sessionId) {
        List<TraceEvent> events = new ArrayList<>();
        List<String> warnings = forEachEvent(sessionId, events::add);
        return new EventRead(events, warnings);
    }

    /**
     * Streams the events of a session to {@code consumer} without holding them (sessions can be
     * huge). Returns a warning per skipped line: a torn last line, a corrupt line anywhere.
     */
    public List<String> forEachEvent(String sessionId, Consumer<TraceEvent> consumer) {
        return forEachLine(sessionId, EVENTS, true, consumer);
    }

    /** Decides from a line's raw bytes whether it is worth parsing (a necessary condition only). */
    @FunctionalInterface
    public interface RawLineFilter {
        RawLineFilter ALL = (buf, off, len) -> true;

        boolean accept(byte[] buf, int off, int len);
    }

    /** Sees the events of a scan one by one; returns true to stop the scan after this one. */
    @FunctionalInterface
    public interface EventVisitor {
        boolean visit(TraceEvent event, long lineNo, long endOffset);
    }

    /**
     * How far a scan got.
     *
     * @param endOffset byte offset just past the last complete line read (where a later scan resumes)
     * @param nextLine  the line number at {@code endOffset}
     * @param stopped   the visitor asked to stop before the end of the file
     * @param warnings  one per skipped line
     */
    public record EventScan(long endOffset, long nextLine, boolean stopped, List<String> warnings) {
    }

    /**
     * Streams the events of a session from byte {@code fromOffset} (a line start a previous scan
     * returned, or 0), parsing only the lines {@code filter} accepts. An unterminated last line is
     * skipped and reported as torn when {@code finished}, and silently left for a later scan
     * otherwise (a writer may be in the middle of it). The events are not held.
     */
    public EventScan scanEvents(String sessionId, long fromOffset, long firstLine, boolean finished,
                                RawLineFilter filter, EventVisitor visitor) {
        Path file = sessionDir(sessionId).resolve(EVENTS);
        List<String> warnings = new ArrayList<>();
        EventScanner scanner = new EventScanner(file, fromOffset, firstLine, finished, filter, visitor, warnings);
        long end = fromOffset;
        try (java.io.InputStream in = StoreFiles.open(dir, file, fromOffset)) {
            end = fromOffset + NdjsonLines.read(in, firstLine, scanner);
            scanner.finish(end);
        } catch (NoSuchFileException e) {
            if (!Files.isDirectory(file.getParent())) {
                throw notFound(sessionId, listSessions());
            }
        } catch (StoreFiles.UnreadableFileException e) {
            warnings.add(file + ": not read: " + e.getMessage());
        } catch (IOException e) {
            warnings.add(file + ": read failed (" + describe(e) + "); events after this point are missing");
        }
        return new EventScan(end, scanner.nextLine(), scanner.stopped(), warnings);
    }

    /** The sidecar wire log ({@code messages.ndjson}); empty when the session has none. */
    public EventRead readMessages(String sessionId) {
        List<TraceEvent> records = new ArrayList<>();
        List<String> warnings = forEachMessage(sessionId, records::add);
        return new EventRead(records, warnings);
    }

    /** Streams the sidecar wire log; see {@link #forEachEvent}. */
    public List<String> forEachMessage(String sessionId, Consumer<TraceEvent> consumer) {
        return forEachLine(sessionId, MESSAGES, false, consumer);
    }

    /**
     * Events and wire-log records merged by timestamp (stable: within a file the order is kept,
     * and on equal timestamps an event comes before the wire record of the message it came from).
     */
    public EventRead readEventsAndMessages(String sessionId) {
        EventRead events = readEvents(sessionId);
        EventRead messages = readMessages(sessionId);
        List<TraceEvent> merged = new ArrayList<>(events.events().size() + messages.events().size());
        List<TraceEvent> a = events.events();
        List<TraceEvent> b = messages.events();
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            if (j >= b.size() || i < a.size() && a.get(i).timestamp() <= b.get(j).timestamp()) {
                merged.add(a.get(i++));
            } else {
                merged.add(b.get(j++));
            }
        }
        List<String> warnings = new ArrayList<>(events.warnings());
        warnings.addAll(messages.warnings());
        return new EventRead(merged, warnings);
    }

    /** Follows a session's {@code events.ndjson} as it grows (for live watching). */
    public EventTail tail(String sessionId) {
        return new EventTail(dir, sessionDir(sessionId).resolve(EVENTS));
    }

    private List<String> forEachLine(String sessionId, String fileName, boolean required, Consumer<TraceEvent> consumer) {
        Path sd = sessionDir(sessionId);
        List<String> warnings = new ArrayList<>();
        if (!Files.isDirectory(sd)) {
            throw notFound(sessionId, listSessions());
        }
        Path file = sd.resolve(fileName);
        try (java.io.InputStream in = StoreFiles.open(dir, file)) {
            NdjsonLines.read(in, 1, new EventLineParser(file, consumer, warnings, true));
        } catch (NoSuchFileException e) {
            if (required) {
                warnings.add(file + ": cannot read (no such file)");
            }
        } catch (StoreFiles.UnreadableFileException e) {
            warnings.add(file + ": not read: " + e.getMessage());
        } catch (IOException e) {
            warnings.add(file + ": read failed (" + describe(e) + "); events after this point are missing");
        }
        return warnings;
    }

    // ---------------------------------------------------------------- writing

    /**
     * Starts recording a session: creates its directory, writes {@code meta.json} atomically,
     * creates an empty {@code events.ndjson} (as agent-strace does) and starts the writer thread.
     * A null {@code meta.sessionId} gets a fresh id and a null {@code startedAt} the current time
     * (both set on {@code meta} itself, so the caller sees them). The writer works on its own copy
     * of {@code meta}: change it afterwards through {@link EventSink#meta()} only.
     *
     * @throws UncheckedIOException the directory or meta.json cannot be written (the message
     *                              names the path and the reason)
     * @throws IllegalArgumentException the id given is not a valid directory name
     */
    public SessionWriter create(SessionMeta meta, StoreOptions opts) {
        if (meta.sessionId == null || meta.sessionId.isBlank()) {
            meta.sessionId = Ids.sessionId();
        }
        String problem = idProblem(meta.sessionId);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (meta.startedAt == null) {
            meta.startedAt = System.currentTimeMillis() / 1000.0;
        }
        if (meta.attribution == null) {
            meta.attribution = JsonNodeFactory.instance.objectNode();
        }
        Path sd = dir.resolve(meta.sessionId);
        SessionMeta own = meta.copy();
        Redactor redactor;
        try {
            Files.createDirectories(sd);
            redactor = !opts.redact() ? null : opts.pseudonyms() ? Redactor.pseudonymous(PseudonymKey.of(dir)) : Redactor.plain();
            writeAtomically(sd.resolve(META), TraceJson.asciiBytes(TraceJson.metaJson(forDisk(own, redactor))));
            Path events = sd.resolve(EVENTS);
            if (!Files.exists(events)) {
                new FileOutputStream(events.toFile(), true).close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the trace session " + sd + ": " + describe(e), e);
        }
        FileSessionWriter w = new FileSessionWriter(sd, own, opts, redactor, System.err, tee);
        setBudget(w, opts, meta.sessionId);
        w.start();
        return w;
    }

    /** The smaller of the session cap and what the store cap leaves (measured now, this session excluded). */
    private void setBudget(FileSessionWriter w, StoreOptions opts, String sessionId) {
        long session = opts.maxSessionBytes();
        long store = opts.maxStoreBytes();
        if (session <= 0 && store <= 0) {
            return;
        }
        long left = Long.MAX_VALUE;
        String source = "the session size cap";
        if (session > 0) {
            left = session;
        }
        if (store > 0) {
            long free = store - storeBytes(sessionId);
            if (free < left) {
                left = Math.max(0, free);
                source = "the store size cap";
            }
        }
        w.setByteBudget(left, source);
    }

    /** Bytes of the regular files in the store's session directories (not following links). */
    long storeBytes(String except) {
        long total = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (p.getFileName().toString().equals(except)
                        || !Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(p)) {
                    for (Path f : files) {
                        java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(f,
                                java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                        if (a.isRegularFile()) {
                            total += a.size();
                        }
                    }
                } catch (IOException e) {
                    // a session being deleted: not counted
                }
            }
        } catch (IOException e) {
            return 0; // cannot list: the session cap still holds
        }
        return total;
    }

    /** The meta as it goes to disk: with a redactor, its command, agent name and attribution are redacted. */
    static SessionMeta forDisk(SessionMeta m, Redactor redactor) {
        if (redactor == null) {
            return m;
        }
        SessionMeta r = m.copy();
        r.command = redactor.text(r.command);
        r.agentName = redactor.text(r.agentName);
        if (r.attribution != null) {
            r.attribution = (ObjectNode) redactor.tree(r.attribution);
        }
        return r;
    }

    /**
     * Replaces {@code target} so that no reader ever sees it half-written: the bytes go to a
     * temporary file in the same directory, which is then renamed over the target.
     */
    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + Ids.eventId() + ".tmp");
        boolean moved = false;
        try {
            // a FileOutputStream, not Files.write: an interrupt must not abort (and lose) the meta
            try (FileOutputStream out = new FileOutputStream(tmp.toFile())) {
                out.write(bytes);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the directory itself is gone or unwritable: nothing left to clean
                }
            }
        }
    }

    /** An I/O problem in words: "no such file or directory", "permission denied", "no space left on device". */
    static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory: " + ((NoSuchFileException) e).getFile();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied: " + ((AccessDeniedException) e).getFile();
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory: " + ((NotDirectoryException) e).getFile();
        }
        if (e instanceof FileSystemException) {
            FileSystemException f = (FileSystemException) e;
            return (f.getReason() != null ? f.getReason() : f.getClass().getSimpleName()) + ": " + f.getFile();
        }
        if (e instanceof java.io.FileNotFoundException && e.getMessage() != null) {
            // "<path> (Not a directory)": the caller names the path already
            String m = e.getMessage();
            int open = m.lastIndexOf(" (");
            return open >= 0 && m.endsWith(")") ? m.substring(open + 2, m.length() - 1).toLowerCase(java.util.Locale.ROOT) : m;
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static String firstLine(Exception e) {
        String m = e instanceof IOException ? describe((IOException) e) : String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
