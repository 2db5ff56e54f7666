package dev.agenttrace.proxy.http;

import dev.agenttrace.store.mcp.Direction;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.ByteArrayOutputStream;
import java.util.Locale;

/**
 * Records what the upstream answers, beside the bytes, before the relay passes them on:
 *
 * <pre>
 *   upstream: [SslHandler] -> HttpClientCodec -> [clock] -> ResponseRecorder -> ResponseRelay
 * </pre>
 *
 * A JSON body is copied (bounded by {@code --max-body-bytes}) and recorded as one message when
 * it ends, before the relay flushes it to the client; each {@code message} event of a Streamable
 * HTTP event stream is recorded as it is parsed; an error status is recorded as a problem. What
 * was recorded is classified (the inline watch) once the relay has flushed the read that brought
 * it. Legacy SSE streams are recorded by {@link LegacyEventRelay}, which relays them whole events
 * at a time. Nothing here changes, holds or releases the bytes.
 *
 * <p>One per upstream connection, kept while it sits in the pool; {@link #begin} points it at
 * each exchange the connection carries.
 */
final class ResponseRecorder extends ChannelInboundHandlerAdapter {
    static final String NAME = "recorder";

    private final int maxBytes;
    /** The exchange whose response is being read; null between exchanges. */
    private Exchange ex;
    /** The event stream being read, or null when the response is not one. */
    private SseParser sse;
    private SseParser spare;
    private ByteArrayOutputStream json;

    ResponseRecorder(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The connection carries {@code exchange}'s request next: its response is recorded in its session. */
    void begin(Exchange exchange) {
        ex = exchange;
        sse = null;
        json = null;
    }

    /** True when the event stream relayed so far ends between two events (an error event may follow). */
    boolean atEventBoundary() {
        return sse == null || sse.atBoundary();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Exchange e = ex;
        if (e == null || e.finished) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (msg instanceof HttpResponse r) {
            onHead(e, r);
        }
        boolean last = false;
        if (msg instanceof HttpContent c) {
            last = c instanceof LastHttpContent;
            if (last && json != null && json.size() == 0) {
                // the whole body in one read (the usual case): copied once, straight from the buffer
                ByteBuf in = c.content();
                if (in.readableBytes() > maxBytes) {
                    tooLarge(e);
                } else if (in.isReadable()) {
                    e.session.arriving(Direction.SERVER_TO_CLIENT, ByteBufUtil.getBytes(in), "http-json");
                }
                json = null;
            } else {
                onContent(e, c.content());
                if (last && json != null && json.size() > 0) {
                    // announced before the client can have it, classified after the flush
                    e.session.arriving(Direction.SERVER_TO_CLIENT, json.toByteArray(), "http-json");
                }
            }
        }
        ctx.fireChannelRead(msg);
        if (last) {
            if (ex == e) { // (the relay may have handed this connection to the next exchange already)
                begin(null);
            }
            e.session.catchUp();
        }
    }

    private void onHead(Exchange e, HttpResponse r) {
        int status = r.status().code();
        boolean optionalMethod = !e.request.method().equals(HttpMethod.POST);
        if (status >= 400 && !(status == 405 && optionalMethod)) {
            // (a 405 to GET or DELETE is how a server says it has no such stream or session end: not a fault)
            e.session.problem(Direction.SERVER_TO_CLIENT, "http_status", "the upstream answered " + r.status() + " to "
                    + e.describe(), null);
        }
        String contentType = r.headers().get(HttpHeaderNames.CONTENT_TYPE, "").toLowerCase(Locale.ROOT);
        if (contentType.startsWith("text/event-stream")) {
            if (e.route != Exchange.Route.LEGACY_STREAM) {
                // one parser per connection, reused from response to response
                if (spare == null || !spare.reset()) {
                    spare = new SseParser(maxBytes);
                }
                sse = spare;
            }
        } else if (contentType.contains("json")) {
            json = new ByteArrayOutputStream();
        }
    }

    private void onContent(Exchange e, ByteBuf in) {
        if (sse != null) {
            sse.feed(in, events);
        } else if (json != null) {
            if (json.size() + in.readableBytes() > maxBytes) {
                tooLarge(e);
                json = null;
            } else {
                try {
                    in.getBytes(in.readerIndex(), json, in.readableBytes());
                } catch (java.io.IOException impossible) { // (a ByteArrayOutputStream does not throw)
                    throw new java.io.UncheckedIOException(impossible);
                }
            }
        }
    }

    private void tooLarge(Exchange e) {
        e.session.problem(Direction.SERVER_TO_CLIENT, "too_large_to_record", "a JSON response to "
                + e.describe() + " over " + maxBytes + " bytes was relayed but not recorded", null);
    }

    /** Records each message event of a Streamable HTTP stream (the bytes go through untouched). */
    private final SseParser.Listener events = new SseParser.Listener() {
        @Override
        public void onEvent(String type, byte[] data, String id, int endIndex) {
            if ("message".equals(type) && data.length > 0) {
                ex.session.arriving(Direction.SERVER_TO_CLIENT, data, "http-sse");
            }
        }

        @Override
        public void onOverflow(String what) {
            ex.session.problem(Direction.SERVER_TO_CLIENT, "too_large_to_record", what + " was relayed but not recorded", null);
        }
    };

    /** The session of what is read next is classified once the relay has flushed it. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.fireChannelReadComplete();
        Exchange e = ex;
        if (e != null && e.session != null) {
            e.session.catchUp();
        }
    }
}
