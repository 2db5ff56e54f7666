package dev.agenttrace.mcp;

import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceStore;
import dev.agenttrace.store.analysis.SessionAnalyzer;
import dev.agenttrace.store.analysis.SessionSummary;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The analyses of sessions whose files have not changed since: a debugging agent asks for the
 * same session's summary again and again (then diffs it against another), and each analysis
 * reads the whole events file. An entry is good while every file in the session's directory has
 * the size, modification time and identity it had (a live session appends; meta.json is replaced
 * whole); otherwise it is analysed again. At most {@code capacity} entries, least recently used
 * out first.
 */
final class SummaryCache {
    private record Entry(List<FileStamp> fingerprint, SessionSummary summary) {
    }

    private record FileStamp(String name, long size, long modifiedNanos, String fileKey) {
    }

    private final TraceStore store;
    private final int capacity;
    private final AtomicLong analyses = new AtomicLong();
    private final Map<String, Entry> entries;

    SummaryCache(TraceStore store, int capacity) {
        this.store = store;
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > SummaryCache.this.capacity;
            }
        };
    }

    SessionSummary get(SessionMeta meta) {
        List<FileStamp> fp = fingerprint(store.sessionDir(meta.sessionId));
        synchronized (entries) {
            Entry e = entries.get(meta.sessionId);
            if (e != null && fp != null && e.fingerprint.equals(fp)) {
                return e.summary;
            }
        }
        analyses.incrementAndGet();
        SessionSummary s = SessionAnalyzer.analyze(store, meta);
        if (fp != null) {
            synchronized (entries) {
                entries.put(meta.sessionId, new Entry(fp, s));
            }
        }
        return s;
    }

    /** How many times a session was read and analysed (not served from here). */
    long analyses() {
        return analyses.get();
    }

    /** Name, size, modification time and file key of each file; null when the directory cannot be listed. */
    private static List<FileStamp> fingerprint(Path dir) {
        List<FileStamp> fp = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                fp.add(new FileStamp(f.getFileName().toString(), a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS),
                        String.valueOf(a.fileKey())));
            }
        } catch (IOException | RuntimeException e) {
            return null; // unreadable: analyse every time, and let the analysis report what is wrong
        }
        fp.sort(Comparator.comparing(FileStamp::name));
        return fp;
    }
}
