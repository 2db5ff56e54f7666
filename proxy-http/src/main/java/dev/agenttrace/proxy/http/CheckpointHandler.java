package dev.agenttrace.proxy.http;

import dev.agenttrace.rules.inline.Checkpoint;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Every client message passes the {@link Checkpoint} (the firewall and the watch's breakers,
 * judged together, once) before anything is forwarded: an allowed {@link Exchange} goes on to the
 * {@link UpstreamForwarder}; a blocked one is answered here and never reaches the upstream
 * (docs/DESIGN.md §4). On legacy SSE, a batch's refused part is answered on the event stream and
 * the allowed part goes on; a blocked POST gets its 202 and its answer on the stream.
 *
 * <p>Stateless: one instance serves every connection of a proxy.
 */
@ChannelHandler.Sharable
final class CheckpointHandler extends SimpleChannelInboundHandler<Exchange> {
    private final ProxyContext px;

    CheckpointHandler(ProxyContext px) {
        super(Exchange.class, false);
        this.px = px;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Exchange ex) {
        if (!ex.request.method().equals(HttpMethod.POST) || ex.body.length == 0) {
            ctx.fireChannelRead(ex);
            return;
        }
        boolean streamable = ex.route == Exchange.Route.STREAMABLE;
        Checkpoint.Verdict v = px.checkpoint().clientMessage(ex.body, streamable ? "http-post" : "sse-post", ex.session,
                ex.session.watch(), streamable ? Checkpoint.Batches.WHOLE : Checkpoint.Batches.SPLIT);
        if (v.waiting() != null) {
            // it names paths while a call that may change files runs: judged on this connection's
            // event loop once that call is answered; this connection's next requests wait behind it
            v.waiting().then(ctx.channel().eventLoop(), w -> {
                if (!ex.finished) {
                    apply(ctx, ex, w);
                }
            });
            return;
        }
        apply(ctx, ex, v);
    }

    private void apply(ChannelHandlerContext ctx, Exchange ex, Checkpoint.Verdict v) {
        for (String line : v.stderr()) {
            px.err().println(line);
        }
        if (v.forwardOriginal()) {
            ctx.fireChannelRead(ex);
            return;
        }
        if (v.forward() == null) {
            answerBlocked(ctx, ex, v.reply());
            return;
        }
        // legacy SSE: the allowed part goes on, the refused part is answered on the event stream
        ex.body = v.forward();
        ex.legacy.inject(v.reply());
        ctx.fireChannelRead(ex);
    }

    private void answerBlocked(ChannelHandlerContext ctx, Exchange ex, byte[] reply) {
        FullHttpResponse r;
        if (ex.route == Exchange.Route.LEGACY_POST) {
            ex.legacy.inject(reply);
            r = Responses.text(HttpResponseStatus.ACCEPTED, "Accepted");
        } else {
            r = Responses.json(HttpResponseStatus.OK, reply);
        }
        HttpUtil.setKeepAlive(r, HttpUtil.isKeepAlive(ex.request));
        ex.responseStarted = true;
        ex.finished = true;
        ctx.writeAndFlush(r);
        ex.front.exchangeDone(ex, false);
    }
}
