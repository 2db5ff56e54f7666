package dev.agenttrace.proxy.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.rules.inline.SessionRecorder;
import dev.agenttrace.rules.watch.WatchedSession;
import dev.agenttrace.store.EventSink;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.Ids;
import dev.agenttrace.store.SessionWriter;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.mcp.Direction;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One trace session: an MCP session on Streamable HTTP, or one {@code GET /sse} connection on the
 * legacy transport. The event loops only take a timestamp and a copy of the bytes here; parsing
 * and classification run on the session's writer thread, so tracing never delays forwarding
 * (with an inline watch they run here, and the watch sees each message before it goes on).
 *
 * <p>The store opens the session on the proxy's store thread (it writes meta.json); until then
 * work waits in a bounded backlog, as in the stdio proxy.
 */
final class TraceSession extends SessionRecorder {
    private final long createdNanos = System.nanoTime();
    private final Executor storeThread;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicBoolean opening = new AtomicBoolean();
    private final AtomicInteger openStreams = new AtomicInteger();
    private volatile long lastActive = System.nanoTime();
    private final SessionOpener opener;
    private final SessionOpener.Start start;
    private final Consumer<ObjectNode> startData;
    private final WatchedSession watch;

    /** @param inlineWatch the proxy's inline watch, or null for none */
    TraceSession(Executor storeThread, SessionOpener opener, SessionOpener.Start start, Consumer<ObjectNode> startData,
                 InlineWatch inlineWatch) {
        this.storeThread = storeThread;
        this.opener = opener;
        this.startData = startData;
        if (inlineWatch == null) {
            this.start = start;
            this.watch = null;
        } else {
            String id = Ids.sessionId();
            this.start = new SessionOpener.Start(start.transport(), start.upstream(), start.localPort(), start.startedAt(), id);
            this.watch = inlineWatch.starter().start(id, epochSeconds(createdNanos), e -> work(sink -> sink.append(e)));
            classifyInline(id, inlineWatch.storeOptions(), watch::observe);
        }
    }

    /** The session's inline watch, or null. */
    WatchedSession watch() {
        return watch;
    }

    /** The store opens the session when it first has something to record: a 404 leaves no empty session behind. */
    private void openOnce() {
        if (opening.getAndSet(true)) {
            return;
        }
        double ts = epochSeconds(createdNanos);
        SessionOpener.Start s = new SessionOpener.Start(start.transport(), start.upstream(), start.localPort(), ts, start.sessionId());
        try {
            storeThread.execute(() -> {
                SessionWriter w;
                try {
                    w = opener.open(s);
                } catch (RuntimeException e) {
                    System.err.println("agent-trace: tracing is off for one session (" + e.getMessage() + "); relaying continues");
                    w = null;
                }
                if (w != null) {
                    w.submit(sink -> {
                        ObjectNode data = sink.newData();
                        data.put("mode", "http");
                        data.put("transport", s.transport().label());
                        data.put("remote_url", s.upstream().toString());
                        data.put("local_port", s.localPort());
                        data.put("proxy_pid", ProcessHandle.current().pid());
                        startData.accept(data);
                        sink.append(new TraceEvent(EventTypes.SESSION_START, ts, sink.newEventId(), sink.sessionId(), null, null, data));
                    }, 512);
                }
                attach(w);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            attach(null);
        }
    }

    boolean ended() {
        return ended.get();
    }

    /** A reply the proxy made itself (a blocked result, an error for an upstream fault). */
    void synthetic(byte[] body) {
        synthetic(Direction.SERVER_TO_CLIENT, body);
    }

    /**
     * Writes session_end and the final meta, then closes the writer (on the store thread); idempotent.
     * Alerts the watch is still acting on (a kill signals first, then records) reach the trace first.
     */
    void end(String reason) {
        if (!ended.compareAndSet(false, true) || !opening.get()) {
            return;
        }
        long end = System.nanoTime();
        double durationMs = Math.round((end - createdNanos) / 1e3) / 1e3;
        try {
            storeThread.execute(() -> {
                if (watch != null) {
                    watch.awaitActions(Duration.ofSeconds(2));
                }
                sessionEnd(end, durationMs, data -> data.put("reason", reason));
                SessionWriter w = writer();
                if (w != null) {
                    w.close(Duration.ofSeconds(5));
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the proxy is gone; the writer's own shutdown flushes what it has
            sessionEnd(end, durationMs, data -> data.put("reason", reason));
        }
    }

    /** An event stream of this session opened (it keeps the session alive however quiet it is). */
    void streamOpened() {
        openStreams.incrementAndGet();
    }

    void streamClosed() {
        openStreams.decrementAndGet();
        lastActive = System.nanoTime();
    }

    /** True when nothing was recorded for {@code millis} and no event stream is open. */
    boolean idleFor(long millis) {
        return openStreams.get() <= 0 && System.nanoTime() - lastActive > millis * 1_000_000L;
    }

    @Override
    protected void submit(Consumer<EventSink> work, long bytes) {
        lastActive = System.nanoTime();
        openOnce();
        super.submit(work, bytes);
    }
}
