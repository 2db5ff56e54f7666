package dev.agenttrace.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSessionWriterTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    private FileSessionWriter start(String id, StoreOptions opts) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(".agent-traces").resolve(id));
        SessionMeta meta = new SessionMeta();
        meta.sessionId = id;
        meta.startedAt = 1700000000.0;
        Files.writeString(dir.resolve("meta.json"), TraceJson.metaJson(meta));
        FileSessionWriter w = new FileSessionWriter(dir, meta, opts, err);
        w.start();
        return w;
    }

    private static SessionMeta metaOf(String id) {
        SessionMeta meta = new SessionMeta();
        meta.sessionId = id;
        meta.startedAt = 1700000000.0;
        return meta;
    }

    private static TraceEvent event(String sessionId, int n) {
        return new TraceEvent(EventTypes.TOOL_CALL, 1700000000.0 + n, Ids.eventId(), sessionId, null, null,
                JsonNodeFactory.instance.objectNode().put("tool_name", "echo").put("n", n));
    }

    @Test
    void survivesASessionDirectoryThatBecameAFile() throws IOException {
        FileSessionWriter w = start("gone000000000001", StoreOptions.defaults());
        Path dir = tmp.resolve(".agent-traces/gone000000000001");
        // a path whose parent is a regular file cannot be written, not even by root
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
        Files.writeString(dir, "not a directory");

        // (that submit never waits for the writer is dropsInsteadOfBlockingWhenTheQueueIsFull's to show)
        int accepted = 0;
        for (int i = 0; i < 10_000; i++) {
            if (w.submit(event("gone000000000001", i))) {
                accepted++;
            }
        }
        assertTrue(accepted > 0);
        w.close(Duration.ofSeconds(5));
        assertTrue(w.incomplete());
        String out = errBytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, out.lines().count(), "exactly one warning line: " + out);
        assertTrue(out.contains(dir.resolve("events.ndjson").toString()) && out.contains("not a directory"), out);
        assertEquals("not a directory", Files.readString(dir));
    }

    @Test
    void dropsInsteadOfBlockingWhenTheQueueIsFull() throws Exception {
        FileSessionWriter w = start("full000000000001", new StoreOptions(65536, 1024, false, 4, 1 << 20));
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        assertTrue(w.submit(sink -> {
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, 0));
        assertTrue(running.await(5, TimeUnit.SECONDS));
        for (int i = 0; i < 4; i++) {
            assertTrue(w.submit(event("full000000000001", i)), "slot " + i);
        }
        // the writer is held until `release`: a submit that waited for room would never return
        CompletableFuture<Boolean> full = CompletableFuture.supplyAsync(() -> w.submit(event("full000000000001", 99)));
        assertFalse(full.get(10, TimeUnit.SECONDS), "a full queue answers (no) without waiting for the writer");
        assertEquals(1, w.dropped());
        assertTrue(w.incomplete());
        release.countDown();
        w.close(Duration.ofSeconds(5));
        EventRead read = TraceStore.at(tmp.resolve(".agent-traces")).readEvents("full000000000001");
        assertEquals(4, read.events().size());
        SessionMeta meta = TraceStore.at(tmp.resolve(".agent-traces")).resolve("full000000000001");
        assertTrue(meta.attribution.get("trace_incomplete").asBoolean(), "the final meta says the trace has gaps");
        assertEquals(1, meta.attribution.get("dropped_events").asInt());
    }

    @Test
    void aFloodOfTwoHundredThousandEventsLosesNoneAndKeepsTheirOrder() throws Exception {
        // the worst case of a writer that cannot keep up: it writes nothing while the whole flood
        // is queued (held by the first item), and the default queue, bounded by bytes, holds it
        // all (an item count of 65,536 dropped 134,464 of these)
        String id = "flood00000000001";
        FileSessionWriter w = start(id, StoreOptions.fromEnvironment(java.util.Map.of()));
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        assertTrue(w.submit(sink -> {
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, 0));
        assertTrue(running.await(30, TimeUnit.SECONDS));
        int n = 200_000;
        int refused = 0;
        for (int i = 0; i < n; i++) {
            refused += w.submit(event(id, i)) ? 0 : 1;
        }
        assertEquals(0, refused, "events dropped by the queue");
        release.countDown();
        w.close(Duration.ofSeconds(120));
        assertEquals(0, w.dropped());
        assertFalse(w.incomplete());
        List<TraceEvent> events = TraceStore.at(tmp.resolve(".agent-traces")).readEvents(id).events();
        assertEquals(n, events.size());
        for (int i = 0; i < n; i++) {
            assertEquals(i, events.get(i).data().get("n").asInt(), "event " + i + " is out of place");
        }
        SessionMeta meta = TraceStore.at(tmp.resolve(".agent-traces")).resolve(id);
        assertTrue(meta.attribution == null || !meta.attribution.has("trace_incomplete"), "the meta says nothing is missing");
    }

    @Test
    void dropsWorkOverTheByteBudget() throws Exception {
        FileSessionWriter w = start("bytes00000000001", new StoreOptions(65536, 1024, false, 100, 1000));
        CountDownLatch release = new CountDownLatch(1);
        w.submit(sink -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, 0);
        assertTrue(w.submit(sink -> { }, 600));
        assertFalse(w.submit(sink -> { }, 600), "600 + 600 bytes pending is over the 1000-byte budget");
        assertTrue(w.submit(sink -> { }, 300));
        release.countDown();
        w.close(Duration.ofSeconds(5));
        assertEquals(1, w.dropped());
    }

    /** The test's clock for {@link #manual} writers. */
    private final java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(1_000_000_000L);

    /**
     * A writer on the test's {@link #clock} whose loop never runs: the test makes each visit,
     * at the time it chooses, so holds and quiet times are checked without a wall clock.
     */
    private FileSessionWriter manual(String id) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(".agent-traces").resolve(id));
        SessionMeta meta = new SessionMeta();
        meta.sessionId = id;
        meta.startedAt = 1700000000.0;
        Files.writeString(dir.resolve("meta.json"), TraceJson.metaJson(meta));
        return new FileSessionWriter(dir, meta, StoreOptions.fromEnvironment(java.util.Map.of()), null, err, null,
                new WriterLoop(), clock::get);
    }

    private long at(long offsetNanos, long base) {
        clock.set(base + offsetNanos);
        return base + offsetNanos;
    }

    @Test
    void anEventAloneIsWrittenOnceTheStreamHasBeenQuietFor5ms() throws Exception {
        String id = "quiet00000000001";
        FileSessionWriter w = manual(id);
        EventTail tail = TraceStore.at(tmp.resolve(".agent-traces")).tail(id);
        long q = FileSessionWriter.QUIET_NANOS;
        for (int i = 0; i < 5; i++) {
            long t = clock.get();
            assertTrue(w.submit(event(id, i)));
            List<TraceEvent> seen = new ArrayList<>();
            assertEquals(t + q, w.visit(at(0, t)), "held till the stream has been quiet");
            assertTrue(w.holding());
            w.visit(at(q - 1, t));
            assertTrue(w.holding());
            tail.poll(seen::add);
            assertEquals(List.of(), seen, "not written while the burst may go on");
            w.visit(at(q, t));
            assertFalse(w.holding());
            tail.poll(seen::add);
            assertEquals(1, seen.size(), "written (and flushed) once quiet");
            assertEquals(i, seen.get(0).data().get("n").asInt());
            at(TimeUnit.MILLISECONDS.toNanos(30), t);
        }
    }

    @Test
    void aBurstThatNeverPausesIsWrittenWhenItsOldestEventHasWaitedTheLongestHold() throws Exception {
        // one event per (test) millisecond: never 5 ms of quiet, never a catch-up backlog
        String id = "endless000000001";
        FileSessionWriter w = manual(id);
        EventTail tail = TraceStore.at(tmp.resolve(".agent-traces")).tail(id);
        long ms = TimeUnit.MILLISECONDS.toNanos(1);
        long holdMs = TimeUnit.NANOSECONDS.toMillis(FileSessionWriter.MAX_HOLD_NANOS);
        long t0 = clock.get();
        List<TraceEvent> seen = new ArrayList<>();
        List<Integer> writtenAt = new ArrayList<>();
        for (int k = 0; k <= 2 * holdMs + 1; k++) {
            long now = at(k * ms, t0);
            assertTrue(w.submit(event(id, k)));
            w.visit(now);
            int before = seen.size();
            tail.poll(seen::add);
            if (seen.size() > before) {
                writtenAt.add(k);
            }
        }
        // the first event waited the whole hold, then everything queued went; then the next one
        assertEquals(List.of((int) holdMs, (int) (2 * holdMs + 1)), writtenAt, "the writes during the burst (ms)");
        assertEquals(2 * (int) holdMs + 2, seen.size());
        for (int i = 0; i < seen.size(); i++) {
            assertEquals(i, seen.get(i).data().get("n").asInt());
        }
    }

    @Test
    void aBacklogOfCatchUpSizeEndsTheHoldAtOnce() throws Exception {
        String id = "catchup000000001";
        FileSessionWriter w = manual(id);
        EventTail tail = TraceStore.at(tmp.resolve(".agent-traces")).tail(id);
        long t = clock.get();
        for (int i = 0; i < FileSessionWriter.CATCH_UP_ITEMS - 1; i++) {
            w.submit(event(id, i));
        }
        w.visit(t);
        assertTrue(w.holding(), "below catch-up size a burst is held");
        assertFalse(w.urgent());
        w.submit(event(id, FileSessionWriter.CATCH_UP_ITEMS - 1));
        w.visit(t);
        assertFalse(w.holding(), "at catch-up size it is written without waiting for quiet");
        List<TraceEvent> seen = new ArrayList<>();
        tail.poll(seen::add);
        assertEquals(FileSessionWriter.CATCH_UP_ITEMS, seen.size());
    }

    @Test
    void anIdleWriterSleepsWithoutATimeoutAndWakesForTheNextEvent() throws Exception {
        // a hundred idle HTTP sessions must not poll: with nothing to write the loop parks until a
        // producer wakes it
        FileSessionWriter w = start("idle000000000001", StoreOptions.defaults());
        EventTail tail = TraceStore.at(tmp.resolve(".agent-traces")).tail("idle000000000001");
        w.submit(event("idle000000000001", 0));
        List<TraceEvent> seen = new ArrayList<>();
        long t0 = System.nanoTime();
        awaitSeen(tail, seen, 1, t0);
        assertEquals(1, seen.size());
        Thread writer = writerThread();
        // (meta.json is rewritten within 250 ms of the event; after that nothing is due)
        while (writer.getState() != Thread.State.WAITING && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(3)) {
            Thread.sleep(5);
        }
        assertEquals(Thread.State.WAITING, writer.getState(), "an idle writer parks without a timeout");
        Thread.sleep(50);
        assertEquals(Thread.State.WAITING, writer.getState(), "an idle writer stays asleep");
        long t1 = System.nanoTime();
        w.submit(event("idle000000000001", 1));
        // parked without a timeout: unless the submit wakes it, the event is never written
        awaitSeen(tail, seen, 2, t1);
        assertEquals(2, seen.size(), "the sleeping writer was woken by the next event");
        w.close(Duration.ofSeconds(5));
    }

    @Test
    void anEventIsNotHeldBackByAPendingMetaRewrite() throws Exception {
        // the loop sleeps until meta.json is due; an event meanwhile must wake it. The rewrite is
        // due only in a minute here: an event the loop did not wake for would wait that long, far
        // past the wait for it below
        Path dir = Files.createDirectories(tmp.resolve(".agent-traces").resolve("metawait00000001"));
        SessionMeta meta = metaOf("metawait00000001");
        Files.writeString(dir.resolve("meta.json"), TraceJson.metaJson(meta));
        FileSessionWriter w = new FileSessionWriter(dir, meta, StoreOptions.defaults(), err);
        w.metaInterval(Duration.ofMinutes(1));
        w.start();
        EventTail tail = TraceStore.at(tmp.resolve(".agent-traces")).tail("metawait00000001");
        for (int i = 0; i < 3; i++) {
            w.submit(sink -> {
                sink.meta().toolCalls++;
                sink.metaChanged();
            }, 0);
            Thread.sleep(30); // written; the loop sleeps till the meta rewrite is due
            List<TraceEvent> seen = new ArrayList<>();
            w.submit(event("metawait00000001", i));
            awaitSeen(tail, seen, 1, System.nanoTime());
            assertEquals(1, seen.size(), "event " + i + " was held back till the meta rewrite");
        }
        w.close(Duration.ofSeconds(5));
    }

    /** Submits one event every {@code everyNanos} (spinning: sleeps are too coarse) for {@code nanos}. */
    private static int produce(FileSessionWriter w, String id, long everyNanos, long nanos, AtomicInteger refused) {
        long t0 = System.nanoTime();
        int n = 0;
        for (long next = t0; next - t0 < nanos; next += everyNanos) {
            while (System.nanoTime() < next) {
                Thread.onSpinWait();
            }
            if (!w.submit(event(id, n++))) {
                refused.incrementAndGet();
            }
        }
        return n;
    }

    @Test
    void aLongBurstWakesTheLoopRarelyAndIsOnDiskSoonAfterItEnds() throws Exception {
        // one event per millisecond for 600 ms never leaves the 5 ms quiet that ends a burst: the
        // loop used to look every 5 ms (about 120 times) to find it still going
        FileSessionWriter w = start("burst00000000001", StoreOptions.defaults());
        EventTail tail = TraceStore.at(tmp.resolve(".agent-traces")).tail("burst00000000001");
        AtomicInteger refused = new AtomicInteger();
        long passes0 = WriterLoop.SHARED.passes();
        int n = produce(w, "burst00000000001", TimeUnit.MILLISECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(600), refused);
        long passes = WriterLoop.SHARED.passes() - passes0;
        assertTrue(passes < 70, "the loop looked " + passes + " times during a 600 ms burst");
        List<TraceEvent> seen = new ArrayList<>();
        awaitSeen(tail, seen, n, System.nanoTime());
        assertEquals(0, refused.get());
        assertEquals(n, seen.size(), "the burst is on disk after it ended");
        w.close(Duration.ofSeconds(5));
    }

    @Test
    void aLoadThatRefillsTheQueueAsSoonAsTheWriterYieldsSwitchesPriorityOnceAndLosesLittle() throws Exception {
        // 20 events every millisecond fill a 128-item queue in 6.4 ms. Past half of it the writer
        // competes for the CPU; when it went back to idle priority as soon as the backlog was
        // small, the next burst found it starved again, and it spent its time switching
        // (each switch starts a process) while 60% of the events were dropped
        FileSessionWriter w = start("refill0000000001", new StoreOptions(StoreOptions.DEFAULT_MAX_PAYLOAD_BYTES,
                StoreOptions.DEFAULT_PREVIEW_CHARS, false, 128, 256L << 20));
        EventTail tail = TraceStore.at(tmp.resolve(".agent-traces")).tail("refill0000000001");
        int switches0 = WriterPriority.SWITCHES.get();
        int n = 0;
        int refused = 0;
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(300)) {
            for (int i = 0; i < 20; i++) {
                refused += w.submit(event("refill0000000001", n++)) ? 0 : 1;
            }
            Thread.sleep(1);
        }
        List<TraceEvent> seen = new ArrayList<>();
        awaitSeen(tail, seen, n - refused, System.nanoTime());
        assertEquals(n - refused, seen.size());
        int switches = WriterPriority.SWITCHES.get() - switches0;
        assertTrue(switches <= 1, "the writer changed its priority " + switches + " times during a 300 ms load");
        // the bug dropped 60%; how much a fixed writer keeps depends on the machine (34% were dropped
        // once in a full CI run on 2 cores, under 20% alone), so the bound only separates the two
        assertTrue(refused <= n / 2, refused + " of " + n + " events dropped");
        w.close(Duration.ofSeconds(5));
    }

    @Test
    void fortySessionsAreWrittenByOneThreadEachToItsOwnFiles() throws Exception {
        // the HTTP proxy's shape: many sessions, a producer each, calls interleaved
        int sessions = 40;
        int perSession = 500;
        List<FileSessionWriter> writers = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            writers.add(start(String.format("many%012d", s), StoreOptions.defaults()));
        }
        Thread[] producers = new Thread[sessions];
        for (int s = 0; s < sessions; s++) {
            FileSessionWriter w = writers.get(s);
            producers[s] = new Thread(() -> {
                for (int i = 0; i < perSession; i++) {
                    w.submit(event(w.sessionId(), i));
                    if (i % 50 == 0) {
                        Thread.onSpinWait();
                        Thread.yield();
                    }
                }
            });
            producers[s].start();
        }
        for (Thread t : producers) {
            t.join();
        }
        long live = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("agent-trace-writer")).count();
        assertEquals(1, live, "one writer thread for all sessions");
        for (FileSessionWriter w : writers) {
            w.close(Duration.ofSeconds(10));
        }
        TraceStore store = TraceStore.at(tmp.resolve(".agent-traces"));
        for (FileSessionWriter w : writers) {
            List<TraceEvent> read = store.readEvents(w.sessionId()).events();
            assertEquals(perSession, read.size(), w.sessionId());
            for (int i = 0; i < perSession; i++) {
                assertEquals(w.sessionId(), read.get(i).sessionId());
                assertEquals(i, read.get(i).data().get("n").asInt(), "in order within " + w.sessionId());
            }
            assertFalse(w.incomplete());
        }
    }

    @Test
    void aSlowBacklogInOneSessionDoesNotKeepAnotherOffDisk() throws Exception {
        // one session's backlog takes two seconds to write (a millisecond per item: a slow disk);
        // the loop takes turns, so another session's event is on disk long before that
        FileSessionWriter slow = start("slow000000000001", StoreOptions.defaults());
        FileSessionWriter quiet = start("quiet00000000001", StoreOptions.defaults());
        CountDownLatch writing = new CountDownLatch(1);
        AtomicInteger written = new AtomicInteger();
        for (int i = 0; i < 2000; i++) {
            slow.submit(sink -> {
                writing.countDown();
                written.incrementAndGet();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }, 0);
        }
        assertTrue(writing.await(5, TimeUnit.SECONDS));
        EventTail tail = TraceStore.at(tmp.resolve(".agent-traces")).tail("quiet00000000001");
        for (int i = 0; i < 3; i++) {
            List<TraceEvent> seen = new ArrayList<>();
            quiet.submit(event("quiet00000000001", i));
            while (seen.isEmpty() && written.get() < 2000) {
                tail.poll(seen::add);
                Thread.sleep(1);
            }
            assertEquals(1, seen.size(), "the quiet session's event " + i + " reached its file before the slow backlog was written");
            assertTrue(written.get() < 1500, "event " + i + " waited for " + written.get() + " of the other session's 2000 items");
        }
        slow.close(Duration.ofSeconds(30));
        quiet.close(Duration.ofSeconds(5));
        assertEquals(2000, written.get());
        assertEquals(3, TraceStore.at(tmp.resolve(".agent-traces")).readEvents("quiet00000000001").events().size());
    }

    @Test
    void anErrorInOneSessionEndsThatTraceAndNoOther() throws Exception {
        FileSessionWriter bad = start("error00000000001", StoreOptions.defaults());
        FileSessionWriter good = start("error00000000002", StoreOptions.defaults());
        bad.submit(event("error00000000001", 0));
        bad.submit(sink -> {
            throw new StackOverflowError("deeply nested message");
        }, 0);
        good.submit(event("error00000000002", 0));
        bad.close(Duration.ofSeconds(5));
        assertTrue(bad.incomplete());
        assertFalse(bad.submit(event("error00000000001", 1)), "the failed session takes no more work");
        good.submit(event("error00000000002", 1));
        good.close(Duration.ofSeconds(5));
        TraceStore store = TraceStore.at(tmp.resolve(".agent-traces"));
        assertEquals(1, store.readEvents("error00000000001").events().size(), "what came before the error is on disk");
        assertEquals(2, store.readEvents("error00000000002").events().size());
        assertFalse(good.incomplete());
        String out = errBytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, out.lines().count(), out);
        assertTrue(out.contains("error00000000001") && out.contains("StackOverflowError"), out);
        SessionMeta meta = store.resolve("error00000000001");
        assertTrue(meta.attribution.get("trace_incomplete").asBoolean(), "the final meta says the trace has gaps");
    }

    /** Polls {@code tail} until {@code seen} holds {@code n} events or two seconds pass; the milliseconds since {@code t0}. */
    private static long awaitSeen(EventTail tail, List<TraceEvent> seen, int n, long t0) throws Exception {
        // a wait for the events, not a bound on how soon (the clock tests above check the holds)
        while (seen.size() < n && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10)) {
            tail.poll(seen::add);
            Thread.sleep(1);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    private static Thread writerThread() throws InterruptedException {
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(3)) {
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().equals("agent-trace-writer")) {
                    return t;
                }
            }
            Thread.sleep(1);
        }
        throw new AssertionError("no writer thread");
    }

    @Test
    void rewritesMetaWhileRunningAndAtClose() throws Exception {
        FileSessionWriter w = start("meta000000000001", StoreOptions.defaults());
        TraceStore store = TraceStore.at(tmp.resolve(".agent-traces"));
        w.submit(sink -> {
            sink.meta().toolCalls = 7;
            sink.metaChanged();
        }, 0);
        long t0 = System.nanoTime();
        while (store.resolve("meta000000000001").toolCalls != 7 && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2)) {
            Thread.sleep(5);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(7, store.resolve("meta000000000001").toolCalls);
        assertTrue(ms < 1000, "meta rewritten after " + ms + " ms");
        w.submit(sink -> {
            sink.meta().toolCalls = 8;
            sink.meta().endedAt = 1700000009.5;
            sink.metaChanged();
        }, 0);
        w.close(Duration.ofSeconds(5));
        SessionMeta m = store.resolve("meta000000000001");
        assertEquals(8, m.toolCalls);
        assertEquals(1700000009.5, m.endedAt);
    }

    @Test
    void metaIsNeverObservedHalfWritten() throws Exception {
        Path file = tmp.resolve("meta.json");
        SessionMeta meta = new SessionMeta();
        meta.sessionId = "atomic0000000001";
        TraceStore.writeAtomically(file, TraceJson.asciiBytes(TraceJson.metaJson(meta)));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> bad = new AtomicReference<>();
        AtomicInteger reads = new AtomicInteger();
        Thread reader = new Thread(() -> {
            while (!stop.get() && bad.get() == null) {
                try {
                    SessionMeta m = TraceJson.parseMeta(Files.readAllBytes(file));
                    if (!"atomic0000000001".equals(m.sessionId)) {
                        bad.set("wrong id " + m.sessionId);
                    }
                    reads.incrementAndGet();
                } catch (IOException e) {
                    bad.set(e.toString());
                }
            }
        });
        reader.start();
        for (int i = 0; i < 400; i++) {
            meta.toolCalls = i;
            meta.attribution.put("padding", "x".repeat((i % 7) * 20_000));
            TraceStore.writeAtomically(file, TraceJson.asciiBytes(TraceJson.metaJson(meta)));
        }
        stop.set(true);
        reader.join();
        assertEquals(null, bad.get());
        assertTrue(reads.get() > 0);
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count(), "no temporary files left behind");
        }
    }

    @Test
    void closeIsIdempotentAndLaterSubmitsAreRefused() throws IOException {
        FileSessionWriter w = start("close00000000001", StoreOptions.defaults());
        assertTrue(w.submit(event("close00000000001", 1)));
        w.close(Duration.ofSeconds(5));
        w.close(Duration.ofSeconds(5));
        w.close();
        assertFalse(w.submit(event("close00000000001", 2)));
        assertEquals(1, TraceStore.at(tmp.resolve(".agent-traces")).readEvents("close00000000001").events().size());
    }

    @Test
    void closeDrainsEverythingQueued() throws IOException {
        FileSessionWriter w = start("drain00000000001", StoreOptions.defaults());
        for (int i = 0; i < 20_000; i++) {
            assertTrue(w.submit(event("drain00000000001", i)));
        }
        w.close(Duration.ofSeconds(20));
        EventRead read = TraceStore.at(tmp.resolve(".agent-traces")).readEvents("drain00000000001");
        assertEquals(20_000, read.events().size());
        assertEquals(19_999, read.events().get(19_999).data().get("n").asInt());
        assertFalse(w.incomplete());
    }

    @Test
    void redactsSecretsBeforeTheyReachDisk() throws IOException {
        FileSessionWriter w = start("redact0000000001", StoreOptions.defaults().withRedact(true));
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("tool_name", "Bash");
        data.putObject("arguments").put("api_key", "s3cr3t-value-123")
                .put("command", "curl -H 'Authorization: Bearer abcdef0123456789' https://example.com");
        w.submit(new TraceEvent(EventTypes.TOOL_CALL, 1.0, Ids.eventId(), "redact0000000001", null, null, data));
        w.close(Duration.ofSeconds(5));
        String written = Files.readString(tmp.resolve(".agent-traces/redact0000000001/events.ndjson"));
        assertFalse(written.contains("s3cr3t"), written);
        assertFalse(written.contains("abcdef0123456789"), written);
        assertTrue(written.contains("\"api_key\":\"[REDACTED]\""), written);
        assertTrue(written.contains("Bearer [REDACTED]"), written);
        assertEquals("s3cr3t-value-123", data.get("arguments").get("api_key").asText(), "the producer's tree is not modified");
    }

    @Test
    void typesPythonCannotReadGoToTheSidecar() throws IOException {
        FileSessionWriter w = start("types00000000001", StoreOptions.defaults());
        w.submit(new TraceEvent("policy_violation", 1.0, Ids.eventId(), "types00000000001", null, null,
                JsonNodeFactory.instance.objectNode()));
        w.submit(event("types00000000001", 2));
        w.close(Duration.ofSeconds(5));
        TraceStore store = TraceStore.at(tmp.resolve(".agent-traces"));
        assertEquals(List.of(EventTypes.TOOL_CALL), store.readEvents("types00000000001").events().stream()
                .map(TraceEvent::eventType).collect(java.util.stream.Collectors.toList()));
        assertEquals("policy_violation", store.readMessages("types00000000001").events().get(0).eventType());
        assertTrue(errBytes.toString(StandardCharsets.UTF_8).contains("policy_violation"));
    }

    @Test
    void aWorkItemThatThrowsIsReportedOnceAndSkipped() throws IOException {
        FileSessionWriter w = start("throw00000000001", StoreOptions.defaults());
        for (int i = 0; i < 3; i++) {
            w.submit(sink -> {
                throw new IllegalStateException("classifier bug");
            }, 0);
        }
        w.submit(event("throw00000000001", 1));
        w.close(Duration.ofSeconds(5));
        assertTrue(w.incomplete());
        assertEquals(1, errBytes.toString(StandardCharsets.UTF_8).lines().count());
        assertEquals(1, TraceStore.at(tmp.resolve(".agent-traces")).readEvents("throw00000000001").events().size());
    }

    @Test
    void keepsUpWithTwoProducers() throws Exception {
        FileSessionWriter w = start("load000000000001", StoreOptions.defaults());
        int perThread = 100_000;
        Thread[] producers = new Thread[2];
        long t0 = System.nanoTime();
        for (int p = 0; p < producers.length; p++) {
            int base = p * perThread;
            producers[p] = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    w.submit(event("load000000000001", base + i));
                }
            });
            producers[p].start();
        }
        for (Thread t : producers) {
            t.join();
        }
        w.close(Duration.ofSeconds(60));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        int[] count = {0};
        TraceStore.at(tmp.resolve(".agent-traces")).forEachEvent("load000000000001", e -> count[0]++);
        assertEquals(2 * perThread - w.dropped(), count[0]);
        assertTrue(ms < 30_000, "200k events took " + ms + " ms");
    }
}
