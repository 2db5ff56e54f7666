package dev.agenttrace.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A trace that lost something says so, and how much: full disk, size caps. */
class IncompleteTraceTest {
    @TempDir
    Path tmp;

    /** Records {@code calls} tool calls of about 1 KiB each, then ends the session as a recorder does. */
    private static SessionMeta record(TraceStore store, StoreOptions opts, int calls) {
        SessionMeta meta = new SessionMeta();
        meta.command = "flood";
        SessionWriter w = store.create(meta, opts);
        String pad = "x".repeat(1000);
        for (int i = 0; i < calls; i++) {
            ObjectNode d = JsonNodeFactory.instance.objectNode().put("tool_name", "read_file").put("request_id", i);
            d.putObject("arguments").put("path", "/src/" + i + ".py").put("pad", pad);
            TraceEvent e = new TraceEvent(EventTypes.TOOL_CALL, 1.0 + i, Ids.eventId(), meta.sessionId, null, null, d);
            w.submit(sink -> {
                sink.append(e);
                sink.meta().toolCalls++;
                sink.metaChanged();
            }, 1100);
        }
        w.submit(sink -> {
            sink.meta().endedAt = 1000.0;
            sink.metaChanged();
        }, 16);
        w.close(Duration.ofSeconds(20));
        return meta;
    }

    private static boolean run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    @Test
    void aFullDiskLeavesAMetaThatSaysIncompleteEndedAndHowMuchIsMissing() throws Exception {
        Path mnt = Files.createDirectories(tmp.resolve("tiny"));
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt.toString()),
                "needs root to mount a 64 KiB tmpfs (the real ENOSPC path)");
        PrintStream savedErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            TraceStore store = TraceStore.at(mnt.resolve(".agent-traces"));
            SessionMeta meta = record(store, StoreOptions.defaults(), 300);
            System.setErr(savedErr);
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("No space left on device"), err.toString(StandardCharsets.UTF_8));
            SessionMeta onDisk = store.meta(meta.sessionId);
            assertEquals(1000.0, onDisk.endedAt, "ended_at reached the full disk");
            assertEquals(300, onDisk.toolCalls, "the meta counts every call, written or not");
            JsonNode a = onDisk.attribution;
            assertTrue(a.path("trace_incomplete").asBoolean(), a.toString());
            long written = store.readEvents(meta.sessionId).events().size();
            assertTrue(written < 300, "the disk filled: " + written);
            assertEquals(300 - written, a.path("dropped_events").asLong(), "exactly what is missing: " + a);
            assertTrue(a.path("incomplete_reason").asText().contains("No space left on device"), a.toString());
            assertTrue(Files.exists(store.dir().resolve(meta.sessionId).resolve(IncompleteMarker.FILE)),
                    "the marker, written in the reserve's blocks");
            SessionCoverage c = SessionCoverage.of(store, store.resolve(meta.sessionId), java.util.List.of());
            assertNotNull(c.note());
            assertTrue(c.note().contains("covers only part of the session") && c.note().contains((300 - written) + " events"),
                    c.note());
        } finally {
            System.setErr(savedErr);
            run("umount", "-l", mnt.toString());
        }
    }

    @Test
    void theSessionSizeCapCutsAndRecordsWhatWasCut() throws Exception {
        TraceStore store = TraceStore.at(tmp.resolve(".agent-traces"));
        SessionMeta meta = record(store, StoreOptions.defaults().withSizeCaps(20_000, 0), 100);
        Path events = store.dir().resolve(meta.sessionId).resolve(TraceStore.EVENTS);
        assertTrue(Files.size(events) < 22_000, "cut near the cap: " + Files.size(events));
        SessionMeta onDisk = store.meta(meta.sessionId);
        JsonNode a = onDisk.attribution;
        long kept = store.readEvents(meta.sessionId).events().stream().filter(e -> e.eventType().equals(EventTypes.TOOL_CALL)).count();
        assertEquals(100 - kept, a.path("cut_events").asLong(), a.toString());
        assertTrue(a.path("cut_bytes").asLong() > 0);
        assertTrue(a.path("incomplete_reason").asText().contains("session size cap (20000 bytes)"), a.toString());
        TraceEvent last = store.readEvents(meta.sessionId).events().get((int) kept);
        assertEquals(EventTypes.ERROR, last.eventType(), "one line in the trace says where it was cut");
        assertTrue(last.data().path("message").asText().contains("trace cut"));
    }

    @Test
    void theStoreSizeCapCountsTheSessionsAlreadyThere() throws Exception {
        TraceStore store = TraceStore.at(tmp.resolve(".agent-traces"));
        record(store, StoreOptions.defaults().withSizeCaps(0, 0), 50); // about 55 KB
        SessionMeta second = record(store, StoreOptions.defaults().withSizeCaps(0, 60_000), 50);
        JsonNode a = store.meta(second.sessionId).attribution;
        assertTrue(a.path("incomplete_reason").asText().contains("store size cap"), a.toString());
        assertTrue(a.path("cut_events").asLong() >= 45, a.toString());
    }

    @Test
    void aWholeSessionLeavesNoReserveAndNoMarker() throws Exception {
        TraceStore store = TraceStore.at(tmp.resolve(".agent-traces"));
        SessionMeta meta = record(store, StoreOptions.defaults(), 5);
        Path dir = store.dir().resolve(meta.sessionId);
        assertTrue(Files.notExists(dir.resolve(IncompleteMarker.RESERVE)));
        assertTrue(Files.notExists(dir.resolve(IncompleteMarker.FILE)));
        assertTrue(SessionCoverage.of(store, store.resolve(meta.sessionId), java.util.List.of()).complete());
    }
}
