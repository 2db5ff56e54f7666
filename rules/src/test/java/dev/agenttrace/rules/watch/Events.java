package dev.agenttrace.rules.watch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Crafted event sequences: a session's events with a clock the test moves. */
final class Events {
    final String session;
    private double now = 1_700_000_000.0;
    private int ids;
    private int requests;

    Events(String session) {
        this.session = session;
    }

    Events() {
        this("5e55105e55105e55");
    }

    double now() {
        return now;
    }

    Events advance(double seconds) {
        now += seconds;
        return this;
    }

    static ObjectNode json(String text) {
        try {
            return (ObjectNode) TraceJson.mapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    TraceEvent event(String type, String data) {
        return event(type, null, json(data));
    }

    TraceEvent event(String type, String parent, ObjectNode data) {
        now += 0.01;
        return new TraceEvent(type, now, String.format("%012x", ++ids), session, parent, null, data);
    }

    TraceEvent call(String tool, String args) {
        ObjectNode d = json("{}");
        d.put("tool_name", tool);
        d.set("arguments", json(args));
        d.put("request_id", ++requests);
        return event(EventTypes.TOOL_CALL, null, d);
    }

    TraceEvent ok(TraceEvent call, String text) {
        ObjectNode d = json("{}");
        d.set("request_id", call.data().get("request_id"));
        d.putArray("content_types").add("text");
        d.put("content_preview", text);
        d.put("is_error", false);
        return event(EventTypes.TOOL_RESULT, call.eventId(), d);
    }

    TraceEvent failed(TraceEvent call, String text) {
        ObjectNode d = json("{}");
        d.set("request_id", call.data().get("request_id"));
        d.putArray("content_types").add("text");
        d.put("content_preview", text);
        d.put("is_error", true);
        return event(EventTypes.TOOL_RESULT, call.eventId(), d);
    }

    TraceEvent error(TraceEvent call, int code, String message) {
        ObjectNode d = json("{}");
        d.put("code", code);
        d.put("message", message);
        d.set("request_id", call.data().get("request_id"));
        return event(EventTypes.ERROR, call.eventId(), d);
    }

    /** The Python proxy's shape: an error with the request id but no parent_id. */
    TraceEvent unlinkedError(TraceEvent call, int code, String message) {
        ObjectNode d = json("{}");
        d.put("code", code);
        d.put("message", message);
        d.set("request_id", call.data().get("request_id"));
        return event(EventTypes.ERROR, null, d);
    }

    /** Feeds events and returns every alert they tripped. */
    static List<Alert> feed(SessionWatch w, TraceEvent... events) {
        List<Alert> out = new ArrayList<>();
        for (TraceEvent e : events) {
            out.addAll(w.observe(e));
        }
        return out;
    }

    static WatchConfig config(String json) {
        try {
            return WatchConfigParser.parse(json, ".agent-watch.json", Path.of("").toAbsolutePath());
        } catch (WatchConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    SessionWatch watch(String configJson) {
        return new SessionWatch(config(configJson), SessionContext.here(session, null));
    }
}
