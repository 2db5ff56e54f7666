package dev.agenttrace.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The trace writer's CPU scheduling class, so that tracing yields to forwarding. On a busy
 * machine (the client, the server and the proxy's relays all wanting a core) the writer runs as
 * {@code SCHED_IDLE}: it takes only CPU time nobody else wants, its bounded queue absorbs a burst,
 * and it catches up as soon as the burst ends. A backlog past half the queue switches it back to
 * normal priority until it drains and a second has passed ({@link WriterLoop#STAY_NORMAL_NANOS}),
 * so a long overload costs forwarding a little rather than the trace its events.
 *
 * <p>Linux only, best effort: the thread finds its own id in {@code /proc/thread-self} and runs
 * {@code chrt} (util-linux) on it, which an unprivileged process may do for {@code SCHED_IDLE}
 * and back. Elsewhere, or with {@code AGENT_TRACE_WRITER_PRIORITY=normal}, nothing changes.
 */
final class WriterPriority {
    private static final boolean ENABLED = !"normal".equalsIgnoreCase(System.getenv("AGENT_TRACE_WRITER_PRIORITY"))
            && Files.isReadable(Path.of("/proc/thread-self/stat"));
    /** Runs of {@code chrt} so far, in the process (read by tests). */
    static final AtomicInteger SWITCHES = new AtomicInteger();
    private boolean idle;
    /** Set when chrt is missing or refused: never try again. */
    private boolean unavailable;

    /** Call on the writer thread: yield the CPU to everyone else. */
    void idle() {
        if (ENABLED && !unavailable && !idle) {
            idle = chrt("--idle");
            unavailable = !idle;
        }
    }

    /** Call on the writer thread: compete for the CPU like any thread (to catch up). */
    void normal() {
        if (ENABLED && !unavailable && idle) {
            unavailable = !chrt("--other");
            idle = false;
        }
    }

    /** True when switching is pointless: already idle, or not possible here. */
    boolean isIdle() {
        return idle || unavailable || !ENABLED;
    }

    private static boolean chrt(String policy) {
        SWITCHES.incrementAndGet();
        try {
            String stat = Files.readString(Path.of("/proc/thread-self/stat"));
            String tid = stat.substring(0, stat.indexOf(' '));
            Process p = new ProcessBuilder("chrt", policy, "-p", "0", tid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
