package dev.agenttrace.proxy.http;

import dev.agenttrace.store.mcp.Direction;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Streams one upstream response to the client as it arrives, on the upstream connection's
 * pipeline for the length of one exchange (the same event loop as the client connection):
 *
 * <pre>
 *   upstream: [SslHandler] -> HttpClientCodec -> ResponseRecorder -> ResponseRelay  ==>  client: HttpServerCodec
 * </pre>
 *
 * Each chunk is written as it comes and flushed when the read that brought it completes; when the
 * client's outbound buffer passes its high-water mark, reads from the upstream stop until it drains
 * ({@link FrontendHandler#channelWritabilityChanged}), so a slow client slows the upstream and
 * memory stays bounded. The {@link ResponseRecorder} before it records the messages. Legacy SSE
 * streams are relayed (and recorded) one whole event at a time, so the {@code endpoint} event can
 * be rewritten and blocked results injected between events. It also keeps the exchange's
 * timeouts, answers what fails, ends sessions the upstream ended, and returns the connection to
 * the pool.
 */
final class ResponseRelay extends ChannelInboundHandlerAdapter {
    static final String NAME = "relay";

    private enum Body { SSE, OTHER }

    private final ProxyContext px;
    private final FrontendHandler front;
    private final Channel client;
    private final Exchange ex;
    /** What records the response beside the bytes; null when no upstream connection was had. */
    private final ResponseRecorder recorder;
    private Body kind = Body.OTHER;
    private LegacyEventRelay wholeEvents;
    /** The session an open event stream keeps alive (a detected legacy stream moves on to its own). */
    private TraceSession streamSession;
    private boolean keepAlive;
    private int status;
    private long timeoutMillis;
    private long lastActivity;
    private ScheduledFuture<?> timer;

    ResponseRelay(ProxyContext px, FrontendHandler front, Channel client, Exchange ex, ResponseRecorder recorder) {
        this.px = px;
        this.recorder = recorder;
        this.front = front;
        this.client = client;
        this.ex = ex;
    }

    /** Starts the clock: the upstream must begin its answer in time. */
    void armTimeout() {
        setTimeout(px.options().upstreamTimeoutMillis());
    }

    private void setTimeout(long millis) {
        if (timer != null && millis > 0 && millis >= timeoutMillis) {
            // the pending check fires no later than needed, and re-arms itself from lastActivity
            // (checkTimeout): no cancel and schedule per response head
            timeoutMillis = millis;
            lastActivity = System.nanoTime();
            return;
        }
        cancelTimer();
        timeoutMillis = millis;
        lastActivity = System.nanoTime();
        if (millis > 0 && !ex.finished) {
            timer = client.eventLoop().schedule(this::checkTimeout, millis, TimeUnit.MILLISECONDS);
        }
    }

    private void checkTimeout() {
        timer = null;
        if (ex.finished || timeoutMillis <= 0) {
            return;
        }
        long idle = (System.nanoTime() - lastActivity) / 1_000_000L;
        if (idle < timeoutMillis) {
            timer = client.eventLoop().schedule(this::checkTimeout, timeoutMillis - idle, TimeUnit.MILLISECONDS);
            return;
        }
        String what = !ex.responseStarted ? "did not answer " + ex.describe() + " within " + timeoutMillis + " ms"
                : kind == Body.SSE ? "sent nothing on the event stream for " + timeoutMillis + " ms"
                : "stalled for " + timeoutMillis + " ms in the middle of the response";
        fail("the upstream " + what, HttpResponseStatus.GATEWAY_TIMEOUT, "upstream_timeout");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (ex.finished) {
            ReferenceCountUtil.release(msg);
            return;
        }
        lastActivity = System.nanoTime();
        if (msg instanceof HttpResponse r) {
            onHead(r);
        }
        if (msg instanceof HttpContent c) {
            onContent(ctx, c);
        } else if (!(msg instanceof HttpResponse)) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(HttpResponse r) {
        keepAlive = HttpUtil.isKeepAlive(r);
        status = r.status().code();
        String contentType = r.headers().get(HttpHeaderNames.CONTENT_TYPE, "").toLowerCase(Locale.ROOT);
        String sid = r.headers().get("mcp-session-id");
        if (ex.initialize && sid != null) {
            px.sessions().bind(sid, ex.session);
        }
        if (contentType.startsWith("text/event-stream")) {
            kind = Body.SSE;
            streamSession = ex.session;
            streamSession.streamOpened();
            if (ex.route == Exchange.Route.LEGACY_STREAM) {
                wholeEvents = new LegacyEventRelay(px, ex, client,
                        (reason, problem) -> fail(reason, HttpResponseStatus.BAD_GATEWAY, problem));
                ex.legacy.open = true;
            }
            // a live event stream may be quiet for as long as it likes; a POST's stream only as configured
            boolean post = ex.request.method().equals(HttpMethod.POST);
            setTimeout(post ? px.options().streamIdleMillis() : 0);
        } else {
            setTimeout(px.options().upstreamTimeoutMillis());
        }
        HttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, r.status());
        Responses.copyEndToEnd(r.headers(), out.headers());
        if (!r.headers().contains(HttpHeaderNames.CONTENT_LENGTH) && status != 204 && status != 304) {
            HttpUtil.setTransferEncodingChunked(out, true);
        }
        if (wholeEvents != null) {
            out.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
            HttpUtil.setTransferEncodingChunked(out, true);
        }
        HttpUtil.setKeepAlive(out, HttpUtil.isKeepAlive(ex.request));
        ex.responseStarted = true;
        client.write(out, client.voidPromise()); // nobody waits on these writes: no promise per part (a failure reaches exceptionCaught)
    }

    private void onContent(ChannelHandlerContext ctx, HttpContent c) {
        boolean last = c instanceof LastHttpContent;
        ByteBuf in = c.content();
        if (wholeEvents != null) {
            wholeEvents.relay(in);
            c.release();
            if (!ex.finished) {
                if (last) {
                    client.write(LastHttpContent.EMPTY_LAST_CONTENT, client.voidPromise());
                }
            }
        } else {
            client.write(c, client.voidPromise()); // recorded on the way in (ResponseRecorder)
        }
        if (ex.finished) {
            return;
        }
        if (last) {
            finish(ctx);
        } else if (!client.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    /**
     * Everything one read of the upstream brought goes out in one flush: a whole small answer
     * (head, event, last chunk) is one write to the client, and a stream is flushed as each read
     * completes, so nothing waits for more input.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        client.flush();
        // then the recorder has what was read classified, the bytes on their way
        ctx.fireChannelReadComplete();
    }

    private void finish(ChannelHandlerContext ctx) {
        ex.finished = true;
        client.flush();
        cancelTimer();
        releaseEvents();
        Channel up = ctx.channel();
        up.pipeline().remove(this);
        if (keepAlive) {
            px.upstream().release(up);
        } else {
            up.close();
        }
        if (ex.request.method().equals(HttpMethod.DELETE) && ex.route == Exchange.Route.STREAMABLE) {
            String sid = ex.request.headers().get("mcp-session-id");
            if (sid != null && status >= 200 && status < 300) {
                px.sessions().endMcpSession(sid, "deleted");
            }
        }
        if (status == 404 && ex.route == Exchange.Route.STREAMABLE) {
            // the upstream no longer knows the session: the client must start a new one (spec)
            String sid = ex.request.headers().get("mcp-session-id");
            if (sid != null) {
                px.sessions().endMcpSession(sid, "expired");
            }
        }
        front.exchangeDone(ex, false);
    }

    /** The upstream could not be reached at all. */
    void failBeforeUpstream(Throwable cause) {
        fail("cannot connect to the upstream " + px.upstream().uri() + " (" + describe(cause) + ")", HttpResponseStatus.BAD_GATEWAY,
                "upstream_unreachable");
    }

    /**
     * The exchange cannot complete: tell the client as clearly as the state of the response still
     * allows (a status and a JSON-RPC error before the head; an error event on a POST's SSE stream;
     * else a cut connection), record it, and drop the upstream connection.
     */
    void fail(String reason, HttpResponseStatus status, String kind) {
        if (ex.finished) {
            return;
        }
        ex.finished = true;
        cancelTimer();
        boolean aligned = wholeEvents != null;
        abandoned();
        releaseEvents();
        px.err().println("agent-trace: " + reason);
        ex.session.problem(Direction.SERVER_TO_CLIENT, kind, reason, null);
        if (ex.upstream != null) {
            if (ex.upstream.pipeline().get(NAME) == this) {
                ex.upstream.pipeline().remove(this);
            }
            ex.upstream.close();
        }
        if (!client.isActive()) {
            front.exchangeDone(ex, true);
            return;
        }
        String id = ex.requestIdJson();
        byte[] error = Responses.jsonRpcError(id, status == HttpResponseStatus.GATEWAY_TIMEOUT ? -32002 : -32001, "agent-trace: " + reason);
        if (id != null) {
            ex.session.synthetic(error);
        }
        if (!ex.responseStarted) {
            FullHttpResponse r = Responses.json(status, error);
            HttpUtil.setKeepAlive(r, HttpUtil.isKeepAlive(ex.request));
            client.writeAndFlush(r);
            front.exchangeDone(ex, false);
        } else if (this.kind == Body.SSE && id != null && (aligned || recorder == null || recorder.atEventBoundary())) {
            byte[] event = ("event: message\ndata: " + new String(error, StandardCharsets.UTF_8) + "\n\n").getBytes(StandardCharsets.UTF_8);
            client.write(new DefaultHttpContent(Unpooled.wrappedBuffer(event)));
            client.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            front.exchangeDone(ex, false);
        } else {
            // the head is out and the body cannot be mended: cutting the connection is the only honest signal
            front.exchangeDone(ex, true);
        }
    }

    /** The client went away: the upstream connection is in an unknown state, drop it. */
    /** A POST's calls that were not answered through it: those still running stop holding path calls after a while. */
    private void abandoned() {
        if (ex.route == Exchange.Route.STREAMABLE && ex.session != null && ex.body != null && ex.body.length > 0
                && ex.session.changeFence().changing()) {
            ex.session.changeFence().abandonedRequests(ex.body);
        }
    }

    void clientGone() {
        if (ex.finished) {
            return;
        }
        ex.finished = true;
        abandoned();
        cancelTimer();
        releaseEvents();
        if (ex.upstream != null) {
            ex.upstream.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!ex.finished && ex.responseStarted && kind == Body.SSE && ex.request.method().equals(HttpMethod.GET)) {
            // a server may end a GET event stream whenever it likes (session deleted, restart): end
            // it cleanly towards the client, which reconnects (Last-Event-ID) or starts over
            ex.finished = true;
            cancelTimer();
            releaseEvents();
            client.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            front.exchangeDone(ex, false);
            ctx.fireChannelInactive();
            return;
        }
        fail("the upstream closed the connection " + (ex.responseStarted ? "in the middle of the response to " : "before answering ")
                + ex.describe(), HttpResponseStatus.BAD_GATEWAY, "upstream_closed");
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail("the upstream connection failed during " + ex.describe() + " (" + describe(cause) + ")", HttpResponseStatus.BAD_GATEWAY,
                "upstream_error");
        ctx.close();
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void closeStream() {
        if (streamSession != null) {
            streamSession.streamClosed();
            streamSession = null;
        }
    }

    private void releaseEvents() {
        closeStream();
        if (wholeEvents != null) {
            wholeEvents.release();
            wholeEvents = null;
        }
    }

    /** The native transport's "recvAddress(..) failed with error(-104): " says nothing a user needs. */
    private static final java.util.regex.Pattern NATIVE_PREFIX = java.util.regex.Pattern.compile("^\\w+\\(\\.\\.\\) failed(?: with error\\(-?\\d+\\))?: ");

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : NATIVE_PREFIX.matcher(m).replaceFirst("");
    }
}
