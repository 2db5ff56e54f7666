package dev.agenttrace.proxy.http;

import dev.agenttrace.rules.Guard;
import dev.agenttrace.rules.inline.Checkpoint;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@code agent-trace record-http}: a recording, firewalled relay in front of one remote MCP server.
 * It serves the upstream's own path on a local port, so a client changes only host and port.
 *
 * <pre>
 *   client pipeline:  HttpServerCodec -> IdleStateHandler -> HttpServerKeepAliveHandler
 *                     -> HttpServerExpectContinueHandler -> RequestFraming -> OriginHostValidator
 *                     -> RequestLimits -> Router -> FrontendHandler
 *                     -> CheckpointHandler -> UpstreamForwarder
 * </pre>
 */
public final class HttpProxy implements AutoCloseable {
    private final HttpProxyOptions opts;
    private final Checkpoint checkpoint;
    private final SessionOpener opener;
    private final PrintStream err;
    private EventLoopGroup group;
    private ExecutorService storeThread;
    private SessionRegistry sessions;
    private Channel server;
    private int port;
    private InlineWatch inlineWatch;

    /**
     * @param guard  judges every client-to-server message before it is forwarded; null for none
     * @param opener opens a trace session per MCP session
     * @param err    where the proxy's own messages go
     */
    public HttpProxy(HttpProxyOptions opts, Guard guard, SessionOpener opener, PrintStream err) {
        this(opts, new Checkpoint(guard), opener, err);
    }

    /** @param checkpoint judges every client message ({@link Checkpoint#refusingAll} when the configuration is broken) */
    public static HttpProxy judgedBy(HttpProxyOptions opts, Checkpoint checkpoint, SessionOpener opener, PrintStream err) {
        return new HttpProxy(opts, checkpoint, opener, err);
    }

    private HttpProxy(HttpProxyOptions opts, Checkpoint checkpoint, SessionOpener opener, PrintStream err) {
        this.opts = opts;
        this.checkpoint = checkpoint;
        this.opener = opener;
        this.err = err;
    }

    /** Runs watchers inline in every session (call before {@link #start}). */
    public HttpProxy watch(InlineWatch w) {
        this.inlineWatch = w;
        return this;
    }

    /**
     * Netty logs through SLF4J when it finds it on the class path (the MCP SDK brings the API, no
     * provider): its warnings would vanish after a three-line "no providers" notice. JDK logging
     * keeps them, on stderr.
     */
    static {
        io.netty.util.internal.logging.InternalLoggerFactory.setDefaultFactory(io.netty.util.internal.logging.JdkLoggerFactory.INSTANCE);
    }

    /** Binds and starts relaying; returns the port. */
    public int start() throws InterruptedException {
        ResidenceTimes timing = ResidenceTimes.fromSystemProperty(err);
        Upstream upstream = new Upstream(opts.upstream(), opts.connectTimeoutMillis(), opts.maxBodyBytes(), timing);
        storeThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "agent-trace-http-store");
            t.setDaemon(true);
            return t;
        });
        group = new MultiThreadIoEventLoopGroup(eventLoops(Runtime.getRuntime().availableProcessors()),
                NettyIo.handlers());
        int wanted = opts.port();
        SessionOpener.Start template = new SessionOpener.Start(Transport.STREAMABLE, opts.upstream(), wanted, 0);
        sessions = new SessionRegistry(storeThread, opener, template, inlineWatch);
        ProxyContext px = new ProxyContext(opts, upstream, sessions, checkpoint, err, timing);
        Router router = new Router(px);
        CheckpointHandler judge = new CheckpointHandler(px);
        UpstreamForwarder forwarder = new UpstreamForwarder(px);
        int[] boundPort = {wanted};
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NettyIo.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        p.addLast("codec", new HttpServerCodec(new HttpDecoderConfig().setMaxInitialLineLength(8192)
                                .setMaxHeaderSize(opts.maxHeaderBytes()).setMaxChunkSize(64 * 1024)));
                        // benchmark-only, when -Dagenttrace.http.timing asks (ResidenceClocks)
                        ResidenceClocks.Request clock = timing == null ? null : new ResidenceClocks.Request();
                        if (clock != null) {
                            p.addLast("clock-head", clock.head);
                        }
                        if (opts.requestIdleMillis() > 0) {
                            p.addLast("idle", new IdleStateHandler(opts.requestIdleMillis(), 0, 0, TimeUnit.MILLISECONDS));
                        }
                        p.addLast("keep-alive", new HttpServerKeepAliveHandler());
                        p.addLast("expect", new HttpServerExpectContinueHandler());
                        p.addLast("framing", new RequestFraming(px.checkpoint().enforcing()));
                        p.addLast("origin-host", new OriginHostValidator(opts.bindHost(), boundPort[0], opts.allowedHosts()));
                        p.addLast("limits", new RequestLimits(opts.maxBodyBytes(), opts.maxHeaderBytes()));
                        p.addLast("router", router);
                        p.addLast("frontend", new FrontendHandler(px));
                        if (clock != null) {
                            p.addLast("clock-exchange", clock.exchange);
                        }
                        p.addLast("checkpoint", judge);
                        p.addLast("upstream", forwarder);
                    }
                });
        try {
            server = b.bind(new InetSocketAddress(opts.bindHost(), wanted)).sync().channel();
        } catch (Exception e) {
            close();
            throw e;
        }
        port = ((InetSocketAddress) server.localAddress()).getPort();
        boundPort[0] = port;
        sessions.localPort(port);
        if (inlineWatch != null) {
            long t0 = System.nanoTime();
            double epoch0 = System.currentTimeMillis() / 1000.0;
            group.next().scheduleAtFixedRate(() -> sessions.tick(epoch0 + (System.nanoTime() - t0) / 1e9), 250, 250, TimeUnit.MILLISECONDS);
        }
        long idle = opts.sessionIdleMillis();
        if (idle > 0) {
            long every = Math.max(1000, Math.min(60_000, idle / 4));
            group.next().scheduleAtFixedRate(() -> sessions.endIdle(idle), every, every, TimeUnit.MILLISECONDS);
        }
        return port;
    }

    /**
     * Half the cores, at least one, at most four: the proxy shares the machine with the agent and
     * the servers it relays for, and a relay is I/O, not computation. On two cores one loop
     * served 32 clients with 20-30% less CPU per call than two (fewer, fuller wake-ups; each
     * client connection shares its loop with its upstream connection either way).
     */
    static int eventLoops(int cores) {
        return Math.max(1, Math.min(4, cores / 2));
    }

    public int port() {
        return port;
    }

    /** The socket I/O under the event loops: "epoll" (native, Linux) or "nio" (Java NIO, the fallback). */
    public static String io() {
        return NettyIo.EPOLL ? "epoll" : "nio";
    }

    /** The URL a client uses instead of the upstream's. */
    public URI localUrl() {
        String bind = opts.bindHost();
        // a wildcard address is where to listen, not where to connect: a local client uses loopback
        String host = bind.equals("0.0.0.0") ? "127.0.0.1" : bind.equals("::") || bind.equals("[::]") ? "[::1]"
                : bind.contains(":") && !bind.startsWith("[") ? "[" + bind + "]" : bind;
        return URI.create("http://" + host + ":" + port + pathOf(opts.upstream()));
    }

    private static String pathOf(URI u) {
        return u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
    }

    /** Blocks until the proxy is closed. */
    public void awaitClose() throws InterruptedException {
        server.closeFuture().sync();
    }

    /** Stops listening, drops connections, and ends every open trace session (session_end, final meta). */
    @Override
    public void close() {
        if (server != null) {
            server.close().awaitUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
        if (inlineWatch != null) {
            try {
                inlineWatch.actions().close(); // queued alerts reach the traces before session_end
            } catch (Exception e) {
                err.println("agent-trace: closing the watch: " + e.getMessage());
            }
        }
        if (sessions != null) {
            sessions.endAll("proxy_stopped");
        }
        if (storeThread != null) {
            storeThread.shutdown();
            try {
                storeThread.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
