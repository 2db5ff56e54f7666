package dev.agenttrace.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {
    @TempDir
    Path store;

    private final Instant now = Instant.now();

    /** A session of {@code bytes} event bytes last written {@code age} ago; ended unless {@code ended} is false. */
    private Path session(String id, Duration age, int bytes, boolean ended, String attribution) throws IOException {
        Path d = Files.createDirectories(store.resolve(id));
        Files.writeString(d.resolve("meta.json"), "{\"session_id\":\"" + id + "\",\"started_at\":1"
                + (ended ? ",\"ended_at\":2" : "") + ",\"attribution\":" + attribution + "}");
        Files.write(d.resolve("events.ndjson"), new byte[bytes]);
        FileTime t = FileTime.from(now.minus(age));
        try (Stream<Path> s = Files.list(d)) {
            for (Path f : s.toList()) {
                Files.setLastModifiedTime(f, t);
            }
        }
        return d;
    }

    private List<String> ids(List<Retention.Session> s) {
        return s.stream().map(Retention.Session::id).toList();
    }

    @Test
    void removesSessionsOlderThanTheLimitAndKeepsTheRest() throws IOException {
        session("old", Duration.ofDays(40), 10, true, "{}");
        session("new", Duration.ofDays(2), 10, true, "{}");
        Retention.Policy keep30 = new Retention.Policy(30, null);
        assertEquals(List.of("old"), ids(Retention.plan(store, keep30, now).remove()));
        assertTrue(Files.isDirectory(store.resolve("old")), "a plan removes nothing");
        assertEquals(List.of("old"), ids(Retention.clean(store, keep30, now)));
        assertFalse(Files.exists(store.resolve("old")));
        assertTrue(Files.isDirectory(store.resolve("new")));
    }

    @Test
    void aSizeLimitRemovesTheOldestFirst() throws IOException {
        session("a", Duration.ofDays(3), 1000, true, "{}");
        session("b", Duration.ofDays(2), 1000, true, "{}");
        session("c", Duration.ofDays(1), 1000, true, "{}");
        Retention.Plan p = Retention.plan(store, new Retention.Policy(null, 2500L), now);
        assertEquals(List.of("a"), ids(p.remove()));
        assertEquals(List.of("a", "b"), ids(Retention.plan(store, new Retention.Policy(null, 1500L), now).remove()));
    }

    @Test
    void neverRemovesASessionThatMayStillBeRunning() throws IOException {
        // no end, and its recording process (this JVM) is alive on this host
        session("live-pid", Duration.ofDays(90), 10, false,
                "{\"proxy_pid\":" + ProcessHandle.current().pid() + ",\"hostname\":\"" + Attribution.hostname() + "\"}");
        // no end, no pid, but written to a minute ago
        session("live-recent", Duration.ofMinutes(1), 10, false, "{}");
        // no end, its process is gone, quiet for days: a crashed recorder's session
        session("crashed", Duration.ofDays(90), 10, false, "{\"proxy_pid\":2147483646}");
        Retention.Plan p = Retention.plan(store, new Retention.Policy(1, 1L), now);
        assertEquals(List.of("crashed"), ids(p.remove()));
        assertEquals(2, p.live());
        Retention.clean(store, new Retention.Policy(1, 1L), now);
        assertTrue(Files.isDirectory(store.resolve("live-pid")));
        assertTrue(Files.isDirectory(store.resolve("live-recent")));
    }

    @Test
    void aLinkInASessionIsRemovedNeverFollowed() throws IOException {
        Path outside = Files.writeString(store.getParent().resolve("precious-" + now.toEpochMilli()), "keep me");
        try {
            Path d = session("linked", Duration.ofDays(40), 10, true, "{}");
            Files.createSymbolicLink(d.resolve("link"), outside);
            Files.setLastModifiedTime(d, FileTime.from(now.minus(Duration.ofDays(40))));
            Retention.clean(store, new Retention.Policy(30, null), now);
            assertFalse(Files.exists(d));
            assertEquals("keep me", Files.readString(outside));
        } finally {
            Files.deleteIfExists(outside);
        }
    }
}
