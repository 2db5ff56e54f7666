package dev.agenttrace.store.analysis;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small builders for hand-made sessions, and the path of the Python fixtures. */
final class Events {
    private Events() {
    }

    static Path fixtures() {
        Path p = classpathDir("/fixtures/agent-strace/.agent-traces");
        if (!Files.isDirectory(p)) {
            throw new AssertionError("fixture store missing: " + p);
        }
        return p;
    }

    static Path classpathDir(String resource) {
        try {
            return Path.of(java.util.Objects.requireNonNull(Events.class.getResource(resource), resource).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    static TraceEvent event(String type, double ts, String id, String parent, Double durationMs, String dataJson) {
        try {
            return new TraceEvent(type, ts, id, "s", parent, durationMs, (ObjectNode) TraceJson.mapper().readTree(dataJson));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SessionMeta meta(String id) {
        SessionMeta m = new SessionMeta();
        m.sessionId = id;
        m.startedAt = 1000.0;
        return m;
    }
}
