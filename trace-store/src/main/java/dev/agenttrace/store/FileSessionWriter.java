package dev.agenttrace.store;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The {@link SessionWriter} of a {@link TraceStore}: one daemon thread per session, fed by a
 * bounded queue, that owns every file of the session. The threads come from a small pool that
 * keeps finished writers' threads for a minute: the HTTP proxy opens a session per MCP session,
 * and a reused thread keeps its idle scheduling class (see {@link WriterPriority}) instead of
 * spawning {@code chrt} again.
 *
 * <pre>
 *   relay threads --submit (offer, never blocks)--&gt; [ queue: items + byte budget ] --&gt; writer thread
 *                                                                              |-- events.ndjson   (buffered)
 *                                                                              |-- messages.ndjson (buffered)
 *                                                                              '-- meta.json       (atomic, &lt;= 4/s)
 * </pre>
 *
 * <p>Batching: appends go through 64 KiB buffers, flushed at most {@link #LINGER_NANOS} after the
 * first unflushed line (or when a buffer fills) while a backlog is worked off; a burst is held
 * until the stream has been quiet {@link #QUIET_NANOS} or the backlog reaches half the queue, so
 * an event is visible to a tailing reader within ~5 ms of a pause. (A writer that also wrote every
 * 50 ms, or every second, in the middle of a burst raised the stdio proxy's added p50 from 30 to
 * 80 µs, or halved its pipelined throughput: the writing lands inside the burst.) {@code meta.json} is rewritten
 * at most every 250 ms while something changed it, and always at close.
 *
 * <p>Failure: the first {@link IOException} (disk full, directory removed, not writable) prints
 * one line on stderr naming the path and the problem and marks the trace incomplete; from then
 * on the thread keeps taking work off the queue and drops it, so producers never stall and the
 * proxy keeps forwarding. A work item that throws is reported once and skipped.
 *
 * <p>Events whose type agent-strace does not know are written to {@code messages.ndjson}
 * instead of {@code events.ndjson}, with one warning: Python's reader would fail on the whole
 * session otherwise (see {@link EventTypes}).
 */
final class FileSessionWriter implements SessionWriter {
    private static final long META_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /**
     * While the writer works through a long backlog, how long appended lines may wait in the
     * buffers before a flush (otherwise it flushes once the backlog is written).
     */
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * While messages keep coming (a burst), the writer leaves its backlog alone until the
     * stream has been quiet this long: even at idle priority it would share the CPU (and a
     * hyperthread's core) with the relays. A request and its answer a few milliseconds apart
     * (an HTTP round trip) are written in one go.
     */
    private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final int BUFFER = 64 * 1024;
    /** A backlog at close past which the writer returns to normal priority to finish. */
    private static final int CLOSE_BACKLOG = 16;
    /** Queued by {@link #close} to wake the thread; never run. */
    private static final Work STOP = new Work(sink -> { }, 0);

    private record Work(Consumer<EventSink> work, long bytes) {
    }

    private final Path dir;
    private final String sessionId;
    private final StoreOptions opts;
    private final SessionMeta meta;
    /**
     * Lock-free on purpose: the writer runs at idle priority, and a lock it held while preempted
     * would stall the relay threads behind it (priority inversion). Bounded by {@link #queued}.
     */
    private final ConcurrentLinkedQueue<Work> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    /**
     * When the last work arrived: the writer catches up after {@link #QUIET_NANOS} without new
     * work, or at once past half a queue (by count or bytes) of backlog.
     */
    private volatile long lastSubmit;
    private final int capacity;
    private final AtomicLong pendingBytes = new AtomicLong();
    private final LongAdder dropped = new LongAdder();
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    /**
     * Set by the writer before it sleeps; a producer that clears it wakes the writer. An idle
     * writer sleeps rather than polls: the HTTP proxy runs one writer per MCP session, and a
     * hundred idle sessions polling every millisecond or so cost a core of a 2-core machine.
     */
    private final AtomicBoolean asleep = new AtomicBoolean();
    /** The pool thread running this writer; null until it starts. */
    private volatile Thread thread;
    private final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
    private static final java.util.concurrent.ExecutorService THREADS = new java.util.concurrent.ThreadPoolExecutor(0,
            Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "agent-trace-writer");
                t.setDaemon(true);
                return t;
            });
    /** The scheduling class belongs to the thread, which outlives the writer. */
    private static final ThreadLocal<WriterPriority> PRIORITY = ThreadLocal.withInitial(WriterPriority::new);
    private final PrintStream err;
    private volatile boolean closing;
    private volatile boolean incomplete;

    // writer-thread state
    private final Sink sink = new Sink();
    private final StringBuilder line = new StringBuilder(1024);
    private byte[] bytes = new byte[4096];
    private OutputStream events;
    private OutputStream messages;
    private boolean failed;
    private boolean metaDirty;
    private long lastMetaWrite = System.nanoTime();
    private boolean warnedWork;
    private boolean warnedType;

    FileSessionWriter(Path dir, SessionMeta meta, StoreOptions opts) {
        this(dir, meta, opts, System.err);
    }

    FileSessionWriter(Path dir, SessionMeta meta, StoreOptions opts, PrintStream err) {
        this.dir = dir;
        this.meta = meta;
        this.sessionId = meta.sessionId;
        this.opts = opts;
        this.err = err;
        this.capacity = Math.max(1, opts.queueCapacity());
    }

    void start() {
        THREADS.execute(this::run);
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
        lastSubmit = System.nanoTime();
        if (queued.incrementAndGet() > capacity) {
            queued.decrementAndGet();
            pendingBytes.addAndGet(-b);
            return drop();
        }
        queue.offer(new Work(work, b));
        if (asleep.get() && asleep.compareAndSet(true, false)) {
            LockSupport.unpark(thread); // the first message after a quiet spell (asleep: thread is set)
        }
        return true;
    }

    private boolean drop() {
        dropped.increment();
        incomplete = true;
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
        if (Thread.currentThread() == thread) {
            return; // called from a work item: the loop ends once the queue is empty
        }
        if (closeRequested.compareAndSet(false, true)) {
            queue.offer(STOP);
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t); // (not started yet: it sees closing before it ever sleeps)
            }
        }
        try {
            finished.await(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- the writer thread

    private void run() {
        Thread self = Thread.currentThread();
        self.setName("agent-trace-writer-" + sessionId);
        thread = self;
        WriterPriority priority = PRIORITY.get();
        try {
            write(priority);
        } finally {
            thread = null;
            self.setName("agent-trace-writer");
            finished.countDown();
        }
    }

    private void write(WriterPriority priority) {
        priority.idle();
        int catchUpAt = Math.max(16, capacity / 2);
        int relaxAt = Math.max(4, catchUpAt / 4);
        long catchUpBytes = Math.max(1, opts.queueBytes() / 2);
        try {
            long unflushedSince = 0;
            while (true) {
                if (!closing && holdBack(catchUpAt, catchUpBytes)) {
                    continue;
                }
                Work w = take();
                if (w != null) {
                    int backlog = queued.get();
                    if (closing) {
                        // the session is ending with a backlog: nothing left to yield to, and the
                        // process may be waiting for us (a few items finish even at idle priority)
                        if (backlog > CLOSE_BACKLOG && priority.isIdle()) {
                            priority.normal();
                        }
                    } else if (backlog > catchUpAt) {
                        priority.normal();
                    } else if (backlog < relaxAt && !priority.isIdle()) {
                        priority.idle();
                    }
                }
                if (w == STOP) {
                    break;
                }
                if (w != null) {
                    runOne(w);
                    if (unflushedSince == 0) {
                        unflushedSince = System.nanoTime();
                    }
                    if (System.nanoTime() - unflushedSince >= LINGER_NANOS) {
                        // a long catch-up: the file grows at least every millisecond
                        flush();
                        unflushedSince = 0;
                        writeMetaIfDue();
                    }
                    continue;
                }
                // the queue is empty: whatever the burst held back goes to the file now
                if (closing) {
                    break;
                }
                if (unflushedSince != 0) {
                    flush();
                    unflushedSince = 0;
                }
                writeMetaIfDue();
                awaitWork();
            }
            Work w;
            while ((w = take()) != null) {
                if (w != STOP) {
                    runOne(w);
                }
            }
        } finally {
            flush();
            writeMeta();
            closeStreams();
        }
    }

    /**
     * Parks while a burst goes on; false when the backlog is to be written now: nothing queued,
     * the stream quiet, or the backlog large.
     */
    private boolean holdBack(int catchUpAt, long catchUpBytes) {
        int n = queued.get();
        if (n == 0 || n >= catchUpAt || pendingBytes.get() >= catchUpBytes) {
            return false;
        }
        long quietIn = lastSubmit + QUIET_NANOS - System.nanoTime();
        if (quietIn <= 0) {
            return false;
        }
        // no waiter is registered, so producers never pay for a wake-up while a burst goes on
        LockSupport.parkNanos(quietIn);
        return true;
    }

    /** The next queued item, or null; keeps the count that bounds the queue. */
    private Work take() {
        Work w = queue.poll();
        if (w != null && w != STOP) {
            queued.decrementAndGet();
        }
        return w;
    }

    /**
     * Sleeps until a producer queues work (the first one to find {@link #asleep} set wakes us),
     * the session closes, or meta.json is due. Producers pay for a wake-up only after the writer
     * has caught up and gone to sleep, at most once per batch.
     */
    private void awaitWork() {
        while (!closing && queue.isEmpty()) {
            long now = System.nanoTime();
            long metaDue = lastMetaWrite + META_INTERVAL_NANOS;
            if (metaDirty && !failed && now >= metaDue) {
                return;
            }
            asleep.set(true);
            // look once more after raising the flag: a producer that offered before seeing it
            // does not wake us (flag and queue are both volatile, so one side sees the other)
            if (closing || !queue.isEmpty()) {
                asleep.set(false);
                return;
            }
            if (metaDirty && !failed) {
                LockSupport.parkNanos(this, metaDue - now);
            } else {
                LockSupport.park(this);
            }
            asleep.set(false);
        }
    }

    private void runOne(Work w) {
        try {
            if (!failed) {
                w.work.accept(sink);
            }
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
        if (metaDirty && System.nanoTime() - lastMetaWrite >= META_INTERVAL_NANOS) {
            writeMeta();
        }
    }

    private void writeMeta() {
        metaDirty = false;
        lastMetaWrite = System.nanoTime();
        if (failed) {
            return;
        }
        Path file = dir.resolve(TraceStore.META);
        try {
            SessionMeta out = meta;
            if (incomplete) {
                out = meta.copy();
                ObjectNode a = out.attribution != null ? out.attribution : JsonNodeFactory.instance.objectNode();
                a.put("trace_incomplete", true);
                a.put("dropped_events", dropped.sum());
                out.attribution = a;
            }
            TraceStore.writeAtomically(file, TraceJson.asciiBytes(TraceJson.metaJson(TraceStore.forDisk(out, opts))));
        } catch (IOException e) {
            fail(file, e);
        }
    }

    private void append(TraceEvent e, boolean sidecar) {
        if (failed) {
            return;
        }
        if (opts.redact()) {
            e = Redactor.redact(e);
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
                }
            }
            line.setLength(0);
            TraceJson.appendEvent(e, line);
            line.append('\n');
            int n = line.length();
            if (bytes.length < n) {
                bytes = new byte[Math.max(n, bytes.length * 2)];
            }
            for (int i = 0; i < n; i++) {
                bytes[i] = (byte) line.charAt(i); // ASCII only: TraceJson escapes everything else
            }
            out.write(bytes, 0, n);
            if (line.capacity() > 1 << 20) {
                line.setLength(0);
                line.trimToSize();
            }
        } catch (IOException ex) {
            fail(dir.resolve(name), ex);
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
            err.println("agent-trace: cannot write " + path + " (" + TraceStore.describe(e) + "); the trace of session "
                    + sessionId + " is incomplete from here on. Forwarding is not affected.");
        }
    }

    /** The writer thread's view: every method runs on that thread only. */
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
