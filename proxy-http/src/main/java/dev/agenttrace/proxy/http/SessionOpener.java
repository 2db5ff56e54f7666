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
     */
    record Start(Transport transport, URI upstream, int localPort, double startedAt) {
    }

    /** @return the writer, or null to relay this session without tracing */
    SessionWriter open(Start start);
}
