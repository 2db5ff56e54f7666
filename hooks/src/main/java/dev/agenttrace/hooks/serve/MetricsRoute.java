package dev.agenttrace.hooks.serve;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
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
        if (!ServeHttp.path(req).equals("/metrics")) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            boolean head = req.method().equals(HttpMethod.HEAD);
            if (!head && !req.method().equals(HttpMethod.GET)) {
                FullHttpResponse r = ServeHttp.response(HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
                        (req.method() + " /metrics is not served; GET it\n").getBytes(StandardCharsets.UTF_8), false);
                r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
                ServeHttp.send(ctx, r, keepAlive);
                return;
            }
            byte[] body;
            try {
                body = page.scrape();
            } catch (Exception e) {
                ServeHttp.send(ctx, ServeHttp.response(HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8",
                        ("agent-trace: the metrics could not be collected: " + e + "\n").getBytes(StandardCharsets.UTF_8), false), keepAlive);
                return;
            }
            if (body == null) {
                FullHttpResponse r = ServeHttp.response(HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
                        "agent-trace: the metrics are starting; try again in a second\n".getBytes(StandardCharsets.UTF_8), false);
                r.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
                ServeHttp.send(ctx, r, keepAlive);
                return;
            }
            ServeHttp.send(ctx, ServeHttp.response(HttpResponseStatus.OK, page.contentType(), body, head), keepAlive);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

}
