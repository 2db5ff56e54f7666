package dev.agenttrace.report.session;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.agenttrace.report.html.SafeJson;
import dev.agenttrace.store.EventTail;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The server-sent events a live report page applies ({@code report.js}, {@code live()}): the
 * session's rows and marks as {@link CallRows} builds them, one {@code data:} message per change.
 * A row message carries the whole row and is keyed by the call's event id, a mark message by its
 * decision's event id, so the page ignores what it already has: a feed that starts from the first
 * event over a page rendered a moment ago is harmless.
 *
 * <p>For a server ({@code agent-trace serve}): answer {@code GET} on the page's feed URL with
 * {@code text/event-stream}, {@link #open} a feed for the session, and call {@link #poll} every
 * 50-100 ms on a thread of the server's own (not an event loop), writing each frame as it comes;
 * stop when the client goes away or {@code poll} says the session ended.
 *
 * <pre>
 * data: {"op":"row","id":"3d81a5f4f862","t":12.5,"d":-1,"tool":"echo","f":8,"z":0,"a":"{\"text\":\"hi\"}","r":""}
 *
 * data: {"op":"mark","id":"bf22be82af0e","t":40.1,"kind":"policy","choice":"block","rule":"files.read.deny \".env\"",...,"call":"3d81a5f4f862"}
 * </pre>
 */
public final class LiveFeed implements CallRows.Listener {
    private final Consumer<String> frames;
    private final EventTail tail;
    private final Double startedAt;
    private final List<Row> seen = new ArrayList<>();
    private CallRows rows;
    private boolean ended;

    private LiveFeed(TraceStore store, SessionMeta meta, Consumer<String> frames) {
        this.frames = frames;
        this.tail = store.tail(meta.sessionId);
        this.startedAt = meta.startedAt;
    }

    /** @param frames receives each SSE message, {@code "data: ...\n\n"}, ready to write */
    public static LiveFeed open(TraceStore store, SessionMeta meta, Consumer<String> frames) {
        return new LiveFeed(store, meta, frames);
    }

    /** Hands over what was appended since the last poll; true once the session has ended. */
    public boolean poll() {
        tail.poll(e -> {
            if (rows == null) {
                rows = new CallRows(startedAt != null ? startedAt : e.timestamp(), this);
            }
            rows.accept(e);
            if (EventTypes.SESSION_END.equals(e.eventType())) {
                ended = true;
                frames.accept("event: end\ndata: {}\n\n");
            }
        });
        return ended;
    }

    @Override
    public void added(Row r) {
        seen.add(r);
        row(r);
    }

    @Override
    public void answered(Row r) {
        row(r);
    }

    private void row(Row r) {
        frames.accept(frame(g -> {
            g.writeStringField("op", "row");
            g.writeStringField("id", r.eventId);
            g.writeNumberField("t", ReportPayload.ms(r.startMs));
            g.writeNumberField("d", r.durationMs < 0 ? -1 : ReportPayload.ms(r.durationMs));
            g.writeStringField("tool", r.tool);
            g.writeNumberField("f", r.flags);
            g.writeNumberField("z", r.depth);
            g.writeStringField("a", r.arguments);
            g.writeStringField("r", r.result);
            if (r.rule != null) {
                g.writeStringField("rule", r.rule);
            }
        }));
    }

    @Override
    public void marked(Mark m) {
        frames.accept(frame(g -> {
            g.writeStringField("op", "mark");
            g.writeStringField("id", m.eventId());
            g.writeNumberField("t", ReportPayload.ms(m.atMs()));
            g.writeStringField("kind", m.kind());
            g.writeStringField("choice", m.choice());
            g.writeStringField("rule", m.rule());
            g.writeStringField("reason", m.reason());
            g.writeStringField("tool", m.tool());
            if (m.row() >= 0 && m.row() < seen.size()) {
                g.writeStringField("call", seen.get(m.row()).eventId);
            }
        }));
    }

    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    private static String frame(Fields f) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = SafeJson.generator(out)) {
            g.writeStartObject();
            f.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "data: " + out.toString(StandardCharsets.UTF_8) + "\n\n";
    }

}
