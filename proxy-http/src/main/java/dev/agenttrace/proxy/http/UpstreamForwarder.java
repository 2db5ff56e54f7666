package dev.agenttrace.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.Future;

/**
 * The last handler of a client connection: sends each allowed {@link Exchange} to the upstream on
 * a pooled connection of the same event loop, and puts a {@link ResponseRelay} on that
 * connection to stream the answer back (or to answer 502 when the upstream cannot be reached).
 *
 * <p>Stateless: one instance serves every connection of a proxy.
 */
@ChannelHandler.Sharable
final class UpstreamForwarder extends SimpleChannelInboundHandler<Exchange> {
    private final ProxyContext px;

    UpstreamForwarder(ProxyContext px) {
        super(Exchange.class, false);
        this.px = px;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Exchange ex) {
        Channel client = ctx.channel();
        Future<Channel> f = px.upstream().acquire(client.eventLoop());
        f.addListener(done -> {
            if (ex.finished) {
                if (done.isSuccess()) {
                    px.upstream().release(f.getNow());
                }
                return;
            }
            Channel up = done.isSuccess() ? f.getNow() : null;
            ResponseRecorder recorder = up == null ? null : (ResponseRecorder) up.pipeline().get(ResponseRecorder.NAME);
            ResponseRelay r = new ResponseRelay(px, ex.front, client, ex, recorder);
            ex.relay = r;
            if (up == null) {
                r.failBeforeUpstream(done.cause());
                return;
            }
            recorder.begin(ex);
            ex.upstream = up;
            up.pipeline().addLast(ResponseRelay.NAME, r);
            up.config().setAutoRead(client.isWritable());
            up.writeAndFlush(px.upstream().request(ex)).addListener(w -> {
                if (ex.readNanos != 0 && w.isSuccess()) { // stamped only when timed (ResidenceClocks)
                    px.timing().add(ResidenceTimes.REQUEST, ex.readNanos);
                }
                if (!w.isSuccess()) {
                    r.fail("cannot send the request to the upstream (" + w.cause() + ")", HttpResponseStatus.BAD_GATEWAY, "upstream_error");
                }
            });
            r.armTimeout();
        });
    }
}
