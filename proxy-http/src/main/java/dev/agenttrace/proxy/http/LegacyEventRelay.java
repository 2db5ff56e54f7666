package dev.agenttrace.proxy.http;

import dev.agenttrace.store.mcp.Direction;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Relays a legacy SSE stream one whole event at a time, so that what the client has received
 * always ends on an event boundary: the {@code endpoint} event can be rewritten to the proxy, and
 * blocked results injected ({@link LegacyStream#inject}) land between two events. An event is
 * held only until its blank line arrives, and never beyond {@code maxBodyBytes}.
 */
final class LegacyEventRelay implements SseParser.Listener {
    /** How the relay reports a stream it must end. */
    interface Failure {
        void fail(String reason, String kind);
    }

    private final ProxyContext px;
    private final Exchange ex;
    private final Channel client;
    private final Failure failure;
    private final SseParser sse;
    private ByteBuf carry;
    private int carryBase;

    LegacyEventRelay(ProxyContext px, Exchange ex, Channel client, Failure failure) {
        this.px = px;
        this.ex = ex;
        this.client = client;
        this.failure = failure;
        this.sse = new SseParser(px.options().maxBodyBytes());
        this.carry = client.alloc().heapBuffer(1024);
    }

    /** Writes (without flushing) every event {@code in} completes; keeps the rest for the next chunk. */
    void relay(ByteBuf in) {
        carryBase = carry.writerIndex() - in.readerIndex();
        carry.writeBytes(in, in.readerIndex(), in.readableBytes());
        sse.feed(in, this);
        if (carry == null) {
            return;
        }
        carry.discardReadBytes();
        if (carry.readableBytes() > px.options().maxBodyBytes()) {
            failure.fail("the upstream sent an SSE event larger than " + px.options().maxBodyBytes() + " bytes", "too_large");
        }
    }

    @Override
    public void onEvent(String type, byte[] data, String id, int endIndex) {
        if (ex.finished || carry == null) {
            return;
        }
        ByteBuf event = carry.readBytes(carryBase + endIndex - carry.readerIndex());
        if ("endpoint".equals(type)) {
            event.release();
            event = rewriteEndpoint(new String(data, StandardCharsets.UTF_8).trim(), id);
            if (event == null) {
                return;
            }
        } else if ("message".equals(type) && data.length > 0) {
            ex.session.arriving(Direction.SERVER_TO_CLIENT, data, "sse");
        }
        client.write(new DefaultHttpContent(event), client.voidPromise());
    }

    /** The client must POST to the proxy, on the path the upstream named (same-origin upstream endpoints only). */
    private ByteBuf rewriteEndpoint(String announced, String id) {
        URI resolved;
        try {
            resolved = px.upstream().uri().resolve(announced);
        } catch (IllegalArgumentException e) {
            resolved = null;
        }
        if (resolved == null || !px.upstream().sameOrigin(resolved) || resolved.getRawPath() == null) {
            failure.fail("the upstream announced the message endpoint '" + announced + "', which is not on " + px.upstream().uri()
                    + "; the proxy forwards only to the configured upstream", "foreign_endpoint");
            return null;
        }
        String target = resolved.getRawPath() + (resolved.getRawQuery() == null ? "" : "?" + resolved.getRawQuery());
        if (ex.legacy.trace == null) {
            // the transport was not given: this endpoint event is what shows the upstream is legacy
            ex.legacy.trace = px.sessions().open(Transport.SSE, d -> d.put("transport_detected", true));
            ex.session = ex.legacy.trace;
        }
        ex.legacy.messageTarget = target;
        px.sessions().registerLegacy(target, ex.legacy);
        ex.session.attribution("message_endpoint", target);
        String event = (id == null ? "" : "id: " + id + "\n") + "event: endpoint\ndata: " + target + "\n\n";
        return Unpooled.copiedBuffer(event, StandardCharsets.UTF_8);
    }

    void release() {
        if (carry != null) {
            carry.release();
            carry = null;
        }
    }
}
