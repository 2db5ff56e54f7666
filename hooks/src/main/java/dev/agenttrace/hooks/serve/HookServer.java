package dev.agenttrace.hooks.serve;

import dev.agenttrace.hooks.HookService;
import dev.agenttrace.hooks.agent.HookReply;
import dev.agenttrace.proxy.http.NettyIo;
import dev.agenttrace.proxy.http.OriginHostValidator;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code agent-trace serve}: the resident endpoint agents POST their hooks to, so a tool call
 * costs a loopback request, not a process start. Security as for {@code record-http}: bound to
 * 127.0.0.1 unless told otherwise, a foreign {@code Origin} gets 403 and a {@code Host} that is not
 * this server 421 (DNS rebinding), request bodies and headers bounded. {@code GET /metrics}, when
 * given a {@link MetricsPage}, sits behind the same checks.
 */
public final class HookServer implements AutoCloseable {
    public static final int DEFAULT_PORT = 3100;
    /** Large enough for a Write of a big file (its content is in the payload), small enough to bound memory. */
    public static final int DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

    private final HookService service;
    private final String bind;
    private final int wantedPort;
    private final Collection<String> allowedHosts;
    private final int maxBodyBytes;
    private final LiveRoutes live;
    private final MetricsRoute metrics;
    private EventLoopGroup group;
    private Channel server;
    private int port;

    public HookServer(HookService service, String bind, int port, Collection<String> allowedHosts, int maxBodyBytes) {
        this(service, bind, port, allowedHosts, maxBodyBytes, List.of());
    }

    /**
     * @param liveStores the stores the live view at {@code /} shows (the first is serve's own); none
     *                   for no live view
     */
    public HookServer(HookService service, String bind, int port, Collection<String> allowedHosts, int maxBodyBytes,
                      List<dev.agenttrace.store.TraceStore> liveStores) {
        this(service, bind, port, allowedHosts, maxBodyBytes, liveStores, null);
    }

    /**
     * What {@code GET /metrics} serves (OpenMetrics text, for Prometheus): kept behind this
     * interface so the hooks module needs no metrics library; the CLI hands in the export's.
     */
    public interface MetricsPage {
        String contentType();

        /** The current values, or null while the metrics are still starting (answered 503). */
        byte[] scrape() throws Exception;
    }

    /**
     * @param metrics what {@code /metrics} serves, or null for no {@code /metrics}
     */
    public HookServer(HookService service, String bind, int port, Collection<String> allowedHosts, int maxBodyBytes,
                      List<dev.agenttrace.store.TraceStore> liveStores, MetricsPage metrics) {
        this.metrics = metrics == null ? null : new MetricsRoute(metrics);
        this.live = liveStores.isEmpty() ? null : new LiveRoutes(liveStores);
        this.service = service;
        this.bind = bind;
        this.wantedPort = port;
        this.allowedHosts = List.copyOf(allowedHosts);
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Binds and serves; returns the port. */
    public int start() throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors() / 2)), NettyIo.handlers());
        int[] boundPort = {wantedPort};
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NettyIo.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        p.addLast("codec", new HttpServerCodec());
                        p.addLast("idle", new IdleStateHandler(0, 0, 15, TimeUnit.MINUTES));
                        p.addLast("keep-alive", new HttpServerKeepAliveHandler());
                        p.addLast("origin-host", new OriginHostValidator(bind, boundPort[0], allowedHosts));
                        p.addLast("aggregate", new HttpObjectAggregator(maxBodyBytes) {
                            @Override
                            protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
                                byte[] body = HookReply.badInput("the hook payload is larger than " + maxContentLength()
                                        + " bytes; it was not read (serve --max-body-bytes raises the limit)").body();
                                FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(body));
                                r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
                                r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
                                // the connection stays open: the aggregator reads and drops the rest of
                                // the body, so a client still sending it reads this answer instead of a
                                // reset (closing now races its write); the idle timeout bounds the rest
                                ctx.writeAndFlush(r);
                            }
                        });
                        if (metrics != null) {
                            p.addLast("metrics", metrics);
                        }
                        if (live != null) {
                            p.addLast("live", live);
                        }
                        p.addLast("hooks", new HookRequestHandler(service));
                    }
                });
        try {
            server = b.bind(new InetSocketAddress(bind, wantedPort)).sync().channel();
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        port = ((InetSocketAddress) server.localAddress()).getPort();
        boundPort[0] = port;
        long t0 = System.nanoTime();
        double epoch0 = System.currentTimeMillis() / 1000.0;
        group.next().scheduleAtFixedRate(() -> service.tick(epoch0 + (System.nanoTime() - t0) / 1e9), 1, 1, TimeUnit.SECONDS);
        return port;
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String baseUrl() {
        String host = bind.contains(":") && !bind.startsWith("[") ? "[" + bind + "]" : bind;
        if (bind.equals("0.0.0.0") || bind.equals("::")) {
            host = "127.0.0.1";
        }
        return "http://" + host + ":" + port;
    }

    public void awaitClose() throws InterruptedException {
        server.closeFuture().await();
    }

    /** Stops listening; every open session gets its session_end. */
    @Override
    public void close() {
        if (server != null) {
            server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        if (live != null) {
            live.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
        service.close();
    }
}
