package dev.agenttrace.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * How long sessions stay in a store: older than {@code keepDays} (by their last write), or the
 * oldest beyond {@code maxBytes} in all, go. A session that may still be running is never removed:
 * one without {@code ended_at} whose recording process is alive on this machine, or that was
 * written to in the last {@link #QUIET} (a proxy on another machine, or one without a pid).
 */
public final class Retention {
    /** A session without an end that was written to this recently is taken to be running. */
    public static final Duration QUIET = Duration.ofMinutes(15);
    private static final long MAX_META_BYTES = 1 << 20;

    /** What to keep: either bound may be null (no bound). */
    public record Policy(Integer keepDays, Long maxBytes) {
        public boolean none() {
            return keepDays == null && maxBytes == null;
        }
    }

    /** One session directory as retention sees it. */
    public record Session(String id, Path dir, long bytes, Instant lastWrite, boolean live, String why) {
    }

    /** The store's sessions, oldest first, and what a clean under {@code policy} would remove. */
    public record Plan(List<Session> sessions, List<Session> remove, long totalBytes) {
        public long removedBytes() {
            return remove.stream().mapToLong(Session::bytes).sum();
        }

        public long live() {
            return sessions.stream().filter(Session::live).count();
        }
    }

    private Retention() {
    }

    public static Plan plan(Path store, Policy policy, Instant now) throws IOException {
        List<Session> all = new ArrayList<>();
        if (Files.isDirectory(store, LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(store)) {
                for (Path d : ds) {
                    if (Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS) && !d.getFileName().toString().startsWith(".")) {
                        all.add(inspect(d, now));
                    }
                }
            }
        }
        all.sort(Comparator.comparing(Session::lastWrite).thenComparing(Session::id));
        long total = all.stream().mapToLong(Session::bytes).sum();
        List<Session> remove = new ArrayList<>();
        if (policy.keepDays() != null) {
            Instant cutoff = now.minus(Duration.ofDays(policy.keepDays()));
            for (Session s : all) {
                if (!s.live() && s.lastWrite().isBefore(cutoff)) {
                    remove.add(s);
                }
            }
        }
        if (policy.maxBytes() != null) {
            long kept = total - remove.stream().mapToLong(Session::bytes).sum();
            for (Session s : all) {
                if (kept <= policy.maxBytes()) {
                    break;
                }
                if (!s.live() && !remove.contains(s)) {
                    remove.add(s);
                    kept -= s.bytes();
                }
            }
        }
        return new Plan(List.copyOf(all), List.copyOf(remove), total);
    }

    /** Removes what the plan says; returns the sessions removed. Links are removed, never followed. */
    public static List<Session> clean(Path store, Policy policy, Instant now) throws IOException {
        List<Session> removed = new ArrayList<>();
        for (Session s : plan(store, policy, now).remove()) {
            // looked at again just before it goes: it may have started writing since the plan
            if (inspect(s.dir(), Instant.now()).live()) {
                continue;
            }
            deleteTree(s.dir());
            removed.add(s);
        }
        return removed;
    }

    static Session inspect(Path dir, Instant now) throws IOException {
        long[] bytes = {0};
        Instant[] last = {Instant.EPOCH};
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
                if (!a.isRegularFile()) {
                    return FileVisitResult.CONTINUE; // a link or a device is no part of a recording
                }
                bytes[0] += a.size();
                Instant t = a.lastModifiedTime().toInstant();
                if (t.isAfter(last[0])) {
                    last[0] = t;
                }
                return FileVisitResult.CONTINUE;
            }
        });
        if (last[0].equals(Instant.EPOCH)) {
            last[0] = Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS).toInstant();
        }
        String why = liveness(dir, last[0], now);
        return new Session(dir.getFileName().toString(), dir, bytes[0], last[0], why != null, why);
    }

    /** Why the session may be running, or null when it has ended (or its recorder is gone). */
    private static String liveness(Path dir, Instant lastWrite, Instant now) {
        JsonNode meta = meta(dir.resolve("meta.json"));
        boolean ended = meta != null && meta.hasNonNull("ended_at");
        if (ended) {
            return null;
        }
        JsonNode pid = meta == null ? null : meta.path("attribution").path("proxy_pid");
        JsonNode host = meta == null ? null : meta.path("attribution").path("hostname");
        if (pid != null && pid.canConvertToLong() && (host == null || host.isMissingNode() || host.asText().equals(Attribution.hostname()))) {
            if (ProcessHandle.of(pid.asLong()).map(ProcessHandle::isAlive).orElse(false)) {
                return "its recording process " + pid.asLong() + " is running";
            }
        }
        if (Duration.between(lastWrite, now).compareTo(QUIET) < 0) {
            return "written to less than " + QUIET.toMinutes() + " minutes ago";
        }
        return null;
    }

    private static JsonNode meta(Path file) {
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) > MAX_META_BYTES) {
                return null;
            }
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                return TraceJson.mapper().readTree(in);
            }
        } catch (IOException | RuntimeException e) {
            return null; // an unreadable meta: the session is judged by its files' times alone
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
