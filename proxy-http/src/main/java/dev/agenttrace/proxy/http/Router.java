package dev.agenttrace.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;

/**
 * Decides what a request is, from its head alone: a Streamable HTTP exchange on the upstream's
 * path, a legacy SSE stream, a POST to a message endpoint an SSE stream announced, or a refusal
 * with the status and message the client gets. The proxy forwards nothing else: no other path,
 * no absolute-form target, no other host.
 *
 * <pre>
 *   ... -> RequestLimits -> Router -> FrontendHandler -> ...
 * </pre>
 *
 * Each request head becomes an {@link Exchange} or a {@link Refusal}, passed on in the head's
 * place (the body follows as it is read); the {@link FrontendHandler} answers a refusal in turn,
 * so an answer never cuts into the response to an earlier request on the connection. Stateless:
 * one instance serves every connection of a proxy.
 */
@ChannelHandler.Sharable
final class Router extends ChannelInboundHandlerAdapter {
    /**
     * A request the proxy answers itself and does not read further: with {@link #message} as a
     * JSON-RPC error at once, or with {@link #body} once the request is read whole.
     */
    record Refusal(HttpResponseStatus status, String message, byte[] body) {
        Refusal(HttpResponseStatus status, String message) {
            this(status, message, null);
        }
    }

    /**
     * What an agent's HTTP hook that reached this port gets: serve and record-http both default to
     * port 3100, and an agent runs the tool when its hook gets a 404 (Claude Code treats any non-2xx
     * answer as a non-blocking error). So a hook sent to record-http by mistake would leave every
     * tool call unjudged and unrecorded, silently. It is answered instead with a 200 that stops the
     * agent (Claude Code's {@code continue: false}, honoured for every event) and says why.
     */
    static final String MISROUTED_HOOK = "agent-trace: this port is record-http (an MCP proxy), not agent-trace serve, so this hook was "
            + "neither judged nor recorded and the agent is stopped rather than run unguarded. Start serve on another port "
            + "(agent-trace serve --port N) and point the hooks at it (agent-trace setup claude-code --port N), or move record-http (--port).";

    private final ProxyContext px;

    Router(ProxyContext px) {
        this.px = px;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest req)) {
            ctx.fireChannelRead(msg);
            return;
        }
        Object routed = route(req, ctx.channel());
        if (routed instanceof Refusal r && r.status().code() == 200 && px.misroutedHookSaid().compareAndSet(false, true)) {
            px.err().println(MISROUTED_HOOK);
        }
        ctx.fireChannelRead(routed);
        if (msg instanceof HttpContent c) {
            ctx.fireChannelRead(c); // a whole request in one message: its body follows its head
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    /** @return an {@link Exchange} or a {@link Refusal}; the head was read whole and within limits ({@link RequestLimits}) */
    Object route(HttpRequest req, Channel client) {
        String uri = req.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        HttpMethod m = req.method();
        Transport transport = px.options().transport();
        LegacyStream posted = m.equals(HttpMethod.POST) && transport != Transport.STREAMABLE ? px.sessions().legacy(uri) : null;
        if (posted != null) {
            return new Exchange(req, Exchange.Route.LEGACY_POST, posted.messageTarget, posted);
        }
        if (m.equals(HttpMethod.POST) && path.startsWith("/hooks/") && !path.equals(px.upstream().path())) {
            com.fasterxml.jackson.databind.node.ObjectNode stop = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            stop.put("continue", false);
            stop.put("stopReason", MISROUTED_HOOK);
            stop.put("systemMessage", MISROUTED_HOOK);
            return new Refusal(HttpResponseStatus.OK, MISROUTED_HOOK, stop.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        if (!uri.startsWith("/") || !path.equals(px.upstream().path())) {
            return new Refusal(HttpResponseStatus.NOT_FOUND, "agent-trace: nothing here: this proxy serves " + px.upstream().path()
                    + (transport != Transport.STREAMABLE ? " and the message endpoints its SSE streams announce" : ""));
        }
        if (transport == Transport.SSE && !m.equals(HttpMethod.GET)) {
            return new Refusal(HttpResponseStatus.METHOD_NOT_ALLOWED, "agent-trace: " + path + " is the SSE stream: use GET");
        }
        if (!m.equals(HttpMethod.POST) && !m.equals(HttpMethod.GET) && !m.equals(HttpMethod.DELETE)) {
            return new Refusal(HttpResponseStatus.METHOD_NOT_ALLOWED, "agent-trace: " + path + " takes POST, GET and DELETE");
        }
        if (transport == Transport.SSE || (transport == null && m.equals(HttpMethod.GET) && !req.headers().contains("mcp-session-id"))) {
            // a legacy stream, or (transport unknown) a GET that may turn out to be one: its first
            // event tells (LegacyEventRelay#rewriteEndpoint)
            LegacyStream stream = new LegacyStream(transport == Transport.SSE ? px.sessions().open(Transport.SSE, d -> { }) : null, client);
            return new Exchange(req, Exchange.Route.LEGACY_STREAM, uri, stream);
        }
        return new Exchange(req, Exchange.Route.STREAMABLE, uri, null);
    }
}
