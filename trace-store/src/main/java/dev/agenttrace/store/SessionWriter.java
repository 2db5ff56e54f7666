package dev.agenttrace.store;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Writes one session from a single background thread fed by a bounded queue. The producer side
 * ({@link #submit}) never blocks and never touches the disk: when the queue is full the work is
 * dropped, counted and the session marked incomplete, so a proxy keeps forwarding whatever the
 * disk does. A write failure (full disk, directory removed) is reported once on stderr, marks the
 * trace incomplete and never throws to the producer.
 */
public interface SessionWriter extends AutoCloseable {
    String sessionId();

    /**
     * Queues work for the writer thread. {@code approxBytes} counts against the queue's byte
     * budget (the size of any payload the work captures). Returns false if the work was dropped.
     */
    boolean submit(Consumer<EventSink> work, long approxBytes);

    /** Queues one ready-made event. */
    default boolean submit(TraceEvent event) {
        return submit(sink -> sink.append(event), 256);
    }

    /** Work items dropped so far because the queue was full. */
    long dropped();

    /** True once anything was dropped or a write failed. */
    boolean incomplete();

    /**
     * Runs the queued work, writes {@code meta.json} a last time and stops the thread. Waits as
     * long as the queued work keeps being written (a backlog left by a flood may take seconds),
     * and gives up after {@code timeout} without progress (then says on stderr how much is left);
     * idempotent.
     */
    void close(Duration timeout);

    @Override
    default void close() {
        close(Duration.ofSeconds(5));
    }
}
