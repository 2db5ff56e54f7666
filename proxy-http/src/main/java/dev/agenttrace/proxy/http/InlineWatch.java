package dev.agenttrace.proxy.http;

import dev.agenttrace.rules.watch.WatchedSession;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.TraceEvent;
import java.util.function.Consumer;

/**
 * Watchers run inline in {@code record-http}: each trace session gets its own watch, every message
 * is classified where it is read, and a session a {@code block} rule stopped has its tool calls
 * answered by the proxy (never forwarded).
 *
 * @param storeOptions the store's options (payload limits apply to the events the watch sees)
 * @param starter      makes the watch of a session that starts now
 * @param actions      closed when the proxy stops, after every session ended
 */
public record InlineWatch(StoreOptions storeOptions, Starter starter, AutoCloseable actions) {

    /** Makes the watch of one session. */
    @FunctionalInterface
    public interface Starter {
        /**
         * @param sessionId the trace session's id
         * @param startedAt epoch seconds it started
         * @param recorder  records an event (an alert) in the session's trace
         */
        WatchedSession start(String sessionId, double startedAt, Consumer<TraceEvent> recorder);
    }
}
