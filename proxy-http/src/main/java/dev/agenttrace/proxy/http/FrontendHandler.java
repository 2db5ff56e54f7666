package dev.agenttrace.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * One client connection's exchanges, one at a time: takes each routed request ({@link Router}),
 * answers a refusal, reads an exchange's body (one JSON-RPC message that the checkpoint must see
 * whole; {@link RequestLimits} bounds it), finds its trace session, and passes the whole
 * {@link Exchange} on:
 *
 * <pre>
 *   ... -> RequestLimits -> Router -> FrontendHandler -> CheckpointHandler -> UpstreamForwarder
 * </pre>
 *
 * The {@link ResponseRelay} of the upstream connection (or the checkpoint, for a blocked
 * request) tells it when the exchange is over ({@link #exchangeDone}).
 *
 * <p>One exchange at a time per connection; a pipelined request waits (reads paused) until the
 * previous response is complete. The idle timeout applies while a request is being read or the
 * connection sits between requests, never while a response streams.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {
    private final ProxyContext px;
    private final ArrayDeque<Object> pipelined = new ArrayDeque<>();
    private Exchange current;
    private ByteBuf body;
    private boolean receiving;
    private boolean discarding;
    private Router.Refusal answerAfterBody;

    FrontendHandler(ProxyContext px) {
        this.px = px;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!pipelined.isEmpty() || (current != null && !receiving)) {
            pipelined.add(msg);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        handle(ctx, msg);
    }

    private void handle(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Exchange ex) {
            current = ex;
            ex.front = this;
            receiving = true;
        } else if (msg instanceof Router.Refusal r) {
            if (current != null && receiving) {
                // the body being read went over a limit (RequestLimits): the exchange ends unforwarded
                dropBody();
                current = null;
                receiving = false;
            }
            if (r.body() != null) {
                // answered once the whole request is read: closing while the client still writes would reset the answer
                discarding = true;
                answerAfterBody = r;
            } else {
                refuse(ctx.channel(), r.status(), r.message());
            }
        } else if (msg instanceof HttpContent c) {
            onBody(ctx, c);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void refuse(Channel ch, HttpResponseStatus status, String message) {
        discarding = true;
        Responses.refuse(ch, status, null, -32600, message);
    }

    private void onBody(ChannelHandlerContext ctx, HttpContent c) {
        boolean last = c instanceof LastHttpContent;
        if (discarding || !receiving) {
            c.release();
            discarding = discarding && !last;
            if (last && answerAfterBody != null) {
                Responses.refuseWith(ctx.channel(), answerAfterBody.status(), answerAfterBody.body());
                answerAfterBody = null;
            }
            return;
        }
        ByteBuf in = c.content();
        if (last && body == null) {
            // the whole body in one piece (the usual case): one copy, straight into the exchange
            if (in.isReadable()) {
                current.body = ByteBufUtil.getBytes(in);
            }
            c.release();
            receiving = false;
            dispatch(ctx, current);
            return;
        }
        if (in.isReadable()) {
            if (body == null) {
                // within --max-body-bytes: RequestLimits refused a larger one before it got here
                body = ctx.alloc().heapBuffer(Math.min(in.readableBytes() + 256, px.options().maxBodyBytes()));
            }
            body.writeBytes(in);
        }
        c.release();
        if (last) {
            receiving = false;
            if (body != null) {
                current.body = ByteBufUtil.getBytes(body);
                dropBody();
            }
            dispatch(ctx, current);
        }
    }

    private void dropBody() {
        if (body != null) {
            body.release();
            body = null;
        }
    }

    /**
     * The request is read whole: it belongs to a trace session (an {@code initialize} without a
     * session id opens one), and goes on to the {@link CheckpointHandler}.
     */
    private void dispatch(ChannelHandlerContext ctx, Exchange ex) {
        SessionRegistry sessions = px.sessions();
        switch (ex.route) {
            case STREAMABLE -> {
                String sid = ex.request.headers().get("mcp-session-id");
                ex.initialize = sid == null && ex.request.method().equals(HttpMethod.POST) && Exchange.isInitialize(ex.body);
                ex.session = sid != null ? sessions.forMcpSession(sid) : ex.initialize ? sessions.open(d -> { }) : sessions.sessionless();
            }
            case LEGACY_STREAM, LEGACY_POST -> ex.session = ex.legacy.trace != null ? ex.legacy.trace : sessions.sessionless();
        }
        ctx.fireChannelRead(ex);
    }

    /** The exchange is over (relayed, refused or failed): next request, or close. */
    void exchangeDone(Exchange ex, boolean closeClient) {
        if (current != ex) {
            return;
        }
        current = null;
        if (ex.route == Exchange.Route.LEGACY_STREAM) {
            ex.legacy.open = false;
            px.sessions().unregisterLegacy(ex.legacy);
        }
        Channel ch = self.channel();
        if (closeClient || !HttpUtil.isKeepAlive(ex.request)) {
            if (ch.isActive()) {
                ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        ch.config().setAutoRead(true);
        while (!pipelined.isEmpty() && (current == null || receiving)) {
            handle(self, pipelined.poll());
        }
    }

    private ChannelHandlerContext self;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        self = ctx;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Exchange ex = current;
        if (ex != null && ex.upstream != null && !ex.finished) {
            ex.upstream.config().setAutoRead(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        dropBody();
        for (Object queued : pipelined) {
            if (queued instanceof Exchange q && q.route == Exchange.Route.LEGACY_STREAM) {
                px.sessions().unregisterLegacy(q.legacy); // a stream that never started ends its session
            }
            ReferenceCountUtil.release(queued);
        }
        pipelined.clear();
        Exchange ex = current;
        if (ex != null) {
            if (ex.relay != null) {
                ex.relay.clientGone();
            } else {
                // still waiting for an upstream connection: it goes back to the pool unused
                ex.finished = true;
            }
            if (ex.route == Exchange.Route.LEGACY_STREAM) {
                ex.legacy.open = false;
                px.sessions().unregisterLegacy(ex.legacy);
            }
            current = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (current == null) {
                ctx.close();
            } else if (receiving) {
                current = null;
                receiving = false;
                dropBody();
                refuse(ctx.channel(), HttpResponseStatus.REQUEST_TIMEOUT, "agent-trace: the request was not sent in time ("
                        + px.options().requestIdleMillis() + " ms without a byte)");
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof java.io.IOException)) {
            px.err().println("agent-trace: client connection failed: " + cause);
        }
        ctx.close();
    }
}
