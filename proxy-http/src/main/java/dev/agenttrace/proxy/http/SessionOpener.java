package dev.agenttrace.proxy.http;

import dev.agenttrace.store.SessionWriter;
import java.net.URI;

/** Opens one trace session; called off the event loops, once per MCP session (or SSE connection). */
@FunctionalInterface
public interface SessionOpener {
    /**
     * What is known when a session starts.
     *
     * @param transport the upstream's transport
     * @param upstream  the upstream URL
     * @param localPort the port the proxy listens on
     * @param startedAt epoch seconds: the session's {@code started_at}
     * @param sessionId the id to create the session with (fixed in advance when watchers run
     *                  inline: their events exist before the session is open), or null for a fresh one
     */
    record Start(Transport transport, URI upstream, int localPort, double startedAt, String sessionId) {
        public Start(Transport transport, URI upstream, int localPort, double startedAt) {
            this(transport, upstream, localPort, startedAt, null);
        }
    }

    /** @return the writer, or null to relay this session without tracing */
    SessionWriter open(Start start);
}
