package dev.agenttrace.proxy.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;

/**
 * The trace sessions of a running proxy. Streamable HTTP: one per {@code Mcp-Session-Id} (an
 * {@code initialize} opens one, its response names it); requests without a session id (a
 * stateless server) share one. Legacy: one per SSE connection, found again by the message
 * endpoint its {@code endpoint} event announced.
 */
final class SessionRegistry {
    private final ExecutorService storeThread;
    private final SessionOpener opener;
    private volatile SessionOpener.Start template;
    private final Map<String, TraceSession> byMcpSessionId = new ConcurrentHashMap<>();
    private final Map<String, LegacyStream> byMessageTarget = new ConcurrentHashMap<>();
    private final Set<TraceSession> open = ConcurrentHashMap.newKeySet();
    private volatile TraceSession sessionless;

    private final InlineWatch inlineWatch;

    /** @param inlineWatch watchers run inline in every session; null for none */
    SessionRegistry(ExecutorService storeThread, SessionOpener opener, SessionOpener.Start template, InlineWatch inlineWatch) {
        this.storeThread = storeThread;
        this.opener = opener;
        this.template = template;
        this.inlineWatch = inlineWatch;
    }

    /** The clock moved: time alone trips some rules (a hung call, the duration limit). */
    void tick(double nowEpochSeconds) {
        for (TraceSession s : open) {
            dev.agenttrace.rules.watch.WatchedSession w = s.watch();
            if (w != null && !s.ended()) {
                w.tick(nowEpochSeconds);
            }
        }
    }

    /** Once bound: sessions record the real port (0 may have been asked for). */
    void localPort(int port) {
        SessionOpener.Start t = template;
        template = new SessionOpener.Start(t.transport(), t.upstream(), port, 0);
    }

    TraceSession open(Consumer<ObjectNode> startData) {
        return open(Transport.STREAMABLE, startData);
    }

    TraceSession open(Transport transport, Consumer<ObjectNode> startData) {
        SessionOpener.Start t = template;
        TraceSession s = new TraceSession(storeThread, opener, new SessionOpener.Start(transport, t.upstream(), t.localPort(), 0), startData,
                inlineWatch);
        open.add(s);
        return s;
    }

    /** The session of a request that names its MCP session (one the proxy never saw starts a new trace). */
    TraceSession forMcpSession(String id) {
        return byMcpSessionId.computeIfAbsent(id, k -> {
            TraceSession s = open(d -> d.put("mcp_session_id", k));
            s.attribution("mcp_session_id", k);
            return s;
        });
    }

    /** The response to {@code initialize} named the session. */
    void bind(String id, TraceSession s) {
        if (byMcpSessionId.putIfAbsent(id, s) == null) {
            s.attribution("mcp_session_id", id);
        }
    }

    TraceSession sessionless() {
        TraceSession s = sessionless;
        if (s == null) {
            synchronized (this) {
                if (sessionless == null) {
                    sessionless = open(d -> d.put("mcp_session_id", (String) null));
                }
                s = sessionless;
            }
        }
        return s;
    }

    void endMcpSession(String id, String reason) {
        TraceSession s = byMcpSessionId.remove(id);
        if (s != null) {
            end(s, reason);
        }
    }

    /** Ends the Streamable HTTP sessions idle longer than {@code millis} (a later request starts a new trace). */
    void endIdle(long millis) {
        for (var e : byMcpSessionId.entrySet()) {
            if (e.getValue().idleFor(millis) && byMcpSessionId.remove(e.getKey(), e.getValue())) {
                end(e.getValue(), "idle");
            }
        }
    }

    void end(TraceSession s, String reason) {
        open.remove(s);
        s.end(reason);
    }

    void registerLegacy(String messageTarget, LegacyStream stream) {
        byMessageTarget.put(messageTarget, stream);
    }

    LegacyStream legacy(String requestTarget) {
        return byMessageTarget.get(requestTarget);
    }

    void unregisterLegacy(LegacyStream stream) {
        if (stream.messageTarget != null) {
            byMessageTarget.remove(stream.messageTarget, stream);
        }
        if (stream.trace != null) {
            end(stream.trace, "stream_closed");
        }
    }

    /** At shutdown: every open session gets its session_end. */
    void endAll(String reason) {
        for (TraceSession s : open) {
            end(s, reason);
        }
        byMcpSessionId.clear();
        byMessageTarget.clear();
    }
}
