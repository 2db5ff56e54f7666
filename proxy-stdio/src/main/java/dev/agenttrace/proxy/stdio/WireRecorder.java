package dev.agenttrace.proxy.stdio;

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
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;

/**
 * Hands what the relays see to the session writer. The relay threads only copy bytes and take a
 * timestamp here; parsing and classification run later on the writer thread, so tracing never
 * delays forwarding.
 *
 * <p>The session is opened off the start-up path (building Jackson's databind costs more than a
 * hundred milliseconds of class loading): until {@link #attach} is called, work waits in a small
 * bounded backlog. With no session at all (the store could not be opened) everything is dropped.
 */
final class WireRecorder {
    private static final int MAX_BACKLOG = 10_000;

    private final long epochNanosAtStart;
    private final long nanoAtStart;
    private final ArrayDeque<Item> backlog = new ArrayDeque<>();
    private volatile SessionWriter writer;
    private volatile boolean attached;
    private long backlogDropped;
    /** Writer thread only. */
    private McpClassifier classifier;
    /** Set before forwarding starts when messages must be classified where they are read; else null. */
    private volatile Inline inline;
    private final Object inlineLock = new Object();
    /** Server messages forwarded but not yet classified (inline only). */
    private final java.util.concurrent.atomic.AtomicInteger serverMessagesInFlight = new java.util.concurrent.atomic.AtomicInteger();
    private volatile Framing clientFraming;
    private volatile Framing serverFraming;

    private record Item(Consumer<EventSink> work, long bytes) {
    }

    private record Inline(String sessionId, StoreOptions options, Consumer<TraceEvent> observer) {
    }

    WireRecorder() {
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
    void classifyInline(String sessionId, StoreOptions options, Consumer<TraceEvent> observer) {
        inline = new Inline(sessionId, options, observer);
    }

    boolean inline() {
        return inline != null;
    }

    /** Starts writing: the backlog first, in order. {@code w} null means tracing is off. */
    void attach(SessionWriter w) {
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

    SessionWriter writer() {
        return writer;
    }

    /**
     * Epoch seconds for a {@link System#nanoTime()} reading: monotonic within the session, to the
     * microsecond (as agent-strace's timestamps are; short decimals also print fast).
     */
    double epochSeconds(long nanos) {
        return ((epochNanosAtStart + (nanos - nanoAtStart)) / 1_000L) / 1e6;
    }

    /**
     * Records a message; inline, returns the events it made (already shown to the observer),
     * else an empty list.
     */
    List<TraceEvent> message(Direction dir, Frame f) {
        if (inline == null && attached && writer == null) {
            return List.of();
        }
        return message(dir, f.copyBody(), f.framing());
    }

    /** A whole message body the caller already owns (a frame forwarded as it arrived). */
    List<TraceEvent> message(Direction dir, byte[] body, Framing framing) {
        if (inline == null && attached && writer == null) {
            return List.of();
        }
        long now = System.nanoTime();
        String label = framing.label();
        double ts = epochSeconds(now);
        List<TraceEvent> events;
        try {
            if (dir == Direction.CLIENT_TO_SERVER) {
                awaitServerMessages();
            }
            events = classify(sink -> classifier().onMessage(sink, dir, label, body, ts, now), body.length + 64L);
        } finally {
            if (dir == Direction.SERVER_TO_CLIENT && inline != null) {
                serverMessagesInFlight.decrementAndGet();
            }
        }
        noteFraming(dir, framing);
        return events;
    }

    /**
     * Inline: a server message is about to be forwarded before it is classified. Until it is, a
     * client message waits to be classified, so the watch never sees a retry before the error
     * that provoked it. Pair with {@link #message} for the same message (which ends the wait).
     */
    void forwardingServerMessage() {
        serverMessagesInFlight.incrementAndGet();
    }

    /** A server message announced by {@link #forwardingServerMessage} that will not be classified after all. */
    void forwardedNothing() {
        serverMessagesInFlight.decrementAndGet();
    }

    /** Bounded: a server message stuck on its way to a client that does not read is not waited for past 100 ms. */
    private void awaitServerMessages() {
        if (serverMessagesInFlight.get() == 0) {
            return;
        }
        long deadline = System.nanoTime() + 100_000_000L;
        while (serverMessagesInFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** A reply the proxy made itself (a blocked result): classified like a server message. */
    void synthetic(Direction dir, byte[] body) {
        long now = System.nanoTime();
        double ts = epochSeconds(now);
        classify(sink -> classifier().onMessage(sink, dir, "synthetic", body, ts, now), body.length + 64L);
    }

    /** Tool calls the policy blocked (or, in shadow mode, would have): one decision event each. */
    void judged(List<Guard.Judged> judged, boolean forwarded) {
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

    void problem(Direction dir, String kind, String message, Frame f) {
        String preview = f == null || f.bodyLength() == 0 ? null
                : new String(f.buffer(), f.bodyOffset(), Math.min(f.bodyLength(), 400), StandardCharsets.UTF_8);
        double ts = epochSeconds(System.nanoTime());
        classify(sink -> classifier().onProblem(sink, dir, kind, message, preview, ts), 512);
    }

    void work(Consumer<EventSink> work) {
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

    private void submit(Consumer<EventSink> work, long bytes) {
        SessionWriter w = writer;
        if (w != null) {
            w.submit(work, bytes);
            return;
        }
        synchronized (backlog) {
            if (writer != null) {
                writer.submit(work, bytes);
            } else if (!attached) {
                if (backlog.size() < MAX_BACKLOG) {
                    backlog.add(new Item(work, bytes));
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

    private void noteFraming(Direction dir, Framing f) {
        if (dir == Direction.CLIENT_TO_SERVER) {
            if (clientFraming != f) {
                clientFraming = f;
                attribution("client_framing", f.label());
            }
        } else if (serverFraming != f) {
            serverFraming = f;
            attribution("server_framing", f.label());
        }
    }

    private void attribution(String key, String value) {
        submit(sink -> {
            ObjectNode a = sink.meta().attribution;
            a.put(key, value);
            sink.metaChanged();
        }, 64);
    }
}
