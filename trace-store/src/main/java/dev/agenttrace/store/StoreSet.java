package dev.agenttrace.store;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stores a reader reads ({@code list}, {@code show}, {@code mcp}, ...): one or more trace
 * stores, each with the rule that chose it. Sessions of every store are listed together, newest
 * first, each with its store; a session id, prefix or {@code latest} is resolved across all of
 * them. A store that cannot be read is reported and the others are read all the same.
 *
 * <p>The same id in two stores is two sessions: both are listed, and naming that id is ambiguous
 * (the error names both). A session can always be named by its directory, {@code STORE/ID}, which
 * is what the ambiguity error and the listings show.
 */
public final class StoreSet {
    private final List<StoreLocation> locations;
    private final List<TraceStore> stores;

    private StoreSet(List<StoreLocation> locations) {
        Map<Path, StoreLocation> distinct = new LinkedHashMap<>();
        for (StoreLocation l : locations) {
            distinct.putIfAbsent(l.dir(), l);
        }
        if (distinct.isEmpty()) {
            throw new IllegalArgumentException("no store to read");
        }
        this.locations = List.copyOf(distinct.values());
        List<TraceStore> s = new ArrayList<>();
        for (StoreLocation l : this.locations) {
            s.add(TraceStore.at(l.dir()));
        }
        this.stores = List.copyOf(s);
    }

    /** These stores, in this order; a directory given twice is read once. */
    public static StoreSet of(List<StoreLocation> locations) {
        return new StoreSet(locations);
    }

    /** One store. */
    public static StoreSet of(TraceStore store, String why) {
        return new StoreSet(List.of(new StoreLocation(store.dir(), why)));
    }

    public List<StoreLocation> locations() {
        return locations;
    }

    public List<TraceStore> stores() {
        return stores;
    }

    /** The first store (the one a writer with the same options would write to). */
    public TraceStore first() {
        return stores.get(0);
    }

    public boolean several() {
        return stores.size() > 1;
    }

    /** The location of {@code store} (one of {@link #stores()}). */
    public StoreLocation location(TraceStore store) {
        return locations.get(stores.indexOf(store));
    }

    /** Every store as "DIR (why)", joined by "; ". */
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (StoreLocation l : locations) {
            parts.add(l.describe());
        }
        return String.join("; ", parts);
    }

    /** A session and the store it is in. */
    public record Found(TraceStore store, SessionMeta meta) {
        /** The session's directory: {@code STORE/ID}, which names it whatever else the stores hold. */
        public Path path() {
            return store.dir().resolve(meta.sessionId);
        }
    }

    /**
     * How one store was read.
     *
     * @param sessions how many sessions it listed
     * @param problem  why it could not be read, or null; a missing directory is no problem
     *                 (nothing recorded there yet) but is said in {@link #state()}
     */
    public record StoreStatus(StoreLocation at, int sessions, boolean exists, String problem) {
        /** "3 sessions", "no such directory yet", "unreadable: ...". */
        public String state() {
            if (problem != null) {
                return "unreadable: " + problem;
            }
            if (!exists) {
                return "no such directory yet";
            }
            return sessions + (sessions == 1 ? " session" : " sessions");
        }
    }

    /** Every session of every store, newest first, and what could not be read. */
    public record Listing(List<Found> sessions, List<String> problems, List<StoreStatus> stores) {
    }

    public Listing scan() {
        List<Found> all = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<StoreStatus> statuses = new ArrayList<>();
        for (int i = 0; i < stores.size(); i++) {
            TraceStore s = stores.get(i);
            StoreLocation at = locations.get(i);
            String problem = unreadable(s.dir());
            if (problem != null) {
                problems.add(s.dir() + ": " + problem + (several() ? "; the other stores were read" : ""));
                statuses.add(new StoreStatus(at, 0, true, problem));
                continue;
            }
            try {
                SessionListing l = s.scan();
                l.sessions().forEach(m -> all.add(new Found(s, m)));
                problems.addAll(l.problems());
                statuses.add(new StoreStatus(at, l.sessions().size(), Files.isDirectory(s.dir()), null));
            } catch (RuntimeException e) {
                String why = "cannot be listed (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": "
                        + e.getMessage().lines().findFirst().orElse("")) + ")";
                problems.add(s.dir() + ": " + why + (several() ? "; the other stores were read" : ""));
                statuses.add(new StoreStatus(at, 0, true, why));
            }
        }
        all.sort((a, b) -> TraceStore.NEWEST_FIRST.compare(a.meta(), b.meta()));
        return new Listing(all, problems, statuses);
    }

    /** Why a store directory cannot be read, or null (also when it does not exist: it is empty). */
    public static String unreadable(Path dir) {
        if (!Files.exists(dir)) {
            return Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? "a link to nothing" : null;
        }
        if (!Files.isDirectory(dir)) {
            return "not a directory";
        }
        if (!Files.isReadable(dir) || !Files.isExecutable(dir)) {
            return "permission denied";
        }
        return null;
    }

    /**
     * The session meant by {@code query} in any of the stores: {@code latest} (the newest of all),
     * an exact id, a prefix matching exactly one session, or a session directory {@code STORE/ID}
     * of one of the stores. An exact id wins over prefixes, as in one store.
     *
     * @throws SessionNotFoundException  nothing matches; the message names every store read
     * @throws AmbiguousSessionException several sessions match (also the same id in two stores);
     *                                   the message lists each as {@code STORE/ID}
     */
    public Found resolve(String query) {
        Found byPath = byPath(query);
        if (byPath != null) {
            return byPath;
        }
        if (!several()) {
            return new Found(first(), first().resolve(query));
        }
        String problem = TraceStore.idProblem(query);
        if (problem != null) {
            throw new SessionNotFoundException(query, List.of(), problem);
        }
        if ("latest".equals(query)) {
            Listing l = scan();
            if (l.sessions().isEmpty()) {
                throw notFound(query, l);
            }
            return l.sessions().get(0);
        }
        List<Found> exact = new ArrayList<>();
        List<Found> prefix = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (TraceStore s : stores) {
            if (unreadable(s.dir()) != null) {
                problems.add(s.dir() + ": " + unreadable(s.dir()));
                continue;
            }
            try {
                if (s.hasSession(query)) {
                    exact.add(new Found(s, s.resolve(query)));
                    continue;
                }
                prefix.add(new Found(s, s.resolve(query)));
            } catch (SessionNotFoundException none) {
                // not in this store
            } catch (AmbiguousSessionException several) {
                for (String id : several.matches()) {
                    prefix.add(new Found(s, s.resolve(id)));
                }
            } catch (UncheckedIOException | SecurityException e) {
                problems.add(s.dir() + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
        }
        List<Found> matches = !exact.isEmpty() ? exact : prefix;
        if (matches.size() == 1) {
            return matches.get(0);
        }
        if (matches.isEmpty()) {
            SessionNotFoundException e = notFound(query, scan());
            if (problems.isEmpty()) {
                throw e;
            }
            throw new SessionNotFoundException(query, e.candidates(), e.getMessage() + "\nnot read: " + String.join("; ", problems));
        }
        matches.sort((a, b) -> TraceStore.NEWEST_FIRST.compare(a.meta(), b.meta()));
        long storesHit = matches.stream().map(Found::store).distinct().count();
        StringBuilder msg = new StringBuilder();
        if (!exact.isEmpty()) {
            msg.append("session '").append(query).append("' is in ").append(storesHit).append(" stores:");
        } else {
            msg.append("session prefix '").append(query).append("' matches ").append(matches.size()).append(" sessions in ")
                    .append(storesHit == 1 ? "one store" : storesHit + " stores").append(':');
        }
        List<String> paths = new ArrayList<>();
        for (Found f : matches) {
            paths.add(f.path().toString());
            msg.append("\n  ").append(f.path()).append(TraceStore.started(f.meta()));
        }
        msg.append("\nname one by its path, STORE/ID").append(exact.isEmpty() ? ", or type more of the id" : "")
                .append(READ_ONE_STORE);
        throw new AmbiguousSessionException(query, paths, msg.toString());
    }

    /** The CLI's last hint of an ambiguity across stores; a reader without that option drops it. */
    public static final String READ_ONE_STORE = " (or read one store with --trace-dir STORE)";

    /** {@code STORE/ID} where STORE is one of these stores, else null. */
    private Found byPath(String query) {
        if (query == null || query.indexOf('/') < 0 && query.indexOf('\\') < 0) {
            return null;
        }
        Path p;
        try {
            p = Path.of(query).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            return null;
        }
        if (p.getParent() == null || p.getFileName() == null) {
            return null;
        }
        for (TraceStore s : stores) {
            if (s.dir().equals(p.getParent())) {
                String id = p.getFileName().toString();
                if (!s.hasSession(id)) {
                    throw new SessionNotFoundException(query, List.of(), "no session '" + id + "' in " + s.dir()
                            + "\nlist them all with: agent-trace list");
                }
                return new Found(s, s.resolve(id));
            }
        }
        return null;
    }

    private SessionNotFoundException notFound(String query, Listing l) {
        List<String> dirs = new ArrayList<>();
        locations.forEach(x -> dirs.add(x.dir().toString()));
        String where = String.join(" or ", dirs);
        if (l.sessions().isEmpty()) {
            return new SessionNotFoundException(query, List.of(), "no sessions in " + where
                    + " yet; record one with: agent-trace record -- <server command>");
        }
        List<String> ids = new ArrayList<>();
        StringBuilder msg = new StringBuilder(("latest".equals(query) ? "no session" : "no session '" + query + "'")
                + " in " + where + "; the newest " + (Math.min(5, l.sessions().size()) == 1 ? "is" : "are") + ":");
        for (Found f : l.sessions().subList(0, Math.min(5, l.sessions().size()))) {
            ids.add(f.meta().sessionId);
            msg.append("\n  ").append(f.meta().sessionId).append(TraceStore.started(f.meta())).append("  in ").append(f.store().dir());
        }
        if (l.sessions().size() > ids.size()) {
            msg.append("\n  (").append(l.sessions().size() - ids.size()).append(" more)");
        }
        msg.append("\nlist them all with: agent-trace list");
        return new SessionNotFoundException(query, ids, msg.toString());
    }
}
