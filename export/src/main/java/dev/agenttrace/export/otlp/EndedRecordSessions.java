package dev.agenttrace.export.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceStore;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * How short-lived stdio {@code record} proxies reach {@code serve}'s {@code /metrics}: serve looks
 * at the stores it knows every few seconds, and each {@code record} session that ended while it
 * ran is read back once from its files and counted ({@link LiveExport#countEnded}) in the same
 * instruments as serve's own hook sessions. Nothing is added to {@code record}'s forwarding path,
 * and nothing is counted twice:
 * <ul>
 *   <li>only sessions with a {@code proxy_pid} and no {@code remote_url} (stdio {@code record};
 *       {@code record-http} serves its own {@code /metrics}; serve's hook sessions reach the
 *       export live through its tee);</li>
 *   <li>only sessions whose end ({@code ended_at}) is after serve started: a restart of serve
 *       starts its counters at zero, as a Prometheus counter may, and does not re-read history;</li>
 *   <li>each session id once.</li>
 * </ul>
 * A session is counted when it ends, so a long-running {@code record} shows up at its end (use
 * its own {@code --otlp-endpoint} to see it live); one killed before its end is never counted.
 * A scan re-reads a {@code meta.json} only when its time or size changed.
 */
public final class EndedRecordSessions implements AutoCloseable {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private final List<TraceStore> stores;
    private final LiveExport export;
    private final double sinceEpochSeconds;
    private final Map<String, Long> stamps = new HashMap<>();
    private final Set<String> done = new HashSet<>();
    private long counted;
    private ScheduledExecutorService timer;

    /**
     * @param sinceEpochMillis sessions that ended before this are left alone
     */
    public EndedRecordSessions(List<TraceStore> stores, LiveExport export, long sinceEpochMillis) {
        this.stores = List.copyOf(stores);
        this.export = export;
        this.sinceEpochSeconds = sinceEpochMillis / 1000.0;
    }

    /** Scans every {@code periodMillis} on a thread of its own. */
    public EndedRecordSessions start(long periodMillis) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "agent-trace-record-metrics");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::scanQuietly, 0, periodMillis, TimeUnit.MILLISECONDS);
        return this;
    }

    private void scanQuietly() {
        try {
            scan();
        } catch (RuntimeException e) {
            // a store that cannot be read now; the next scan tries again
        }
    }

    /** One look at the stores; returns how many sessions were counted in all so far. */
    public synchronized long scan() {
        Set<String> present = new HashSet<>();
        for (TraceStore store : stores) {
            Path dir = store.dir();
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    String id = p.getFileName().toString();
                    if (!ID.matcher(id).matches() || !present.add(id) || done.contains(id)) {
                        continue;
                    }
                    look(store, p, id);
                }
            } catch (IOException e) {
                // listable at the next scan, perhaps
            }
        }
        stamps.keySet().retainAll(present);
        done.retainAll(present);
        return counted;
    }

    private void look(TraceStore store, Path dir, String id) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(dir.resolve("meta.json"), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return; // no meta yet: the session is starting (or damaged; health and list say so)
        }
        long modified = a.lastModifiedTime().toMillis();
        long stamp = modified * 31 + a.size();
        Long before = stamps.put(id, stamp);
        if (before != null && before == stamp) {
            return;
        }
        if (modified < sinceEpochSeconds * 1000 - 1_000) {
            return; // last written before serve started; looked at again only if its meta changes (its end)
        }
        SessionMeta m;
        try {
            m = store.meta(id);
        } catch (IOException | RuntimeException e) {
            return; // being rewritten; the next scan sees it whole
        }
        if (m.endedAt == null) {
            return;
        }
        done.add(id);
        if (m.endedAt < sinceEpochSeconds || !isStdioRecord(m)) {
            return;
        }
        m.sessionId = id;
        export.countEnded(store, m);
        counted++;
    }

    private static boolean isStdioRecord(SessionMeta m) {
        if (m.attribution == null) {
            return false;
        }
        JsonNode attribution = m.attribution;
        JsonNode pid = attribution.get("proxy_pid");
        return pid != null && pid.asLong() != ProcessHandle.current().pid() && !attribution.has("remote_url");
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
