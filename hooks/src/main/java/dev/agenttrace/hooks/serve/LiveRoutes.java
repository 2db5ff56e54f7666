package dev.agenttrace.hooks.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.report.ReportPages;
import dev.agenttrace.report.live.LiveBoard;
import dev.agenttrace.report.session.LiveFeed;
import dev.agenttrace.rules.watch.SessionControl;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceJson;
import dev.agenttrace.store.TraceStore;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code serve}'s live view, in the pipeline before the hook endpoints (behind the same Origin and
 * Host check, so another site's page can neither read these nor press their buttons):
 *
 * <pre>
 *   GET  /                      the running sessions of every store serve knows
 *   GET  /feed                  their changes, as server-sent events ({@link LiveBoard})
 *   GET  /sessions/ID           one session's report, following it live
 *   GET  /sessions/ID/feed      its rows and marks as they are recorded ({@link LiveFeed})
 *   POST /control/pause|resume|stop   {"session_id": ID}, application/json only ({@link SessionControl})
 * </pre>
 *
 * Everything else goes on to the hook endpoints. Pages are rendered and feeds polled on threads of
 * their own, never on an event loop; a feed whose client reads slowly is not polled until its
 * channel drains (its tail keeps its place, so nothing is skipped).
 */
@ChannelHandler.Sharable
final class LiveRoutes extends ChannelInboundHandlerAdapter implements AutoCloseable {
    private static final long FEED_POLL_MS = 100;
    private static final long BOARD_POLL_MS = 500;
    private static final long HEARTBEAT_MS = 15_000;
    private static final Set<String> ACTIONS = Set.of("pause", "resume", "stop");

    private final LiveBoard board;
    private final ScheduledExecutorService poller = Executors.newScheduledThreadPool(1, r -> daemon(r, "agent-trace-live-feed"));
    private final ExecutorService pages = Executors.newFixedThreadPool(2, r -> daemon(r, "agent-trace-live-page"));
    private final List<Channel> boardClients = new CopyOnWriteArrayList<>();
    /**
     * The board is scanned only while someone looks (a feed open, or a page asked for within
     * {@link #VIEWED_MS}): a scan reads every event the running sessions append, which under a
     * busy agent was a sixth of what serve allocated (bench/hooks) for a page nobody had open. A
     * page asks for a scan of its own before it is drawn, so it never shows an old board.
     */
    private static final long VIEWED_MS = 60_000;
    private volatile long viewedAt = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(2 * VIEWED_MS);

    LiveRoutes(List<TraceStore> stores) {
        this.board = new LiveBoard(stores);
        poller.scheduleWithFixedDelay(this::scanBoard, 0, BOARD_POLL_MS, TimeUnit.MILLISECONDS);
        poller.scheduleWithFixedDelay(() -> boardClients.forEach(c -> c.writeAndFlush(chunk(": keep-alive\n\n"))),
                HEARTBEAT_MS, HEARTBEAT_MS, TimeUnit.MILLISECONDS);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void scanBoard() {
        if (boardClients.isEmpty() && System.nanoTime() - viewedAt > TimeUnit.MILLISECONDS.toNanos(VIEWED_MS)) {
            return;
        }
        try {
            board.scan(frame -> {
                for (Channel c : boardClients) {
                    if (c.isWritable()) {
                        c.writeAndFlush(chunk(frame));
                    } else {
                        c.close(); // a page that stopped reading; its EventSource reconnects and starts from current()
                    }
                }
            });
        } catch (RuntimeException e) {
            // a store that cannot be read now; the next scan tries again
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req)) {
            ctx.fireChannelRead(msg);
            return;
        }
        String path = ServeHttp.path(req);
        boolean get = req.method().equals(HttpMethod.GET) || req.method().equals(HttpMethod.HEAD);
        try {
            if (path.equals("/") && get) {
                page(ctx, req, () -> {
                    freshScan();
                    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
                    ReportPages.live(board, out, "/feed", "/control");
                    return out.toByteArray();
                });
            } else if (path.equals("/feed") && get) {
                boardFeed(ctx);
            } else if (path.startsWith("/sessions/") && get) {
                session(ctx, req, path.substring("/sessions/".length()));
            } else if (path.startsWith("/control/") && req.method().equals(HttpMethod.POST)) {
                control(ctx, req, path.substring("/control/".length()));
            } else if (path.equals("/") || path.equals("/feed") || path.startsWith("/sessions/") || path.startsWith("/control/")) {
                json(ctx, req, HttpResponseStatus.METHOD_NOT_ALLOWED, req.method() + " " + clip(path) + " is not served");
            } else {
                ctx.fireChannelRead(ReferenceCountUtil.retain(req));
            }
        } finally {
            ReferenceCountUtil.release(req);
        }
    }

    /** Scans the board now, on the poller (so never two scans at once), for a page about to be drawn. */
    private void freshScan() throws Exception {
        viewedAt = System.nanoTime();
        try {
            poller.submit(this::scanBoard).get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // a slow store: the page shows what the last scan found, the feed brings the rest
        }
    }

    private interface Render {
        byte[] render() throws Exception;
    }

    private void page(ChannelHandlerContext ctx, FullHttpRequest req, Render render) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        boolean head = req.method().equals(HttpMethod.HEAD);
        try {
            pages.execute(() -> {
                byte[] body;
                try {
                    body = render.render();
                } catch (Exception e) {
                    ServeHttp.send(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8",
                            ("agent-trace could not draw this page: " + e).getBytes(StandardCharsets.UTF_8));
                    return;
                }
                FullHttpResponse r = ServeHttp.response(HttpResponseStatus.OK, "text/html; charset=utf-8", body, head);
                r.headers().set("X-Frame-Options", "DENY");
                r.headers().set("X-Content-Type-Options", "nosniff");
                r.headers().set("Referrer-Policy", "no-referrer");
                ServeHttp.send(ctx, r, keepAlive);
            });
        } catch (RejectedExecutionException e) {
            ServeHttp.send(ctx, false, HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", "serve is shutting down".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private void session(ChannelHandlerContext ctx, FullHttpRequest req, String rest) {
        boolean feed = rest.endsWith("/feed");
        String id = feed ? rest.substring(0, rest.length() - "/feed".length()) : rest;
        TraceStore store = board.storeOf(id);
        if (store == null) {
            ServeHttp.send(ctx, HttpUtil.isKeepAlive(req), HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8",
                    ("no session " + clip(id) + " in the stores serve knows; the list is at /").getBytes(StandardCharsets.UTF_8));
            return;
        }
        SessionMeta meta = store.resolve(id);
        if (!feed) {
            page(ctx, req, () -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream(256 * 1024);
                ReportPages.session(store, meta, out, new ReportPages.Live("/sessions/" + id + "/feed", "/control"));
                return out.toByteArray();
            });
            return;
        }
        Channel ch = ctx.channel();
        startStream(ch);
        LiveFeed live = LiveFeed.open(store, meta, frame -> ch.write(chunk(frame)));
        ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
        long[] quiet = {0};
        task[0] = poller.scheduleWithFixedDelay(() -> {
            if (!ch.isActive()) {
                task[0].cancel(false);
                return;
            }
            if (!ch.isWritable()) {
                return; // a slow page: its tail keeps its place until the channel drains
            }
            boolean ended;
            try {
                ended = live.poll();
            } catch (RuntimeException e) {
                ch.writeAndFlush(chunk("event: end\ndata: {}\n\n")).addListener(ChannelFutureListener.CLOSE);
                task[0].cancel(false);
                return;
            }
            quiet[0] += FEED_POLL_MS;
            if (quiet[0] >= HEARTBEAT_MS) {
                quiet[0] = 0;
                ch.write(chunk(": keep-alive\n\n"));
            }
            ch.flush();
            if (ended) {
                task[0].cancel(false);
            }
        }, 0, FEED_POLL_MS, TimeUnit.MILLISECONDS);
        ch.closeFuture().addListener(f -> task[0].cancel(false));
    }

    private void boardFeed(ChannelHandlerContext ctx) {
        viewedAt = System.nanoTime();
        Channel ch = ctx.channel();
        startStream(ch);
        for (String frame : board.current()) {
            ch.write(chunk(frame));
        }
        ch.flush();
        boardClients.add(ch);
        ch.closeFuture().addListener(f -> boardClients.remove(ch));
    }

    private static void startStream(Channel ch) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        r.headers().set("X-Accel-Buffering", "no");
        ch.writeAndFlush(r);
    }

    private static DefaultHttpContent chunk(String frame) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(frame, StandardCharsets.UTF_8));
    }

    private void control(ChannelHandlerContext ctx, FullHttpRequest req, String action) {
        if (!ACTIONS.contains(action)) {
            json(ctx, req, HttpResponseStatus.NOT_FOUND, "no control " + clip(action) + ": POST to /control/pause, /control/resume or /control/stop");
            return;
        }
        String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
        if (!type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            // a form on another site can POST text/plain or form data without asking; JSON needs a preflight it cannot pass
            json(ctx, req, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "controls take Content-Type: application/json, {\"session_id\": ...}");
            return;
        }
        String id;
        try {
            JsonNode body = TraceJson.mapper().readTree(ByteBufUtil.getBytes(req.content()));
            id = body == null ? null : body.path("session_id").asText(null);
        } catch (java.io.IOException | RuntimeException e) {
            id = null;
        }
        if (id == null || id.isEmpty()) {
            json(ctx, req, HttpResponseStatus.BAD_REQUEST, "the body must be {\"session_id\": \"...\"}");
            return;
        }
        TraceStore store = board.storeOf(id);
        if (store == null) {
            json(ctx, req, HttpResponseStatus.NOT_FOUND, "no session " + clip(id) + " in the stores serve knows");
            return;
        }
        String sessionId = id;
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        try {
            pages.execute(() -> {
                SessionControl.Outcome o = switch (action) {
                    case "pause" -> SessionControl.pause(store, sessionId);
                    case "resume" -> SessionControl.resume(store, sessionId);
                    default -> SessionControl.stop(store, sessionId);
                };
                ServeHttp.send(ctx, keepAlive, o.done() ? HttpResponseStatus.OK : HttpResponseStatus.CONFLICT, "application/json", message(o.message()));
            });
        } catch (RejectedExecutionException e) {
            json(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, "serve is shutting down");
        }
    }

    private static byte[] message(String text) {
        return TraceJson.mapper().createObjectNode().put("message", text).toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void json(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String text) {
        ServeHttp.send(ctx, HttpUtil.isKeepAlive(req), status, "application/json", message(text));
    }


    private static String clip(String s) {
        String c = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return c.replaceAll("[^\\x20-\\x7e]", "?");
    }

    @Override
    public void close() {
        poller.shutdownNow();
        pages.shutdownNow();
        boardClients.forEach(Channel::close);
    }
}
