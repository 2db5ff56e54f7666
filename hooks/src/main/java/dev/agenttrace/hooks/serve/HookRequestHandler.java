package dev.agenttrace.hooks.serve;

import dev.agenttrace.hooks.HookService;
import dev.agenttrace.hooks.agent.HookReply;
import dev.agenttrace.hooks.event.Agent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;

/**
 * The hook endpoints, after the Origin/Host check and the body aggregator:
 *
 * <pre>
 *   HttpServerCodec -> IdleStateHandler -> HttpServerKeepAliveHandler -> OriginHostValidator
 *     -> HttpObjectAggregator -> HookRequestHandler
 * </pre>
 *
 * {@code POST /hooks/<agent>} (the event read from the payload) or {@code /hooks/<agent>/<event>};
 * {@code GET /health}. Every answer is JSON; an agent acts only on a 200, so anything else (a bad
 * path, a payload that is not JSON) is a 4xx whose body says what was wrong.
 */
final class HookRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final HookService service;

    HookRequestHandler(HookService service) {
        this.service = service;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (!req.decoderResult().isSuccess()) {
            send(ctx, keepAlive, HttpResponseStatus.BAD_REQUEST, error("the request is not valid HTTP (" + req.decoderResult().cause() + ")"));
            return;
        }
        String path = ServeHttp.path(req);
        if (path.equals("/health")) {
            send(ctx, keepAlive, HttpResponseStatus.OK, ("{\"ok\":true,\"service\":\"agent-trace serve\",\"pid\":"
                    + ProcessHandle.current().pid() + ",\"sessions\":" + service.sessions().openCount() + "}").getBytes(StandardCharsets.US_ASCII));
            return;
        }
        if (!path.startsWith("/hooks/")) {
            send(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, error("no endpoint " + clip(path) + ": hooks are POSTed to /hooks/<agent> ("
                    + Agent.choices() + ")"));
            return;
        }
        String[] parts = path.substring("/hooks/".length()).split("/", -1);
        Agent agent = Agent.parse(parts[0]);
        if (agent == null || parts.length > 2) {
            send(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, error("no hook endpoint " + clip(path) + ": use /hooks/<agent>[/<event>] with agent one of "
                    + Agent.choices()));
            return;
        }
        if (!req.method().equals(HttpMethod.POST)) {
            send(ctx, keepAlive, HttpResponseStatus.METHOD_NOT_ALLOWED, error("hooks are POSTed; " + req.method() + " " + clip(path) + " is not served"));
            return;
        }
        String event = parts.length == 2 && !parts[1].isEmpty() ? parts[1] : null;
        ByteBuf content = req.content();
        byte[] body = ByteBufUtil.getBytes(content);
        service.handle(agent, event, body, 0, body.length).whenComplete((reply, failure) -> {
            if (failure != null) {
                send(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, error("agent-trace failed: " + failure));
            } else {
                send(ctx, keepAlive, HttpResponseStatus.valueOf(reply.httpStatus()), reply.body());
            }
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, byte[] body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        HttpUtil.setKeepAlive(r, keepAlive);
        ctx.writeAndFlush(r);
    }

    private static byte[] error(String message) {
        return HookReply.badInput(message).body();
    }

    private static String clip(String s) {
        String c = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return c.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
