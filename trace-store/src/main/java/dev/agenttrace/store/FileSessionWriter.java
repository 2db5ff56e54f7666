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
 * bounded queue, that owns every file of the session.
 *
 * <pre>
 *   relay threads --submit (offer, never blocks)--&gt; [ queue: items + byte budget ] --&gt; writer thread
 *                                                                              |-- events.ndjson   (buffered)
 *                                                                              |-- messages.ndjson (buffered)
 *                                                                              '-- meta.json       (atomic, &lt;= 4/s)
 * </pre>
 *
 * <p>Batching: appends go through 64 KiB buffers, flushed at most {@link #LINGER_NANOS} after the
 * first unflushed line (or when a buffer fills). Under load that is one write per buffer or per
 * millisecond; when idle every event is on disk (visible to a tailing reader) within ~1 ms. {@code meta.json} is rewritten at most every 250 ms while
 * something changed it, and always at close.
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
     * How long appended lines may wait in the buffers before a flush. Flushing whenever the
     * queue ran empty cost two write(2) calls per message under a steady stream; a tailing reader
     * still sees every event within a couple of milliseconds.
     */
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final int BUFFER = 64 * 1024;
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
     * When the last work arrived. While messages keep coming (a burst), the writer leaves its
     * backlog alone, even at idle priority it would share the CPU (and a hyperthread's core) with
     * the relays; it catches up in the first quiet {@link #QUIET_NANOS}, or at once past half a
     * queue of backlog.
     */
    private volatile long lastSubmit;
    private final int capacity;
    private final WriterPriority priority = new WriterPriority();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final LongAdder dropped = new LongAdder();
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    private final Thread thread;
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
        this.thread = new Thread(this::run, "agent-trace-writer-" + sessionId);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
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
            LockSupport.unpark(thread);
        }
        try {
            thread.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- the writer thread

    private void run() {
        priority.idle();
        int catchUpAt = Math.max(16, capacity / 2);
        int relaxAt = Math.max(4, catchUpAt / 4);
        try {
            long unflushedSince = 0;
            while (true) {
                if (!closing && queued.get() < catchUpAt && System.nanoTime() - lastSubmit < QUIET_NANOS) {
                    LockSupport.parkNanos(QUIET_NANOS / 2);
                    continue;
                }
                Work w = take();
                if (w != null) {
                    int backlog = queued.get();
                    if (closing) {
                        // the session is ending: nothing left to yield to, and the process waits for us
                        if (priority.isIdle()) {
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
                        flush();
                        unflushedSince = 0;
                        writeMetaIfDue();
                    }
                    continue;
                }
                // the queue is empty
                if (closing) {
                    break;
                }
                if (unflushedSince != 0) {
                    long left = unflushedSince + LINGER_NANOS - System.nanoTime();
                    if (left > 0) {
                        // linger without registering as a waiter, so producers never pay for a wake-up
                        LockSupport.parkNanos(Math.min(left, LINGER_NANOS / 4));
                        continue;
                    }
                    flush();
                    unflushedSince = 0;
                }
                writeMetaIfDue();
                w = next();
                if (w == STOP) {
                    break;
                }
                if (w != null) {
                    runOne(w);
                    unflushedSince = System.nanoTime();
                }
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

    /** The next queued item, or null; keeps the count that bounds the queue. */
    private Work take() {
        Work w = queue.poll();
        if (w != null && w != STOP) {
            queued.decrementAndGet();
        }
        return w;
    }

    /**
     * Waits for work when idle; null when it is time to look at meta.json again. Producers never
     * wake this thread (that would cost every message a syscall): it parks briefly and looks
     * again, 1 ms at first, up to 10 ms after a second of silence.
     */
    private Work next() {
        long idleSince = System.nanoTime();
        while (true) {
            Work w = take();
            if (w != null) {
                return w;
            }
            if (closing) {
                return STOP;
            }
            long now = System.nanoTime();
            if (metaDirty && !failed && now - lastMetaWrite >= META_INTERVAL_NANOS) {
                return null;
            }
            LockSupport.parkNanos(now - idleSince > 1_000_000_000L ? 10_000_000L : 1_000_000L);
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
