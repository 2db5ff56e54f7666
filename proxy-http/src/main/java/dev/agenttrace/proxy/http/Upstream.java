package dev.agenttrace.proxy.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * The one server the proxy forwards to, and its keep-alive connections: a small idle pool per
 * event loop, touched only from that loop (no locks), so a relay and its upstream connection
 * share a thread as in Netty's proxy example.
 *
 * <pre>
 *   upstream pipeline:  [SslHandler] -> HttpClientCodec -> [clock, when timed] -> ResponseRecorder
 *                       -> relay (added per exchange, removed after)
 * </pre>
 *
 * No decompressor: the proxy asks for identity encoding (it reads the bodies it relays) and
 * forwards bytes as they come.
 */
final class Upstream {
    static final String CODEC = "codec";
    /** Idle connections kept per loop; beyond that a finished one is closed. */
    private static final int MAX_IDLE_PER_LOOP = 32;
    /**
     * A pooled connection idle longer than this is not reused: Node's HTTP server closes idle
     * keep-alive sockets after 5 s, and a request written into a closing socket is lost.
     */
    private static final long MAX_IDLE_NANOS = 4_000_000_000L;

    private final URI uri;
    private final String host;
    private final int port;
    private final String authority;
    private final String path;
    private final SslContext ssl;
    private final long connectTimeoutMillis;
    /** Residence times to sample on every upstream connection; null (the default) for none. */
    private final ResidenceTimes timing;
    private final Map<EventLoop, ArrayDeque<Idle>> idle = new ConcurrentHashMap<>();

    private record Idle(Channel channel, long since) {
    }

    /** Largest response body or SSE event recorded (what is larger is relayed, not recorded). */
    private final int maxRecordBytes;

    Upstream(URI uri, long connectTimeoutMillis, int maxRecordBytes) {
        this(uri, connectTimeoutMillis, maxRecordBytes, null);
    }

    Upstream(URI uri, long connectTimeoutMillis, int maxRecordBytes, ResidenceTimes timing) {
        this.maxRecordBytes = maxRecordBytes;
        this.timing = timing;
        String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT); // checked by HttpProxyOptions
        this.uri = uri;
        this.host = uri.getHost();
        boolean tls = scheme.equals("https");
        this.port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        this.authority = uri.getPort() > 0 ? uri.getRawAuthority().substring(uri.getRawAuthority().lastIndexOf('@') + 1)
                : host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        String p = uri.getRawPath();
        this.path = p == null || p.isEmpty() ? "/" : p;
        this.connectTimeoutMillis = connectTimeoutMillis;
        try {
            // JDK default trust; Netty 4.2 verifies the host name when given host and port (below)
            this.ssl = tls ? SslContextBuilder.forClient().build() : null;
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for " + uri + ": " + e.getMessage(), e);
        }
    }

    URI uri() {
        return uri;
    }

    /** The raw path the upstream serves MCP on; the proxy serves the same one. */
    String path() {
        return path;
    }

    /** The value of the Host header towards the upstream. */
    String authority() {
        return authority;
    }

    /** True when {@code other} (an endpoint the upstream announced) is on the upstream's own origin. */
    boolean sameOrigin(URI other) {
        if (other.getHost() == null) {
            return true;
        }
        int otherPort = other.getPort() > 0 ? other.getPort() : "https".equalsIgnoreCase(other.getScheme()) ? 443 : 80;
        return uri.getScheme().equalsIgnoreCase(other.getScheme()) && host.equalsIgnoreCase(other.getHost()) && port == otherPort;
    }

    /**
     * The request to send upstream for an exchange: the client's end-to-end headers (Authorization
     * and cookies included: they were issued for this upstream), its own Host, no Origin (the proxy
     * checked it), identity encoding (the proxy reads what it relays), the body as judged.
     */
    FullHttpRequest request(Exchange ex) {
        FullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, ex.request.method(),
                ex.route == Exchange.Route.LEGACY_POST ? ex.upstreamTarget : ex.request.uri(), Unpooled.wrappedBuffer(ex.body));
        Responses.copyEndToEnd(ex.request.headers(), out.headers());
        out.headers().remove(HttpHeaderNames.ORIGIN).remove(HttpHeaderNames.ACCEPT_ENCODING).remove(HttpHeaderNames.EXPECT)
                .remove(HttpHeaderNames.CONTENT_LENGTH);
        out.headers().set(HttpHeaderNames.HOST, authority);
        if (ex.body.length > 0 || ex.request.method().equals(HttpMethod.POST)) {
            out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, ex.body.length);
        }
        return out;
    }

    /** A connection on {@code loop}: an idle pooled one, else a new one. */
    Future<Channel> acquire(EventLoop loop) {
        Promise<Channel> promise = loop.newPromise();
        ArrayDeque<Idle> q = idle.get(loop);
        long now = System.nanoTime();
        while (q != null && !q.isEmpty()) {
            Idle i = q.pollLast();
            if (i.channel.isActive() && now - i.since < MAX_IDLE_NANOS) {
                return promise.setSuccess(i.channel);
            }
            i.channel.close();
        }
        Bootstrap b = new Bootstrap().group(loop).channel(NettyIo.channel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeoutMillis))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (ssl != null) {
                            p.addLast("ssl", ssl.newHandler(ch.alloc(), host, port));
                        }
                        p.addLast(CODEC, new HttpClientCodec(new HttpDecoderConfig().setMaxInitialLineLength(8192)
                                .setMaxHeaderSize(64 * 1024).setMaxChunkSize(64 * 1024), false, false));
                        if (timing != null) {
                            p.addLast("clock", new ResidenceClocks.Response(timing));
                        }
                        p.addLast(ResponseRecorder.NAME, new ResponseRecorder(maxRecordBytes));
                    }
                });
        ChannelFuture f = b.connect(host, port);
        f.addListener(done -> {
            if (done.isSuccess()) {
                promise.setSuccess(f.channel());
            } else {
                promise.setFailure(done.cause());
            }
        });
        return promise;
    }

    /** Returns a connection whose exchange ended cleanly; call on its loop. */
    void release(Channel ch) {
        if (!ch.isActive()) {
            return;
        }
        ch.config().setAutoRead(true);
        ArrayDeque<Idle> q = idle.computeIfAbsent(ch.eventLoop(), l -> new ArrayDeque<>());
        if (q.size() >= MAX_IDLE_PER_LOOP) {
            ch.close();
            return;
        }
        q.addLast(new Idle(ch, System.nanoTime()));
    }
}
