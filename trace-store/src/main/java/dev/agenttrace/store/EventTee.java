package dev.agenttrace.store;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Hands what the writer writes to an {@link EventListener} on a thread of its own, through a
 * bounded queue that never blocks the writer: when the listener falls behind, items are dropped
 * and counted ({@link #dropped()}), and the trace on disk is not affected.
 *
 * <pre>
 *   relay --&gt; writer queue --&gt; writer loop --&gt; events.ndjson
 *                                        '--offer--&gt; [ tee queue ] --&gt; tee thread --&gt; listener
 * </pre>
 */
public final class EventTee {
    public static final int DEFAULT_CAPACITY = 16_384;

    private record Item(int kind, SessionMeta meta, TraceEvent event, boolean sidecar, CountDownLatch delivered) {
    }

    private static final int START = 0;
    private static final int EVENT = 1;
    private static final int END = 2;
    private static final int META = 3;
    private static final Item STOP = new Item(-1, null, null, false, null);

    private final EventListener listener;
    private final BlockingQueue<Item> queue;
    private final LongAdder dropped = new LongAdder();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean closed;
    /** Sessions started and not yet ended: {@link #close} waits for them (a shutdown hook may still be ending one). */
    private final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();

    public EventTee(EventListener listener, int capacity, String threadName) {
        this.listener = listener;
        this.queue = new ArrayBlockingQueue<>(Math.max(16, capacity));
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    void sessionStarted(SessionMeta meta) {
        open.incrementAndGet();
        offer(new Item(START, meta, null, false, null));
    }

    void event(TraceEvent event, boolean sidecar) {
        offer(new Item(EVENT, null, event, sidecar, null));
    }

    void metaChanged(SessionMeta meta) {
        offer(new Item(META, meta, null, false, null));
    }

    /**
     * The session ended. Returns a latch counted down once the listener has handled the end (its
     * export flushed), so the writer's {@code close} can wait for it before the process exits; a
     * dropped end counts down at once.
     */
    CountDownLatch sessionEnded(SessionMeta meta) {
        CountDownLatch delivered = new CountDownLatch(1);
        try {
            if (!offer(new Item(END, meta, null, false, delivered))) {
                delivered.countDown();
            }
        } finally {
            open.decrementAndGet();
        }
        return delivered;
    }

    private boolean offer(Item item) {
        if (closed || !queue.offer(item)) {
            dropped.increment();
            return false;
        }
        return true;
    }

    /** Items the listener never saw because the queue was full (or the tee was closed). */
    public long dropped() {
        return dropped.sum();
    }

    /** Delivers what is queued (waiting at most {@code timeout}), then closes the listener. */
    public void close(Duration timeout) {
        if (closed) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (open.get() > 0 && System.nanoTime() - deadline < 0) {
                Thread.sleep(10); // a shutdown hook is still ending a session
            }
            closed = true;
            while (!queue.offer(STOP, 10, TimeUnit.MILLISECONDS)) {
                if (System.nanoTime() - deadline > 0) {
                    thread.interrupt();
                    break;
                }
            }
            stopped.await(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (true) {
                Item item;
                try {
                    item = queue.take();
                } catch (InterruptedException e) {
                    return;
                }
                if (item == STOP) {
                    return;
                }
                try {
                    switch (item.kind) {
                        case START -> listener.sessionStarted(item.meta);
                        case EVENT -> listener.event(item.event, item.sidecar);
                        case META -> listener.metaChanged(item.meta);
                        default -> listener.sessionEnded(item.meta);
                    }
                } catch (RuntimeException e) {
                    dropped.increment(); // a listener bug costs its own telemetry, never the trace
                } finally {
                    if (item.delivered != null) {
                        item.delivered.countDown();
                    }
                }
            }
        } finally {
            try {
                listener.close();
            } catch (RuntimeException ignored) {
                // nothing left to report to
            } finally {
                stopped.countDown();
            }
        }
    }
}
