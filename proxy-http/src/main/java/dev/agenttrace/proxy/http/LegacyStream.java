package dev.agenttrace.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import java.nio.charset.StandardCharsets;

/**
 * One legacy {@code GET /sse} connection: its trace session, the client's channel (where blocked
 * results are injected) and the upstream message endpoint its {@code endpoint} event announced.
 */
final class LegacyStream {
    /** Opened with the stream when the transport is known, else when its endpoint event shows it. */
    volatile TraceSession trace;
    final Channel client;
    /** The upstream's message endpoint (raw path and query); the proxy serves the same target. Loop-confined. */
    String messageTarget;
    /** True while the SSE response is open towards the client. Loop-confined. */
    boolean open;

    LegacyStream(TraceSession trace, Channel client) {
        this.trace = trace;
        this.client = client;
    }

    /**
     * Puts a JSON-RPC message on the client's stream as a {@code message} event. The relay writes
     * whole events only (see {@link ResponseRelay}), so this lands between two events.
     */
    void inject(byte[] json) {
        byte[] head = "event: message\ndata: ".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "\n\n".getBytes(StandardCharsets.US_ASCII);
        client.eventLoop().execute(() -> {
            if (open && client.isActive()) {
                client.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(head, json, tail)));
            }
        });
    }
}
