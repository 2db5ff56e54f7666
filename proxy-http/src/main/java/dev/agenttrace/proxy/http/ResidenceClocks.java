package dev.agenttrace.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;

/**
 * The handlers that take {@link ResidenceTimes}' samples, put in the pipelines only when
 * {@code -Dagenttrace.http.timing} asks for them, so the relaying handlers do no timing work:
 *
 * <pre>
 *   client:   codec -> RequestHead -> ... -> FrontendHandler -> RequestExchange -> CheckpointHandler -> ...
 *   upstream: [ssl] -> codec -> Response -> ResponseRelay
 * </pre>
 *
 * A request is timed from the read that brought its head until its write to the upstream is done
 * ({@link UpstreamForwarder} takes that sample when the exchange carries a start); a response from
 * the first upstream read not yet accounted for until the relay has handled the read that brought
 * its end; an event stream from each read until the relay has flushed what it brought.
 */
final class ResidenceClocks {
    private ResidenceClocks() {
    }

    /** Per client connection: the time its latest request head was read, handed to the exchange made of it. */
    static final class Request {
        private long headNanos;

        /** Right after the codec: notes when a head is read. */
        final ChannelInboundHandlerAdapter head = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest) {
                    headNanos = System.nanoTime();
                }
                ctx.fireChannelRead(msg);
            }
        };

        /** Between routing and the checkpoint: stamps the exchange with its head's time. */
        final ChannelInboundHandlerAdapter exchange = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Exchange ex) {
                    ex.readNanos = headNanos;
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    private static final AsciiString EVENT_STREAM = AsciiString.cached("text/event-stream");

    /** Per upstream connection, before the relay: response and stream-read residence. */
    static final class Response extends ChannelInboundHandlerAdapter {
        private final ResidenceTimes times;
        /** The first read not yet accounted for; 0 when none. */
        private long readNanos;
        private boolean stream;

        Response(ResidenceTimes times) {
            this.times = times;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (readNanos == 0) {
                readNanos = System.nanoTime();
            }
            if (msg instanceof HttpResponse r) {
                String type = r.headers().get(HttpHeaderNames.CONTENT_TYPE);
                stream = type != null && AsciiString.regionMatches(type, true, 0, EVENT_STREAM, 0, EVENT_STREAM.length());
            }
            boolean last = msg instanceof LastHttpContent;
            ctx.fireChannelRead(msg);
            if (last) {
                times.add(ResidenceTimes.RESPONSE, readNanos);
                readNanos = 0;
                stream = false;
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.fireChannelReadComplete();
            if (readNanos != 0 && stream) {
                times.add(ResidenceTimes.STREAM_READ, readNanos);
                readNanos = 0;
            }
        }
    }
}
