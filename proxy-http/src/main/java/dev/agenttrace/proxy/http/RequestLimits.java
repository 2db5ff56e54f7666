package dev.agenttrace.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

/**
 * The size limits of a request, checked before it is routed: a head the decoder could not read
 * (431 for headers over {@code --max-header-bytes}, 414 for a request line over 8192 bytes, 400
 * otherwise), a declared {@code Content-Length} over {@code --max-body-bytes} (413), and a body
 * that grows past it as it streams in (413: a chunked body declares no length). The refused part
 * is replaced by a {@link Router.Refusal}, which the {@link FrontendHandler} answers in turn (a
 * JSON-RPC error, then the connection is closed), so the answer never cuts into the response to
 * an earlier, pipelined request; the rest of the refused request is dropped unread. What is within
 * the limits goes on untouched.
 *
 * <pre>
 *   HttpServerCodec -> ... -> RequestFraming -> OriginHostValidator -> RequestLimits -> Router -> FrontendHandler
 * </pre>
 *
 * One per connection (it counts the body of the request being read); nothing per request.
 */
final class RequestLimits extends ChannelInboundHandlerAdapter {
    private final int maxBodyBytes;
    private final int maxHeaderBytes;
    /** Body bytes of the request being read. */
    private long bodyBytes;
    /** The rest of a refused request is read and dropped. */
    private boolean dropping;

    RequestLimits(int maxBodyBytes, int maxHeaderBytes) {
        this.maxBodyBytes = maxBodyBytes;
        this.maxHeaderBytes = maxHeaderBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (dropping) {
            dropping = !(msg instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest req) {
            bodyBytes = 0;
            if (req.decoderResult().isFailure()) {
                Throwable cause = req.decoderResult().cause();
                if (cause instanceof TooLongHttpHeaderException) {
                    refuse(ctx, msg, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                            "agent-trace: request headers larger than " + maxHeaderBytes + " bytes are refused");
                } else if (cause instanceof TooLongHttpLineException) {
                    refuse(ctx, msg, HttpResponseStatus.REQUEST_URI_TOO_LONG, "agent-trace: a request line longer than 8192 bytes is refused");
                } else {
                    refuse(ctx, msg, HttpResponseStatus.BAD_REQUEST, "agent-trace: malformed HTTP request (" + cause.getMessage() + ")");
                }
                return;
            }
            if (HttpUtil.getContentLength(req, -1L) > maxBodyBytes) {
                refuse(ctx, msg, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, tooLarge(maxBodyBytes));
                return;
            }
        }
        if (msg instanceof HttpContent c) {
            bodyBytes += c.content().readableBytes();
            if (bodyBytes > maxBodyBytes) {
                // the exchange whose body this is ends unforwarded (FrontendHandler drops what it read)
                refuse(ctx, msg, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, tooLarge(maxBodyBytes));
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void refuse(ChannelHandlerContext ctx, Object msg, HttpResponseStatus status, String problem) {
        dropping = !(msg instanceof LastHttpContent);
        ReferenceCountUtil.release(msg);
        ctx.fireChannelRead(new Router.Refusal(status, problem));
    }

    static String tooLarge(int maxBodyBytes) {
        return "agent-trace: request bodies larger than " + maxBodyBytes + " bytes are refused (record-http --max-body-bytes raises the limit)";
    }
}
