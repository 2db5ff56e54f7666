package dev.agenttrace.store.mcp;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.EventSink;
import dev.agenttrace.store.Ids;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.TraceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * An {@link EventSink} for classifying a message where it is read rather than on the writer
 * thread (an inline watch must see a {@code tools/call} before it is forwarded). It keeps what
 * the classifier produced, in order, and {@link #replay}s it into the real sink later: the events
 * the watch judged are the events stored, with the same ids.
 *
 * <p>Changes to the meta are collected in a scratch meta and merged by
 * {@link McpClassifier#mergeMeta}. Not thread-safe: one per classified message.
 */
public final class BufferingSink implements EventSink {
    private final String sessionId;
    private final StoreOptions options;
    private final List<TraceEvent> items = new ArrayList<>(4);
    /** For each item: true if it goes to messages.ndjson. */
    private final List<Boolean> sidecar = new ArrayList<>(4);
    private final SessionMeta scratch = new SessionMeta();
    private boolean metaChanged;

    public BufferingSink(String sessionId, StoreOptions options) {
        this.sessionId = sessionId;
        this.options = options;
    }

    @Override
    public String sessionId() {
        return sessionId;
    }

    @Override
    public String newEventId() {
        return Ids.eventId();
    }

    @Override
    public void append(TraceEvent event) {
        items.add(event);
        sidecar.add(Boolean.FALSE);
    }

    @Override
    public void appendMessage(TraceEvent record) {
        items.add(record);
        sidecar.add(Boolean.TRUE);
    }

    @Override
    public SessionMeta meta() {
        return scratch;
    }

    @Override
    public void metaChanged() {
        metaChanged = true;
    }

    @Override
    public StoreOptions options() {
        return options;
    }

    @Override
    public ObjectNode newData() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** The events (not the wire records) produced so far, in order. */
    public void forEachEvent(Consumer<TraceEvent> consumer) {
        for (int i = 0; i < items.size(); i++) {
            if (!sidecar.get(i)) {
                consumer.accept(items.get(i));
            }
        }
    }

    /** Writes everything collected into the real sink (on the writer thread). */
    public void replay(EventSink sink) {
        for (int i = 0; i < items.size(); i++) {
            if (sidecar.get(i)) {
                sink.appendMessage(items.get(i));
            } else {
                sink.append(items.get(i));
            }
        }
        if (metaChanged) {
            McpClassifier.mergeMeta(sink.meta(), scratch);
            sink.metaChanged();
        }
    }
}
