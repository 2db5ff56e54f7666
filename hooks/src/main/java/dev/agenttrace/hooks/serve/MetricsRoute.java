package dev.agenttrace.hooks.serve;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics} on serve's own port, after the Origin/Host check like every other endpoint
 * (Prometheus on this machine sends {@code Host: 127.0.0.1:<port>} and no Origin, so it passes; a
 * rebound web page does not). Anything else goes on to the next handler.
 */
@ChannelHandler.Sharable
final class MetricsRoute extends ChannelInboundHandlerAdapter {
    private final HookServer.MetricsPage page;

    MetricsRoute(HookServer.MetricsPage page) {
        this.page = page;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req)) {
            ctx.fireChannelRead(msg);
            return;
        }
        String path = req.uri();
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        if (!path.equals("/metrics")) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            boolean head = req.method().equals(HttpMethod.HEAD);
            if (!head && !req.method().equals(HttpMethod.GET)) {
                FullHttpResponse r = response(HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
                        (req.method() + " /metrics is not served; GET it\n").getBytes(StandardCharsets.UTF_8), false);
                r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
                send(ctx, r, keepAlive);
                return;
            }
            byte[] body;
            try {
                body = page.scrape();
            } catch (Exception e) {
                send(ctx, response(HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8",
                        ("agent-trace: the metrics could not be collected: " + e + "\n").getBytes(StandardCharsets.UTF_8), false), keepAlive);
                return;
            }
            if (body == null) {
                FullHttpResponse r = response(HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
                        "agent-trace: the metrics are starting; try again in a second\n".getBytes(StandardCharsets.UTF_8), false);
                r.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
                send(ctx, r, keepAlive);
                return;
            }
            send(ctx, response(HttpResponseStatus.OK, page.contentType(), body, head), keepAlive);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private static FullHttpResponse response(HttpResponseStatus status, String type, byte[] body, boolean head) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return r;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive) {
        HttpUtil.setKeepAlive(r, keepAlive);
        ctx.writeAndFlush(r).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
    }
}
