package dev.agenttrace.proxy.stdio;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.EventSink;
import dev.agenttrace.store.SessionWriter;
import dev.agenttrace.store.mcp.Direction;
import dev.agenttrace.store.mcp.McpClassifier;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Hands what the relays see to the session writer. The relay threads only copy bytes and take a
 * timestamp here; parsing and classification run later on the writer thread, so tracing never
 * delays forwarding. With no writer (the store could not be opened) every call is a no-op.
 */
final class WireRecorder {
    private final SessionWriter writer;
    private final McpClassifier classifier = new McpClassifier();
    private final long epochNanosAtStart;
    private final long nanoAtStart;
    private volatile Framing clientFraming;
    private volatile Framing serverFraming;

    WireRecorder(SessionWriter writer) {
        this.writer = writer;
        Instant now = Instant.now();
        this.nanoAtStart = System.nanoTime();
        this.epochNanosAtStart = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    boolean enabled() {
        return writer != null;
    }

    /** Epoch seconds for a {@link System#nanoTime()} reading: monotonic within the session. */
    double epochSeconds(long nanos) {
        return (epochNanosAtStart + (nanos - nanoAtStart)) / 1e9;
    }

    void message(Direction dir, Frame f) {
        if (writer == null) {
            return;
        }
        long now = System.nanoTime();
        byte[] body = f.copyBody();
        String framing = f.framing().label();
        double ts = epochSeconds(now);
        writer.submit(sink -> classifier.onMessage(sink, dir, framing, body, ts, now), body.length + 64L);
        noteFraming(dir, f.framing());
    }

    void problem(Direction dir, String kind, String message, Frame f) {
        if (writer == null) {
            return;
        }
        String preview = f == null || f.bodyLength() == 0 ? null
                : new String(f.buffer(), f.bodyOffset(), Math.min(f.bodyLength(), 400), StandardCharsets.UTF_8);
        double ts = epochSeconds(System.nanoTime());
        writer.submit(sink -> classifier.onProblem(sink, dir, kind, message, preview, ts), 512);
    }

    void work(Consumer<EventSink> work) {
        if (writer != null) {
            writer.submit(work, 512);
        }
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
        writer.submit(sink -> {
            ObjectNode a = sink.meta().attribution;
            a.put(key, value);
            sink.metaChanged();
        }, 64);
    }
}
