package dev.agenttrace.rules.inline;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.rules.Guard;
import dev.agenttrace.rules.PolicyMode;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.EventSink;
import dev.agenttrace.store.SessionWriter;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.mcp.BufferingSink;
import dev.agenttrace.store.mcp.Direction;
import dev.agenttrace.store.mcp.McpClassifier;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;

/**
 * Hands what a proxy sees of one session to the session's writer, whatever the transport (the
 * stdio relays, the HTTP event loops). The forwarding threads only copy bytes and take a timestamp
 * here; parsing and classification run later on the writer thread, so tracing never delays
 * forwarding. With an inline watch ({@link #classifyInline}) they are classified where they are
 * read instead, and the watch sees the events first.
 *
 * <p>The session may be opened off the forwarding path (building Jackson's databind costs more
 * than a hundred milliseconds of class loading): until {@link #attach} is called, work waits in a
 * backlog bounded by bytes like the writer's queue ({@code AGENT_TRACE_WRITER_QUEUE_BYTES}, 128 MiB
 * by default): a pipelined client sends tens of thousands of messages while the store opens. With
 * no session at all (the store could not be opened) everything is dropped, except what an inline
 * watch must still see.
 */
public class SessionRecorder {
    /**
     * What one queued message costs beyond its body: the work's lambda, the queue's item and node,
     * the array header (counted against the queue's byte budget with the body).
     */
    static final long ITEM_OVERHEAD = 160;
    private final long maxBacklogBytes;

    private final long epochNanosAtStart;
    private final long nanoAtStart;
    private final ArrayDeque<Item> backlog = new ArrayDeque<>();
    private volatile SessionWriter writer;
    private volatile boolean attached;
    /** Work dropped because the session had not opened yet and the backlog was full (under the backlog lock). */
    private long backlogDropped;
    /** Bytes the backlog holds (under the backlog lock). */
    private long backlogBytes;
    /** Writer thread only. */
    private McpClassifier classifier;
    /** Set before forwarding starts when messages must be classified where they are read; else null. */
    private volatile Inline inline;
    private final Object inlineLock = new Object();
    /**
     * Inline only: messages forwarded before they were classified, in arrival order. Whoever needs
     * the watch to be current (the thread that forwarded them, right after; or a client message
     * about to be judged) classifies them: nobody waits for another thread to get round to it.
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<Arrived> arrived = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile boolean catchUpFailed;
    private final ChangeFence changeFence;

    private record Arrived(Direction dir, byte[] body, String framing, long nanos) {
    }

    private record Item(Consumer<EventSink> work, long bytes) {
    }

    private record Inline(String sessionId, StoreOptions options, Consumer<TraceEvent> observer) {
    }

    public SessionRecorder() {
        this(new ChangeFence());
    }

    /** @param changeFence orders this session's calls in time (its bound: how long a path call may wait) */
    public SessionRecorder(ChangeFence changeFence) {
        this(changeFence, StoreOptions.queueBytes(System.getenv()));
    }

    /** @param maxBacklogBytes what the backlog before {@link #attach} may hold (see {@link #submit}) */
    SessionRecorder(ChangeFence changeFence, long maxBacklogBytes) {
        this.maxBacklogBytes = maxBacklogBytes;
        this.changeFence = changeFence;
        Instant now = Instant.now();
        this.nanoAtStart = System.nanoTime();
        this.epochNanosAtStart = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /**
     * Classify every message on the thread that read it, before it is forwarded, and show each
     * event to {@code observer} (an inline watch) first; the writer then stores the same events.
     * Costs a parse per message on the forwarding path, so it is only for when something must
     * judge the session as it happens. Call before forwarding starts.
     *
     * @param sessionId the id the session will be created with (events are made before it opens)
     */
    public void classifyInline(String sessionId, StoreOptions options, Consumer<TraceEvent> observer) {
        inline = new Inline(sessionId, options, observer);
    }

    /**
     * The session's calls in time: which calls that may change files are running, and which path
     * calls wait for them. Every server message recorded here is shown to it.
     */
    public ChangeFence changeFence() {
        return changeFence;
    }

    public boolean inline() {
        return inline != null;
    }

    /** Starts writing: the backlog first, in order. {@code w} null means tracing is off. */
    public void attach(SessionWriter w) {
        synchronized (backlog) {
            if (w != null) {
                for (Item i : backlog) {
                    w.submit(i.work, i.bytes);
                }
            }
            backlog.clear();
            backlogBytes = 0;
            writer = w;
            attached = true;
        }
    }

    /** True once the session is open (or known not to open: then {@link #writer} is null). */
    public boolean attached() {
        return attached;
    }

    public SessionWriter writer() {
        return writer;
    }

    /**
     * Epoch seconds for a {@link System#nanoTime()} reading: monotonic within the session, to the
     * microsecond (as agent-strace's timestamps are; short decimals also print fast).
     */
    public double epochSeconds(long nanos) {
        return ((epochNanosAtStart + (nanos - nanoAtStart)) / 1_000L) / 1e6;
    }

    /**
     * One JSON-RPC message (or batch) as it crossed the proxy; {@code body} is owned by this call,
     * {@code framing} says how it was carried ("newline", "content-length", "http", "sse").
     * Inline, returns the events it made (already shown to the watch), else an empty list.
     */
    public List<TraceEvent> message(Direction dir, byte[] body, String framing) {
        return message(dir, body, framing, null);
    }

    /**
     * As {@link #message(Direction, byte[], String)}, with the message already parsed by the
     * caller ({@code parsed}, not changed afterwards; null: parse it here), so a judged message is
     * parsed once.
     */
    public List<TraceEvent> message(Direction dir, byte[] body, String framing, com.fasterxml.jackson.databind.JsonNode parsed) {
        if (dir == Direction.SERVER_TO_CLIENT) {
            changeFence.serverMessage(body, 0, body.length);
        }
        if (inline == null && attached && writer == null) {
            return List.of();
        }
        long now = System.nanoTime();
        String label = framing;
        double ts = epochSeconds(now);
        // what was forwarded before is classified first: the server's answers so far reach the
        // watch before a client message is judged
        catchUp();
        return classify(sink -> classifier().onMessage(sink, dir, label, body, parsed, ts, now), body.length + ITEM_OVERHEAD);
    }

    /**
     * A message that is forwarded now and classified right after ({@link #catchUp}), so forwarding
     * does not wait for the classifier; {@code body} is owned by this call. Without an inline
     * watch it is simply recorded (classification runs on the writer thread anyway).
     */
    public void arriving(Direction dir, byte[] body, String framing) {
        if (inline == null) {
            message(dir, body, framing);
            return;
        }
        if (dir == Direction.SERVER_TO_CLIENT) {
            changeFence.serverMessage(body, 0, body.length);
        }
        arrived.add(new Arrived(dir, body, framing, System.nanoTime()));
    }

    /**
     * Classifies, in order, every message announced by {@link #arriving} and not yet classified,
     * on the calling thread. A watcher that fails here costs its alert, never the trace nor the
     * forwarding (said once on stderr).
     */
    public void catchUp() {
        if (arrived.isEmpty()) {
            return;
        }
        synchronized (inlineLock) {
            Arrived a;
            while ((a = arrived.poll()) != null) {
                Arrived m = a;
                double ts = epochSeconds(m.nanos);
                try {
                    classify(sink -> classifier().onMessage(sink, m.dir, m.framing, m.body, null, ts, m.nanos), m.body.length + ITEM_OVERHEAD);
                } catch (RuntimeException e) {
                    if (!catchUpFailed) {
                        catchUpFailed = true;
                        System.err.println("agent-trace: the inline watch failed on a message and is skipping it: " + e);
                    }
                }
            }
        }
    }

    /** A reply the proxy made itself (a blocked result): classified like a server message. */
    public void synthetic(Direction dir, byte[] body) {
        long now = System.nanoTime();
        double ts = epochSeconds(now);
        classify(sink -> classifier().onMessage(sink, dir, "synthetic", body, ts, now), body.length + ITEM_OVERHEAD);
    }

    /** Tool calls the policy blocked (or, in shadow mode, would have): one decision event each. */
    public void judged(List<Guard.Judged> judged) {
        if (judged.isEmpty()) {
            return;
        }
        double ts = epochSeconds(System.nanoTime());
        classify(sink -> {
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

    /** Something the proxy saw go wrong on the wire: an {@code error} event, counted in meta. */
    public void problem(Direction dir, String kind, String message, String preview) {
        double ts = epochSeconds(System.nanoTime());
        classify(sink -> classifier().onProblem(sink, dir, kind, message, preview, ts), 512);
    }

    /** Work on the writer thread that needs no classifier (session_start/end, an alert). */
    public void work(Consumer<EventSink> work) {
        submit(work, 512);
    }

    /** Work that uses the classifier: on the writer thread, or here and now when inline. */
    private List<TraceEvent> classify(Consumer<EventSink> work, long bytes) {
        Inline in = inline;
        if (in == null) {
            submit(work, bytes);
            return List.of();
        }
        synchronized (inlineLock) {
            BufferingSink buffered = new BufferingSink(in.sessionId, in.options);
            work.accept(buffered);
            List<TraceEvent> events = new java.util.ArrayList<>(2);
            buffered.forEachEvent(events::add);
            // stored first: an alert the watch records goes after the event that tripped it, and a
            // failing watcher costs the alert, never the trace
            if (!(attached && writer == null)) {
                submit(buffered::replay, bytes);
            }
            for (TraceEvent e : events) {
                in.observer.accept(e);
            }
            return events;
        }
    }

    protected void submit(Consumer<EventSink> work, long bytes) {
        SessionWriter w = writer;
        if (w != null) {
            w.submit(work, bytes);
            return;
        }
        synchronized (backlog) {
            if (writer != null) {
                writer.submit(work, bytes);
            } else if (!attached) {
                if (backlogBytes + bytes <= maxBacklogBytes) {
                    backlog.add(new Item(work, bytes));
                    backlogBytes += bytes;
                } else {
                    backlogDropped++;
                }
            }
        }
    }

    private McpClassifier classifier() {
        if (classifier == null) {
            classifier = new McpClassifier();
        }
        return classifier;
    }

    /**
     * Ends the trace: {@code session_end} (marked incomplete when events were lost) and the final
     * meta. The writer is the caller's to close.
     *
     * @param details adds what the transport knows (an exit code, a reason)
     */
    public void sessionEnd(long endNanos, double durationMs, Consumer<ObjectNode> details) {
        double ts = epochSeconds(endNanos);
        work(sink -> {
            ObjectNode data = sink.newData();
            details.accept(data);
            data.put("duration_ms", durationMs);
            SessionWriter w = writer;
            long early;
            synchronized (backlog) {
                early = backlogDropped;
            }
            if ((w != null && w.incomplete()) || early > 0) {
                data.put("trace_incomplete", true);
                data.put("dropped_events", (w == null ? 0 : w.dropped()) + early);
            }
            sink.append(new TraceEvent(EventTypes.SESSION_END, ts, sink.newEventId(), sink.sessionId(), null, null, data));
            sink.meta().endedAt = ts;
            sink.meta().totalDurationMs = durationMs;
            sink.metaChanged();
        });
    }

    /** A fact about the session for meta.json's attribution. */
    public void attribution(String key, String value) {
        submit(sink -> {
            ObjectNode a = sink.meta().attribution;
            a.put(key, value);
            sink.metaChanged();
        }, 64);
    }
}
