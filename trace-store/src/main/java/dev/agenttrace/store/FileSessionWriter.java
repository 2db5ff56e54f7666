package dev.agenttrace.store;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.redact.Redactor;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The {@link SessionWriter} of a {@link TraceStore}: a bounded queue per session, and the files
 * of the session, written by the process's one {@link WriterLoop} thread (the HTTP proxy opens a
 * session per MCP session; a thread each cost more than a context switch per call).
 *
 * <pre>
 *   relay threads --submit (offer, never blocks)--&gt; [ queue: items + byte budget ] --&gt; writer loop
 *                                                                              |-- events.ndjson   (buffered)
 *                                                                              |-- messages.ndjson (buffered)
 *                                                                              '-- meta.json       (atomic, &lt;= 4/s)
 * </pre>
 *
 * <p>Batching: appends go through 64 KiB buffers, flushed after each turn of at most
 * {@link #SLICE_NANOS} (or when a buffer fills) while a backlog is worked off; a burst is held
 * until the stream has been quiet {@link #QUIET_NANOS}, the backlog reaches {@link #CATCH_UP_ITEMS}
 * items or {@link #CATCH_UP_BYTES}, or its
 * oldest event has waited {@link #MAX_HOLD_NANOS}, so an event is visible to a tailing reader
 * within 5 ms of a pause (up to {@link WriterLoop#MAX_GAP_NANOS} later after a long burst), and
 * never more than about a second after it happened while a burst goes on. (Writing every 50 ms in
 * the middle of a burst raised the stdio proxy's added p50 from 30 to 80 µs; with no bound at all,
 * a session that never paused kept up to half a queue, 32,768 events, in memory only: lost to a
 * SIGKILL, invisible to {@code agent-trace watch}, and promoted by the GC into old-generation pages
 * touched for the first time, 160-270 ms young pauses with an inline watch.) {@code meta.json} is
 * rewritten at most every 250 ms while something changed it, and always at close.
 *
 * <p>Bound: the queue holds {@link StoreOptions#queueBytes()} of pending work (128 MiB by default,
 * {@code AGENT_TRACE_WRITER_QUEUE_BYTES}), so a flood the writer cannot keep up with (the stdio
 * proxy forwards 70,000-80,000 small calls a second, each two messages to parse, redact and write)
 * is written late rather than lost; only past that bound is work dropped, counted and reported.
 *
 * <p>Failure: the first {@link IOException} (disk full, directory removed, not writable) prints
 * one line on stderr naming the path and the problem and marks the trace incomplete; from then
 * on the thread keeps taking work off the queue and drops it, so producers never stall and the
 * proxy keeps forwarding. A work item that throws is reported once and skipped; one that throws
 * an {@link Error} ends its session's trace (reported once), and the other sessions go on.
 *
 * <p>Events whose type agent-strace does not know are written to {@code messages.ndjson}
 * instead of {@code events.ndjson}, with one warning: Python's reader would fail on the whole
 * session otherwise (see {@link EventTypes}).
 */
final class FileSessionWriter implements SessionWriter {
    private static final long META_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /**
     * While messages keep coming (a burst), the writer leaves its backlog alone until the
     * stream has been quiet this long: even at idle priority it would share the CPU (and a
     * hyperthread's core) with the relays. A request and its answer a few milliseconds apart
     * (an HTTP round trip) are written in one go.
     */
    static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /**
     * The longest the oldest queued event is held back while a burst goes on: how far behind
     * the trace on disk can fall (and what a SIGKILL can cost) in a session that never pauses.
     */
    static final long MAX_HOLD_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int BUFFER = 64 * 1024;
    /**
     * A backlog of this many items (or {@link #CATCH_UP_BYTES}) ends a hold and makes the writer
     * compete for the CPU, whatever the queue's bound: the bound is by bytes (128 MiB by default)
     * and may hold a few hundred thousand items, far more than should wait at idle priority.
     */
    static final int CATCH_UP_ITEMS = 32_768;
    static final long CATCH_UP_BYTES = 8L << 20;
    /** A backlog at close past which the writer returns to normal priority to finish. */
    private static final int CLOSE_BACKLOG = 16;

    private record Work(Consumer<EventSink> work, long bytes) {
    }

    /** {@link #visit} results: visit again at once; finished (closed); nothing to do until more work. */
    static final long AGAIN = Long.MIN_VALUE;
    static final long DONE = Long.MIN_VALUE + 1;
    static final long IDLE = Long.MAX_VALUE;
    /**
     * How long one visit may write a backlog before it flushes and the next session gets its
     * turn: during a long catch-up the file grows at least every millisecond or so.
     */
    static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Path dir;
    private final String sessionId;
    private final StoreOptions opts;
    private final Redactor redactor;
    private final SessionMeta meta;
    private final WriterLoop loop;
    private final java.util.function.LongSupplier clock;
    /** How often meta.json may be rewritten while something changes it. */
    private long metaIntervalNanos = META_INTERVAL_NANOS;
    /**
     * Lock-free on purpose: the writer runs at idle priority, and a lock it held while preempted
     * would stall the relay threads behind it (priority inversion). Bounded by {@link #queued}.
     */
    private final ConcurrentLinkedQueue<Work> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    /**
     * When the last work arrived: the writer catches up after {@link #QUIET_NANOS} without new
     * work, or at once past {@link #CATCH_UP_ITEMS} or {@link #CATCH_UP_BYTES} of backlog.
     */
    private volatile long lastSubmit;
    /**
     * When the oldest work still queued arrived: set when the queue goes from empty to one (a
     * drain that races a submit leaves an older time, which only ends a hold sooner).
     */
    private volatile long oldestSubmit;
    private final int capacity;
    private final int catchUpAt;
    private final int relaxAt;
    private final long catchUpBytes;
    private final AtomicLong pendingBytes = new AtomicLong();
    private final LongAdder dropped = new LongAdder();
    /**
     * True while the session is on the loop's list (or on its way there); the producer that sets
     * it hands the session to the loop, so a busy session costs producers one volatile read.
     */
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final PrintStream err;
    /** Live export's view of what is written, or null (see {@link EventTee}). */
    private final EventTee tee;
    /** Counted down once the tee's listener handled this session's end; close waits for it. */
    private volatile CountDownLatch teeDelivered;
    private volatile boolean closing;
    private volatile boolean incomplete;

    // loop-thread state
    private final Sink sink = new Sink();
    private final StringBuilder line = new StringBuilder(1024);
    private OutputStream events;
    private OutputStream messages;
    private boolean failed;
    /** Why the trace is incomplete, first cause first (null while whole). */
    private String incompleteReason;
    /** Events that reached the writer but not the disk: after a write failure, or past the size cap. */
    private long lostEvents;
    private long cutEvents;
    private long cutBytes;
    /** Bytes this session may still write ({@link #setByteBudget}); negative: no cap. */
    private long budget = -1;
    private long budgetTotal = -1;
    private String budgetSource;
    /**
     * Where each event line handed to the events buffer since its last successful flush ends in
     * the file: when the disk fails, the lines ending past the file's size are the ones lost.
     */
    private long[] pendingEnds = new long[256];
    private int pendingCount;
    private long eventsBytes;
    private boolean metaDirty;
    private long lastMetaWrite;
    private boolean warnedWork;
    private boolean warnedType;
    /** The last {@link #visit} held a burst back (rather than waiting for a meta.json rewrite). */
    private boolean holding;
    /** Attribution keys the tee last saw. */
    private int teeAttributionSize = -1;

    FileSessionWriter(Path dir, SessionMeta meta, StoreOptions opts) {
        this(dir, meta, opts, System.err);
    }

    FileSessionWriter(Path dir, SessionMeta meta, StoreOptions opts, PrintStream err) {
        this(dir, meta, opts, opts.redact() ? Redactor.plain() : null, err, null);
    }

    /**
     * @param redactor applied to every event and the meta before they are written; null: none
     * @param tee      live export's view of what is written (already redacted), or null
     */
    FileSessionWriter(Path dir, SessionMeta meta, StoreOptions opts, Redactor redactor, PrintStream err, EventTee tee) {
        this(dir, meta, opts, redactor, err, tee, WriterLoop.SHARED, System::nanoTime);
    }

    /**
     * @param loop  the thread that writes (tests: a loop never started, whose visits they make)
     * @param clock {@link System#nanoTime()}, or a test's clock: every hold, quiet time and
     *              meta.json interval is measured on it
     */
    FileSessionWriter(Path dir, SessionMeta meta, StoreOptions opts, Redactor redactor, PrintStream err, EventTee tee,
                      WriterLoop loop, java.util.function.LongSupplier clock) {
        this.clock = clock;
        this.lastMetaWrite = clock.getAsLong();
        this.redactor = redactor;
        this.tee = tee;
        if (tee != null) {
            tee.sessionStarted(TraceStore.forDisk(meta.copy(), redactor));
        }
        this.dir = dir;
        this.meta = meta;
        this.sessionId = meta.sessionId;
        this.opts = opts;
        this.err = err;
        this.loop = loop;
        this.capacity = Math.max(1, opts.queueCapacity());
        this.catchUpAt = Math.max(16, Math.min(CATCH_UP_ITEMS, capacity / 2));
        this.relaxAt = Math.max(4, catchUpAt / 4);
        this.catchUpBytes = Math.max(1, Math.min(CATCH_UP_BYTES, opts.queueBytes() / 2));
    }

    /**
     * Caps what this session writes to {@code events.ndjson} and {@code messages.ndjson}; past it
     * events are counted, not written, and the trace is marked incomplete. {@code source} names
     * the cap for the record ("the session cap of 512 MiB").
     */
    void setByteBudget(long bytes, String source) {
        this.budget = bytes;
        this.budgetTotal = bytes;
        this.budgetSource = source;
    }

    /** Tests: a longer interval between meta.json rewrites (set before {@link #start}). */
    void metaInterval(java.time.Duration d) {
        metaIntervalNanos = d.toNanos();
    }

    void start() {
        IncompleteMarker.reserve(dir);
        loop.ensureStarted();
        if (scheduled.compareAndSet(false, true)) {
            loop.schedule(this); // writes whatever was submitted before the start
        }
    }

    @Override
    public String sessionId() {
        return sessionId;
    }

    @Override
    public boolean submit(Consumer<EventSink> work, long approxBytes) {
        long b = Math.max(0, approxBytes);
        if (closing) {
            return drop();
        }
        if (pendingBytes.addAndGet(b) > opts.queueBytes()) {
            pendingBytes.addAndGet(-b);
            return drop();
        }
        long now = clock.getAsLong();
        lastSubmit = now;
        int n = queued.incrementAndGet();
        if (n > capacity) {
            queued.decrementAndGet();
            pendingBytes.addAndGet(-b);
            return drop();
        }
        if (n == 1) {
            oldestSubmit = now;
        }
        queue.offer(new Work(work, b));
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            loop.schedule(this); // the first work after the session went idle
        } else {
            loop.nudge(); // the loop may be asleep till a meta.json rewrite is due
        }
        return true;
    }

    private boolean drop() {
        dropped.increment();
        incomplete = true; // the reason is set on the loop thread, when the meta is next written
        return false;
    }

    @Override
    public long dropped() {
        return dropped.sum();
    }

    @Override
    public boolean incomplete() {
        return incomplete;
    }

    @Override
    public void close(Duration timeout) {
        closing = true;
        if (loop.onLoopThread()) {
            return; // called from a work item: the session ends once its queue is empty
        }
        if (scheduled.compareAndSet(false, true)) {
            loop.schedule(this);
        }
        loop.wake();
        long stall = Math.max(1, timeout.toNanos());
        try {
            // a backlog of up to the queue's byte budget may take seconds to write on a busy
            // machine (a flood ended just now): wait while it shrinks, give up only after
            // `timeout` in which nothing was written (a writer stuck on a dead disk)
            int left = queued.get();
            long lastProgress = System.nanoTime();
            while (!finished.await(Math.min(100, Math.max(1, TimeUnit.NANOSECONDS.toMillis(stall))), TimeUnit.MILLISECONDS)) {
                int now = queued.get();
                if (now < left) {
                    left = now;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress >= stall) {
                    err.println("agent-trace: the trace of session " + sessionId + " misses its last " + now
                            + " queued messages: the writer made no progress for " + timeout.toMillis() + " ms at exit");
                    return;
                }
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            CountDownLatch exported = teeDelivered;
            if (exported != null) { // live export: the process may exit right after this close
                exported.await(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- on the loop thread

    /**
     * One turn of the {@link WriterLoop}: writes the backlog unless a burst is still going on,
     * rewrites meta.json when due, ends the session once it is closing.
     *
     * @return {@link #AGAIN}, {@link #DONE}, {@link #IDLE}, or the {@link System#nanoTime()} at
     *     which to visit again ({@link #holding} says whether a burst is held back till then)
     */
    long visit(long now) {
        try {
            return turn(now);
        } catch (Throwable t) { // an Error in a work item: this session ends, the others go on
            closing = true;
            incomplete = true;
            if (!warnedWork) {
                warnedWork = true;
                err.println("agent-trace: recording session " + sessionId + " failed (" + t + "); its trace ends here"
                        + " and is marked incomplete. Forwarding is not affected.");
            }
            try {
                finish(); // counts the latch down whatever happens
            } catch (Throwable ignored) {
                // already reported: the session's trace ends here
            }
            return DONE;
        }
    }

    private long turn(long now) {
        holding = false;
        if (closing) {
            Work w;
            while ((w = take()) != null) {
                runOne(w);
            }
            finish();
            return DONE;
        }
        int n = queued.get();
        if (n > 0 && n < catchUpAt && pendingBytes.get() < catchUpBytes) {
            long quietAt = lastSubmit + QUIET_NANOS;
            long heldTill = oldestSubmit + MAX_HOLD_NANOS;
            if (quietAt - now > 0 && heldTill - now > 0) {
                holding = true;
                return quietAt - heldTill < 0 ? quietAt : heldTill;
            }
        }
        if (n > 0) {
            long end = now + SLICE_NANOS;
            Work w;
            while ((w = take()) != null) {
                runOne(w);
                if (clock.getAsLong() - end >= 0) {
                    break;
                }
            }
            flush();
            if (queued.get() > 0) {
                writeMetaIfDue();
                return AGAIN;
            }
        }
        if (metaDirty && !failed) {
            long due = lastMetaWrite + metaIntervalNanos;
            if (due - clock.getAsLong() > 0) {
                return due;
            }
            writeMeta();
        }
        return IDLE;
    }

    private void finish() {
        try {
            flush();
            writeMeta();
            closeStreams();
            if (incomplete || failed) {
                writeMarker(); // whether or not the meta could say so
            } else {
                IncompleteMarker.release(dir);
            }
            if (tee != null) {
                SessionMeta last = TraceStore.forDisk(meta.copy(), redactor);
                if (incomplete) {
                    last.attribution = last.attribution == null ? JsonNodeFactory.instance.objectNode() : last.attribution.deepCopy();
                    last.attribution.put("trace_incomplete", true);
                }
                teeDelivered = tee.sessionEnded(last);
            }
        } finally {
            finished.countDown();
        }
    }

    /** Work is queued (read by the loop before it sleeps). */
    boolean hasWork() {
        return queued.get() > 0;
    }

    /** The last visit held a burst back (see {@link #visit}). */
    boolean holding() {
        return holding;
    }

    /** A backlog (or one left at close) large enough to write at normal priority. */
    boolean urgent() {
        int n = queued.get();
        return n > catchUpAt || pendingBytes.get() > catchUpBytes || closing && n > CLOSE_BACKLOG;
    }

    /** A backlog small enough to write at idle priority again. */
    boolean relaxed() {
        return queued.get() < relaxAt && pendingBytes.get() < catchUpBytes / 4;
    }

    /**
     * The loop is done with this session for now. False when work (or a close) arrived meanwhile:
     * then the session stays on the loop's list.
     */
    boolean unschedule() {
        scheduled.set(false);
        return !((queued.get() > 0 || closing) && scheduled.compareAndSet(false, true));
    }

    /** The next queued item, or null; keeps the count that bounds the queue. */
    private Work take() {
        Work w = queue.poll();
        if (w != null) {
            queued.decrementAndGet();
        }
        return w;
    }

    private void runOne(Work w) {
        try {
            w.work.accept(sink); // after a failure too: the meta keeps its counters and gets its ended_at
        } catch (RuntimeException | LinkageError e) {
            incomplete = true;
            if (!warnedWork) {
                warnedWork = true;
                err.println("agent-trace: recording a message failed (" + e + "); the trace of session " + sessionId
                        + " misses it and is marked incomplete. Forwarding is not affected.");
            }
        } finally {
            pendingBytes.addAndGet(-w.bytes);
        }
    }

    private void writeMetaIfDue() {
        if (metaDirty && clock.getAsLong() - lastMetaWrite >= metaIntervalNanos) {
            writeMeta();
        }
    }

    private void writeMeta() {
        metaDirty = false;
        lastMetaWrite = clock.getAsLong();
        Path file = dir.resolve(TraceStore.META);
        try {
            SessionMeta out = meta;
            if (incomplete) {
                out = meta.copy();
                ObjectNode a = out.attribution != null ? out.attribution : JsonNodeFactory.instance.objectNode();
                putIncompleteness(a);
                out.attribution = a;
            }
            TraceStore.writeAtomically(file, TraceJson.asciiBytes(TraceJson.metaJson(TraceStore.forDisk(out, redactor))));
        } catch (IOException e) {
            fail(file, e);
        }
    }

    /** What the meta and the marker say about what is missing. */
    private void putIncompleteness(ObjectNode a) {
        long queueDropped = dropped.sum();
        if (queueDropped > 0 && (incompleteReason == null || !incompleteReason.contains("queue"))) {
            String q = "the writer's queue overflowed (" + queueDropped + " events dropped; a server flooding faster than the disk)";
            incompleteReason = incompleteReason == null ? q : incompleteReason + "; " + q;
        }
        a.put("trace_incomplete", true);
        a.put("dropped_events", queueDropped + lostEvents + cutEvents);
        a.put("queue_dropped_events", queueDropped);
        if (lostEvents > 0) {
            a.put("lost_events", lostEvents);
        }
        if (cutEvents > 0) {
            a.put("cut_events", cutEvents);
            a.put("cut_bytes", cutBytes);
        }
        a.put("incomplete_reason", incompleteReason == null ? "a message could not be recorded" : incompleteReason);
    }

    private void writeMarker() {
        try {
            ObjectNode facts = JsonNodeFactory.instance.objectNode();
            facts.put("session_id", sessionId);
            putIncompleteness(facts);
            if (meta.endedAt != null) {
                facts.put("ended_at", meta.endedAt);
            }
            facts.put("tool_calls", meta.toolCalls);
            facts.put("errors", meta.errors);
            facts.put("written_at", System.currentTimeMillis() / 1000.0);
            IncompleteMarker.write(dir, facts);
        } catch (IOException | RuntimeException e) {
            // the one warning already printed says the trace is incomplete; readers see no marker
            // and fall back on the meta (which, written or not, is all that is left to try)
        }
    }

    private void append(TraceEvent e, boolean sidecar) {
        if (failed) {
            if (!sidecar && EventTypes.AGENT_STRACE.contains(e.eventType())) {
                lostEvents++;
            }
            return;
        }
        if (redactor != null) {
            e = redactor.event(e);
        }
        if (!sidecar && !EventTypes.AGENT_STRACE.contains(e.eventType())) {
            if (!warnedType) {
                warnedType = true;
                err.println("agent-trace: event type '" + e.eventType() + "' is not one agent-strace reads;"
                        + " such events go to " + TraceStore.MESSAGES + " (a bug in agent-trace, please report it)");
            }
            sidecar = true;
        }
        String name = sidecar ? TraceStore.MESSAGES : TraceStore.EVENTS;
        try {
            OutputStream out = sidecar ? messages : events;
            if (out == null) {
                out = new BufferedOutputStream(new FileOutputStream(dir.resolve(name).toFile(), true), BUFFER);
                if (sidecar) {
                    messages = out;
                } else {
                    events = out;
                    eventsBytes = dir.resolve(name).toFile().length();
                }
            }
            line.setLength(0);
            TraceJson.appendEvent(e, line);
            line.append('\n');
            int n = line.length();
            if (budget >= 0 && n > budget) {
                capReached(out, n);
                return;
            }
            if (budget >= 0) {
                budget -= n;
            }
            // ASCII only: TraceJson escapes everything else. One bulk copy: a charAt per char
            // (bounds-checked, through the builder) was 11% of the writer's time under a flood
            byte[] bytes = line.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            if (!sidecar) { // before the write: a write that fails loses this line too
                eventsBytes += n;
                if (pendingCount == pendingEnds.length) {
                    pendingEnds = java.util.Arrays.copyOf(pendingEnds, pendingCount * 2);
                }
                pendingEnds[pendingCount++] = eventsBytes;
            }
            out.write(bytes, 0, n);
            if (tee != null) {
                tee.event(e, sidecar);
            }
            if (line.capacity() > 1 << 20) {
                line.setLength(0);
                line.trimToSize();
            }
        } catch (IOException ex) {
            fail(dir.resolve(name), ex);
        }
    }

    /** The size cap is reached: this event and every later one are counted, not written; one line says so. */
    private void capReached(OutputStream out, int n) throws IOException {
        cutEvents++;
        cutBytes += n;
        if (incompleteReason != null && incompleteReason.contains("size cap")) {
            return;
        }
        incomplete = true;
        metaDirty = true;
        String why = budgetSource + " (" + budgetTotal + " bytes) was reached; later events are counted, not written"
                + " (raise it with " + StoreOptions.ENV_MAX_SESSION_BYTES + " / " + StoreOptions.ENV_MAX_STORE_BYTES + ")";
        incompleteReason = incompleteReason == null ? why : incompleteReason + "; " + why;
        if (out == events) {
            ObjectNode d = JsonNodeFactory.instance.objectNode().put("message", "agent-trace: trace cut: " + why)
                    .put("trace_incomplete", true);
            line.setLength(0);
            TraceJson.appendEvent(new TraceEvent(EventTypes.ERROR, System.currentTimeMillis() / 1000.0, Ids.eventId(),
                    sessionId, null, null, d), line);
            line.append('\n');
            out.write(line.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    private void flush() {
        if (failed) {
            return;
        }
        try {
            if (events != null) {
                events.flush();
            }
        } catch (IOException e) {
            fail(dir.resolve(TraceStore.EVENTS), e);
        }
        try {
            if (messages != null && !failed) {
                messages.flush();
            }
        } catch (IOException e) {
            fail(dir.resolve(TraceStore.MESSAGES), e);
        }
        if (!failed) {
            pendingCount = 0;
        }
    }

    private void closeStreams() {
        for (OutputStream s : new OutputStream[] {events, messages}) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // already reported by flush, or nothing was left to write
                }
            }
        }
        events = null;
        messages = null;
    }

    private void fail(Path path, IOException e) {
        incomplete = true;
        if (!failed) {
            failed = true;
            String why = "cannot write " + path.getFileName() + ": " + TraceStore.describe(e) + " (at "
                    + java.time.Instant.now() + ")";
            incompleteReason = incompleteReason == null ? why : incompleteReason + "; " + why;
            err.println("agent-trace: cannot write " + path + " (" + TraceStore.describe(e) + "); the trace of session "
                    + sessionId + " is incomplete from here on. Forwarding is not affected.");
            closeStreams(); // what a full disk left in the buffers is lost, and counted
            long onDisk = -1;
            try {
                onDisk = java.nio.file.Files.size(dir.resolve(TraceStore.EVENTS));
            } catch (IOException | RuntimeException unknown) {
                // cannot tell: every line not flushed counts as lost
            }
            for (int i = 0; i < pendingCount; i++) {
                if (pendingEnds[i] > onDisk) {
                    lostEvents++;
                }
            }
            pendingCount = 0;
            writeMarker();
        }
    }

    /** The writer loop's view: every method runs on that thread only. */
    private final class Sink implements EventSink {
        @Override
        public String sessionId() {
            return sessionId;
        }

        @Override
        public String newEventId() {
            return Ids.eventId();
        }

        @Override
        public void append(TraceEvent event) {
            FileSessionWriter.this.append(event, false);
        }

        @Override
        public void appendMessage(TraceEvent record) {
            FileSessionWriter.this.append(record, true);
        }

        @Override
        public SessionMeta meta() {
            return meta;
        }

        @Override
        public void metaChanged() {
            metaDirty = true;
            if (tee != null && meta.attribution != null && meta.attribution.size() != teeAttributionSize) {
                teeAttributionSize = meta.attribution.size(); // a new key: rare, unlike the counters
                tee.metaChanged(TraceStore.forDisk(meta.copy(), redactor));
            }
        }

        @Override
        public StoreOptions options() {
            return opts;
        }

        @Override
        public ObjectNode newData() {
            return JsonNodeFactory.instance.objectNode();
        }
    }
}
