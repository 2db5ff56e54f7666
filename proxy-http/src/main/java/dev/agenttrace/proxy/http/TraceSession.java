package dev.agenttrace.proxy.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.rules.Guard;
import dev.agenttrace.rules.PolicyMode;
import dev.agenttrace.store.EventSink;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionWriter;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.mcp.Direction;
import dev.agenttrace.store.mcp.McpClassifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One trace session: an MCP session on Streamable HTTP, or one {@code GET /sse} connection on the
 * legacy transport. The event loops only take a timestamp and a copy of the bytes here; parsing
 * and classification run on the session's writer thread, so tracing never delays forwarding.
 *
 * <p>The store opens the session on the proxy's store thread (it writes meta.json); until then
 * work waits in a bounded backlog, as in the stdio proxy.
 */
final class TraceSession {
    private static final int MAX_BACKLOG = 10_000;

    private final long epochNanosAtStart;
    private final long nanoAtStart;
    private final ArrayDeque<Item> backlog = new ArrayDeque<>();
    private final Executor storeThread;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicBoolean opening = new AtomicBoolean();
    private final SessionOpener opener;
    private final SessionOpener.Start start;
    private final Consumer<ObjectNode> startData;
    private final java.util.concurrent.atomic.AtomicInteger openStreams = new java.util.concurrent.atomic.AtomicInteger();
    private volatile long lastActive = System.nanoTime();
    private volatile SessionWriter writer;
    private volatile boolean attached;
    /** Writer thread only. */
    private McpClassifier classifier;

    private record Item(Consumer<EventSink> work, long bytes) {
    }

    TraceSession(Executor storeThread, SessionOpener opener, SessionOpener.Start start, Consumer<ObjectNode> startData) {
        Instant now = Instant.now();
        this.nanoAtStart = System.nanoTime();
        this.epochNanosAtStart = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        this.storeThread = storeThread;
        this.opener = opener;
        this.start = start;
        this.startData = startData;
    }

    /** The store opens the session when it first has something to record: a 404 leaves no empty session behind. */
    private void openOnce() {
        if (opening.getAndSet(true)) {
            return;
        }
        double ts = epochSeconds(nanoAtStart);
        SessionOpener.Start s = new SessionOpener.Start(start.transport(), start.upstream(), start.localPort(), ts);
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

    private void attach(SessionWriter w) {
        synchronized (backlog) {
            if (w != null) {
                for (Item i : backlog) {
                    w.submit(i.work, i.bytes);
                }
            }
            backlog.clear();
            writer = w;
            attached = true;
        }
    }

    double epochSeconds(long nanos) {
        return ((epochNanosAtStart + (nanos - nanoAtStart)) / 1_000L) / 1e6;
    }

    boolean ended() {
        return ended.get();
    }

    /** One JSON-RPC message (or batch) as it crossed the proxy; {@code body} is owned by this call. */
    void message(Direction dir, byte[] body, String framing) {
        if (attached && writer == null) {
            return;
        }
        long now = System.nanoTime();
        double ts = epochSeconds(now);
        submit(sink -> classifier().onMessage(sink, dir, framing, body, ts, now), body.length + 64L);
    }

    /** A reply the proxy made itself (a blocked result, an error for an upstream fault). */
    void synthetic(byte[] body) {
        message(Direction.SERVER_TO_CLIENT, body, "synthetic");
    }

    /** Tool calls the policy blocked (or, in shadow mode, would have): one decision event each. */
    void judged(List<Guard.Judged> judged) {
        if (judged.isEmpty()) {
            return;
        }
        double ts = epochSeconds(System.nanoTime());
        submit(sink -> {
            for (Guard.Judged j : judged) {
                ObjectNode data = sink.newData();
                boolean enforced = j.mode() == PolicyMode.ENFORCE;
                data.put("kind", "policy_violation");
                data.put("choice", enforced ? "block" : "allow");
                data.put("reason", j.decision().reason());
                data.put("tool_name", j.decision().tool());
                data.set("request_id", j.requestId());
                data.put("mode", enforced ? "enforce" : "shadow");
                data.put("forwarded", !enforced);
                data.set("policy", j.decision().toJson());
                ArrayNode alternatives = data.putArray("alternatives");
                alternatives.add(enforced ? "allow" : "block");
                String parent = classifier().callEventId(Direction.CLIENT_TO_SERVER, j.requestId());
                sink.append(new TraceEvent(EventTypes.DECISION, ts, sink.newEventId(), sink.sessionId(), parent, null, data));
            }
        }, 1024);
    }

    /** Something the proxy saw go wrong: an upstream fault, a refused request, a broken stream. */
    void problem(Direction dir, String kind, String message, String preview) {
        double ts = epochSeconds(System.nanoTime());
        submit(sink -> classifier().onProblem(sink, dir, kind, message, preview, ts), 512);
    }

    /** A fact about the session for meta.json's attribution (the MCP session id). */
    void attribution(String key, String value) {
        submit(sink -> {
            sink.meta().attribution.put(key, value);
            sink.metaChanged();
        }, 64);
    }

    /** Writes session_end and the final meta, then closes the writer (on the store thread); idempotent. */
    void end(String reason) {
        if (!ended.compareAndSet(false, true) || !opening.get()) {
            return;
        }
        long end = System.nanoTime();
        double ts = epochSeconds(end);
        double durationMs = Math.round((end - nanoAtStart) / 1e3) / 1e3;
        submit(sink -> {
            ObjectNode data = sink.newData();
            data.put("duration_ms", durationMs);
            data.put("reason", reason);
            SessionWriter w = writer;
            if (w != null && w.incomplete()) {
                data.put("trace_incomplete", true);
                data.put("dropped_events", w.dropped());
            }
            sink.append(new TraceEvent(EventTypes.SESSION_END, ts, sink.newEventId(), sink.sessionId(), null, null, data));
            sink.meta().endedAt = ts;
            sink.meta().totalDurationMs = durationMs;
            sink.metaChanged();
        }, 256);
        try {
            storeThread.execute(() -> {
                SessionWriter w = writer;
                if (w != null) {
                    w.close(Duration.ofSeconds(5));
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the proxy is gone; the writer's own shutdown flushes what it has
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

    private void submit(Consumer<EventSink> work, long bytes) {
        lastActive = System.nanoTime();
        openOnce();
        SessionWriter w = writer;
        if (w != null) {
            w.submit(work, bytes);
            return;
        }
        synchronized (backlog) {
            if (writer != null) {
                writer.submit(work, bytes);
            } else if (!attached && backlog.size() < MAX_BACKLOG) {
                backlog.add(new Item(work, bytes));
            }
        }
    }

    private McpClassifier classifier() {
        if (classifier == null) {
            classifier = new McpClassifier();
        }
        return classifier;
    }
}
