package dev.agenttrace.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * DNS-rebinding defence, placed right after the HTTP codec:
 *
 * <pre>
 *   HttpServerCodec -> ... -> OriginHostValidator -> FrontendHandler
 * </pre>
 *
 * A request whose {@code Origin} is present and not a loopback origin gets 403 (MCP transports
 * spec: "If the Origin header is present and invalid, servers MUST respond with HTTP 403
 * Forbidden"); one whose {@code Host} is missing or names anything but this proxy gets 421 (a
 * rebound page is same-origin with the attacker's name, so only Host gives it away). Both end the
 * connection; the rest of the refused request is dropped unread. Names given with
 * {@code --allow-host} (a proxy bound to another interface, reached by its LAN name) pass as Host
 * (with the proxy's port) and as the host of an Origin, as the loopback names do.
 *
 * <p>Public because {@code agent-trace serve} (module hooks) puts the same check in front of its
 * hook endpoints: one DNS-rebinding defence, not two.
 */
public final class OriginHostValidator extends ChannelInboundHandlerAdapter {
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    private final Set<String> hostNames;
    /** Loopback names and the names the user allowed: accepted in Host (with our port) and Origin. */
    private final Set<String> trusted;
    private final int port;
    private boolean dropping;

    /**
     * @param bindHost the address the proxy listens on (accepted as a Host name besides the loopback names)
     * @param port     the port the proxy listens on
     * @param allowed  further host names clients may use (the proxy's LAN name, say); an IPv6
     *                 address may be given with or without brackets
     */
    public OriginHostValidator(String bindHost, int port, java.util.Collection<String> allowed) {
        java.util.Set<String> names = new java.util.HashSet<>(forms(bindHost));
        java.util.Set<String> ok = new java.util.HashSet<>(LOOPBACK);
        for (String a : allowed) {
            ok.addAll(forms(a));
        }
        names.addAll(ok);
        this.hostNames = Set.copyOf(names);
        this.trusted = Set.copyOf(ok);
        this.port = port;
    }

    /** A name as it may appear in Host and as {@link URI#getHost()} gives it (IPv6 with and without brackets). */
    private static Set<String> forms(String name) {
        String b = name.trim().toLowerCase(Locale.ROOT);
        if (b.startsWith("[") && b.endsWith("]")) {
            return Set.of(b, b.substring(1, b.length() - 1));
        }
        return b.contains(":") ? Set.of(b, "[" + b + "]") : Set.of(b);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req && req.decoderResult().isSuccess()) {
            String problem = originProblem(req.headers().get(HttpHeaderNames.ORIGIN));
            HttpResponseStatus status = HttpResponseStatus.FORBIDDEN;
            if (problem == null) {
                problem = hostProblem(req.headers().get(HttpHeaderNames.HOST));
                status = HttpResponseStatus.MISDIRECTED_REQUEST;
            }
            if (problem != null) {
                dropping = !(msg instanceof LastHttpContent);
                ReferenceCountUtil.release(msg);
                Responses.refuse(ctx.channel(), status, null, -32600, problem);
                return;
            }
        } else if (dropping) {
            dropping = !(msg instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private String originProblem(String origin) {
        if (origin == null) {
            return null;
        }
        try {
            URI u = new URI(origin.trim());
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            String host = u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && trusted.contains(host)) {
                return null;
            }
        } catch (java.net.URISyntaxException e) {
            // falls through: refused
        }
        return "agent-trace: Origin '" + origin + "' is not allowed: this proxy serves local clients only "
                + "(a web page on another origin may not call it)";
    }

    private String hostProblem(String host) {
        if (host == null || host.isBlank()) {
            return "agent-trace: the request has no Host header; send Host: 127.0.0.1:" + port;
        }
        String h = host.trim().toLowerCase(Locale.ROOT);
        String name = h;
        int p = 80;
        int colon = h.lastIndexOf(':');
        if (colon > h.lastIndexOf(']')) {
            name = h.substring(0, colon);
            try {
                p = Integer.parseInt(h.substring(colon + 1));
            } catch (NumberFormatException e) {
                p = -1;
            }
        }
        if (p == port && hostNames.contains(name)) {
            return null;
        }
        return "agent-trace: Host '" + host + "' is not this proxy (127.0.0.1:" + port + "); "
                + "requests for other names are refused (DNS rebinding); a name clients really use is allowed with --allow-host";
    }
}
