package dev.agenttrace.export.otlp;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Batches finished spans to an exporter from a thread of its own, one batch in flight at a time,
 * through a bounded queue: a collector that is down, slow or answering 503 costs the spans that
 * do not fit (dropped and counted, {@link #dropped()}), never memory, never the caller's time.
 * (The SDK's BatchSpanProcessor does the same, but its drops are not countable from outside, and
 * the spans here are made from the trace rather than by a tracer.)
 */
final class SpanShipper {
    private final SpanExporter exporter;
    private final BlockingQueue<SpanData> queue;
    private final int batch;
    private final Duration delay;
    private final Duration timeout;
    private final DropReport report;
    private final LongAdder dropped = new LongAdder();
    private final LongAdder exported = new LongAdder();
    private final Thread thread;
    private volatile boolean stopping;
    /** The thread is waiting for spans (not sending): only then may close interrupt it. */
    private volatile boolean waiting;
    /** A batch was taken off the queue and is not yet sent or dropped. */
    private volatile boolean sending;

    SpanShipper(SpanExporter exporter, int capacity, int batch, Duration delay, Duration timeout, DropReport report) {
        this.exporter = exporter;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.batch = batch;
        this.delay = delay;
        this.timeout = timeout;
        this.report = report;
        this.thread = new Thread(this::run, "agent-trace-otlp-spans");
        thread.setDaemon(true);
        thread.start();
    }

    void add(SpanData span) {
        if (stopping || !queue.offer(span)) {
            dropped.increment();
            report.dropped("the span queue is full (" + queue.size() + " spans waiting for the collector)");
        }
    }

    /** Waits (at most {@code wait}) until every queued span was sent or dropped. */
    void flush(Duration wait) {
        long end = System.nanoTime() + wait.toNanos();
        while ((!queue.isEmpty() || sending) && System.nanoTime() - end < 0 && thread.isAlive()) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    long dropped() {
        return dropped.sum();
    }

    long exported() {
        return exported.sum();
    }

    /** Sends what is queued (at most {@code wait}), then shuts the exporter down; what is left is dropped. */
    void close(Duration wait) {
        stopping = true;
        if (waiting) {
            thread.interrupt();
        }
        try {
            thread.join(Math.max(1, wait.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = queue.size();
        if (left > 0) {
            queue.clear();
            dropped.add(left);
            report.dropped("the collector did not take them before the proxy exited");
        }
        exporter.shutdown().join(1, TimeUnit.SECONDS);
    }

    private void run() {
        List<SpanData> buf = new ArrayList<>(batch);
        while (true) {
            try {
                SpanData first;
                waiting = true;
                try {
                    first = stopping ? queue.poll() : queue.poll(delay.toMillis(), TimeUnit.MILLISECONDS);
                } finally {
                    waiting = false;
                }
                if (first == null) {
                    if (stopping) {
                        return;
                    }
                    continue;
                }
                sending = true;
                buf.add(first);
            } catch (InterruptedException e) {
                if (!stopping) {
                    return;
                }
                continue; // closing: send what is queued first
            }
            queue.drainTo(buf, batch - buf.size());
            Thread.interrupted(); // a close that raced the wait must not cut the send short
            try {
                send(buf);
            } finally {
                buf.clear();
                sending = false;
            }
        }
    }

    private void send(List<SpanData> spans) {
        CompletableResultCode result;
        try {
            result = exporter.export(spans);
        } catch (RuntimeException e) {
            fail(spans.size(), e.toString());
            return;
        }
        result.join(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        if (result.isSuccess()) {
            exported.add(spans.size());
        } else {
            Throwable t = result.getFailureThrowable();
            fail(spans.size(), t != null ? t.getMessage() : result.isDone() ? "it refused them" : "it did not answer in time");
        }
    }

    private void fail(int n, String why) {
        dropped.add(n);
        report.dropped(why);
    }
}
