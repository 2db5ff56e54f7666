package dev.agenttrace.proxy.stdio;

import dev.agenttrace.rules.inline.SessionRecorder;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.mcp.Direction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The stdio proxy's {@link SessionRecorder}: takes frames, and notes in meta which framing each
 * peer speaks.
 */
final class WireRecorder extends SessionRecorder {
    private volatile Framing clientFraming;
    private volatile Framing serverFraming;
    /** Down once the server has sent its first message (or the session is ending). */
    final java.util.concurrent.CountDownLatch serverSpoke = new java.util.concurrent.CountDownLatch(1);

    /**
     * Records a message; inline, returns the events it made (already shown to the watch), else an
     * empty list.
     */
    List<TraceEvent> message(Direction dir, Frame f) {
        if (!inline() && attached() && writer() == null) {
            if (dir == Direction.SERVER_TO_CLIENT) {
                // tracing is off, but the firewall still needs to know which calls were answered
                changeFence().serverMessage(f.buffer(), f.bodyOffset(), f.bodyLength());
            }
            return List.of();
        }
        return message(dir, f.copyBody(), f.framing());
    }

    /** A whole message body the caller already owns (a frame forwarded as it arrived). */
    List<TraceEvent> message(Direction dir, byte[] body, Framing framing) {
        List<TraceEvent> events = message(dir, body, framing.label());
        noteFraming(dir, framing);
        return events;
    }

    void problem(Direction dir, String kind, String message, Frame f) {
        String preview = f == null || f.bodyLength() == 0 ? null
                : new String(f.buffer(), f.bodyOffset(), Math.min(f.bodyLength(), 400), StandardCharsets.UTF_8);
        problem(dir, kind, message, preview);
    }

    void noteFraming(Direction dir, Framing f) {
        if (dir == Direction.CLIENT_TO_SERVER) {
            if (clientFraming != f) {
                clientFraming = f;
                attribution("client_framing", f.label());
            }
        } else {
            serverSpoke.countDown();
            if (serverFraming != f) {
                serverFraming = f;
                attribution("server_framing", f.label());
            }
        }
    }
}
