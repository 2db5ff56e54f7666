package dev.agenttrace.store;

import java.util.ArrayList;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread that writes every trace session of the process, at idle CPU priority (see
 * {@link WriterPriority}). Each {@link FileSessionWriter} keeps its own queue and files; this loop
 * visits the sessions that have something to do and sleeps in between.
 *
 * <p>One thread, not one per session: the HTTP proxy opens a session per MCP session, and 32
 * busy clients with a writer thread each cost more than one context switch per call (a writer
 * woke for each request and again for each held-back burst), about a third of the proxy's CPU.
 * Here a burst in any session is held back without anyone being woken, the loop wakes at most
 * once per {@link #MIN_GAP_NANOS} while bursts go on, and a producer pays for a wake-up only when
 * the loop has nothing at all to do.
 *
 * <p>Fairness: a session is written for at most {@link FileSessionWriter#SLICE_NANOS} at a time
 * before the next one gets its turn, so one flooding session does not keep another's events off
 * disk. A session whose work throws an {@link Error} is ended (and reported) alone.
 */
final class WriterLoop {
    /** While bursts are held back, the loop wakes at most this often. */
    static final long MIN_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /**
     * While the same bursts go on, the gap between looks doubles up to this: a session that keeps
     * calling every few milliseconds (sequential HTTP calls) woke the loop about once per call to
     * find it still busy. The end of a burst is then seen within this much (plus the quiet time).
     * A backlog that reaches catch-up size ({@link FileSessionWriter#CATCH_UP_ITEMS}) waits for
     * the next look as before: the queue's byte budget holds far more than 16 ms of any flood.
     */
    static final long MAX_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(16);

    static final WriterLoop SHARED = new WriterLoop();

    /** Sessions that asked for a visit ({@link FileSessionWriter#scheduled} went from false to true). */
    private final ConcurrentLinkedQueue<FileSessionWriter> incoming = new ConcurrentLinkedQueue<>();
    /** Set by the loop before it sleeps with nothing held back; whoever clears it wakes the loop. */
    private final AtomicBoolean asleep = new AtomicBoolean();
    private volatile Thread thread;

    /**
     * After a backlog made the loop compete for the CPU, it stays at normal priority this long
     * once the backlog is small again: each switch runs {@code chrt} as a child process, and a
     * load that refills the queue as soon as the writer yields made it switch back and forth,
     * spending its time starting processes while the queue overflowed.
     */
    static final long STAY_NORMAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private long lastUrgent;

    /** Passes over the sessions so far (written by the loop thread only; read by tests). */
    private volatile long passes;

    // loop-thread state
    private final ArrayList<FileSessionWriter> active = new ArrayList<>();
    private final WriterPriority priority = new WriterPriority();

    /** Queues {@code w} for a visit; wakes the loop if it sleeps with nothing to do. */
    void schedule(FileSessionWriter w) {
        incoming.offer(w);
        nudge();
    }

    /**
     * Wakes the loop if it sleeps with nothing held back (idle, or until a meta.json rewrite is
     * due): one volatile read otherwise. While it holds bursts back nobody wakes it.
     */
    void nudge() {
        if (asleep.get() && asleep.compareAndSet(true, false)) {
            LockSupport.unpark(thread);
        }
    }

    /** Wakes the loop whatever it is doing (a session closes and someone waits for it). */
    void wake() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    boolean onLoopThread() {
        return Thread.currentThread() == thread;
    }

    /** Starts the thread on first use. */
    void ensureStarted() {
        if (thread == null) {
            synchronized (this) {
                if (thread == null) {
                    Thread t = new Thread(this::run, "agent-trace-writer");
                    t.setDaemon(true);
                    thread = t;
                    t.start();
                }
            }
        }
    }

    long passes() {
        return passes;
    }

    private void run() {
        priority.idle();
        long lastPass = 0;
        long gap = MIN_GAP_NANOS;
        while (true) {
            passes++; // (one writer thread)
            FileSessionWriter w;
            while ((w = incoming.poll()) != null) {
                active.add(w);
            }
            long now = System.nanoTime();
            lastPass = now;
            long holdUntil = Long.MAX_VALUE; // the earliest end of a held-back burst
            long dueAt = Long.MAX_VALUE; // the earliest other deadline (a meta.json rewrite)
            boolean again = false;
            adjustPriority();
            for (int i = 0; i < active.size(); i++) {
                FileSessionWriter s = active.get(i);
                long next = s.visit(now);
                if (next == FileSessionWriter.AGAIN) {
                    again = true;
                } else if (next == FileSessionWriter.DONE || next == FileSessionWriter.IDLE && s.unschedule()) {
                    active.set(i, active.get(active.size() - 1));
                    active.remove(active.size() - 1);
                    i--;
                } else if (next == FileSessionWriter.IDLE) {
                    again = true; // work arrived while it went idle
                } else if (s.holding()) {
                    holdUntil = Math.min(holdUntil, next);
                } else {
                    dueAt = Math.min(dueAt, next);
                }
            }
            if (again || !incoming.isEmpty()) {
                gap = MIN_GAP_NANOS;
                continue;
            }
            if (holdUntil != Long.MAX_VALUE) {
                // bursts go on: nobody wakes us (producers never pay for it), we look again when
                // the first of them may be over, but not sooner than the gap after this pass,
                // which grows while we keep finding them busy
                long until = Math.max(Math.min(holdUntil, dueAt), lastPass + gap);
                LockSupport.parkNanos(this, until - System.nanoTime());
                gap = Math.min(MAX_GAP_NANOS, gap * 2);
                continue;
            }
            gap = MIN_GAP_NANOS;
            asleep.set(true);
            // look once more after raising the flag: a producer that queued before seeing it did
            // not wake us (both sides are volatile, so one of them sees the other)
            if (!incoming.isEmpty() || anyWork()) {
                asleep.set(false);
                continue;
            }
            if (dueAt != Long.MAX_VALUE) {
                LockSupport.parkNanos(this, dueAt - System.nanoTime());
            } else {
                LockSupport.park(this);
            }
            asleep.set(false);
        }
    }

    private boolean anyWork() {
        for (FileSessionWriter s : active) {
            if (s.hasWork()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Normal priority while some session has a large backlog (or ends with one), so a long
     * overload costs forwarding a little rather than the trace its events; idle again once every
     * backlog is small.
     */
    private void adjustPriority() {
        boolean urgent = false;
        boolean relaxed = true;
        for (FileSessionWriter s : active) {
            urgent |= s.urgent();
            relaxed &= s.relaxed();
        }
        long now = System.nanoTime();
        if (urgent) {
            priority.normal();
            lastUrgent = now;
        } else if (relaxed && !priority.isIdle() && now - lastUrgent > STAY_NORMAL_NANOS) {
            priority.idle();
        }
    }
}
