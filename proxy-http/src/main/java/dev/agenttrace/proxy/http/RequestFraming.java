package dev.agenttrace.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Refuses, at once and before anything is routed or read further, a request whose framing the
 * proxy and the upstream could read differently (issue 16: messages that are not one clean
 * value): a repeated {@code Host} or {@code Origin} (the checks would see the first, a server may
 * use the last), a {@code Transfer-Encoding} other than {@code chunked} (the proxy does not relay
 * it), a body on GET or DELETE, a chunk the decoder could not read (it would otherwise end the
 * body early, and an empty POST would go on), and, when a policy is enforced, a body in a charset
 * other than UTF-8 (the firewall reads UTF-8; a server that honours {@code charset=utf-16le} would
 * run what the firewall could not see). The answer is a 400 (415 for the charset) with a JSON-RPC
 * error that says what to send instead, and the connection is closed.
 */
final class RequestFraming extends ChannelInboundHandlerAdapter {
    private final boolean enforcing;
    /** The rest of a refused request is read and dropped. */
    private boolean dropping;

    /** @param enforcing a policy is enforced: bodies must be UTF-8 */
    RequestFraming(boolean enforcing) {
        this.enforcing = enforcing;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (dropping) {
            dropping = !(msg instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest req && req.decoderResult().isSuccess()) {
            HttpResponseStatus status = HttpResponseStatus.BAD_REQUEST;
            String problem = headProblem(req);
            if (problem == null && enforcing) {
                problem = charsetProblem(req.headers());
                status = HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE;
            }
            if (problem != null) {
                refuse(ctx, msg, status, problem);
                return;
            }
        } else if (msg instanceof HttpContent c && c.decoderResult().isFailure()) {
            refuse(ctx, msg, HttpResponseStatus.BAD_REQUEST, "agent-trace: the request body could not be read ("
                    + c.decoderResult().cause().getMessage() + "); nothing was forwarded; send a valid chunked body or a Content-Length");
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void refuse(ChannelHandlerContext ctx, Object msg, HttpResponseStatus status, String problem) {
        dropping = !(msg instanceof LastHttpContent);
        ReferenceCountUtil.release(msg);
        Responses.refuse(ctx.channel(), status, null, -32600, problem);
    }

    static String headProblem(HttpRequest req) {
        HttpHeaders h = req.headers();
        for (CharSequence name : List.of(HttpHeaderNames.HOST, HttpHeaderNames.ORIGIN)) {
            if (h.getAll(name).size() > 1) {
                return "agent-trace: the request has more than one " + name + " header; send exactly one";
            }
        }
        List<String> te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (!te.isEmpty() && !(te.size() == 1 && HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(te.get(0).trim()))) {
            return "agent-trace: Transfer-Encoding '" + String.join(", ", te) + "' is not relayed; send the body chunked or with a Content-Length";
        }
        HttpMethod m = req.method();
        if ((m.equals(HttpMethod.GET) || m.equals(HttpMethod.DELETE)) && (HttpUtil.getContentLength(req, 0L) > 0 || !te.isEmpty())) {
            return "agent-trace: a " + m + " request may not carry a body; send the message with POST";
        }
        return null;
    }

    static String charsetProblem(HttpHeaders h) {
        String type = h.get(HttpHeaderNames.CONTENT_TYPE);
        if (type == null) {
            return null;
        }
        for (String param : type.split(";")) {
            String p = param.trim();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase("charset")) {
                String value = p.substring(eq + 1).trim().replace("\"", "");
                Charset cs;
                try {
                    cs = Charset.forName(value);
                } catch (RuntimeException e) {
                    cs = null;
                }
                if (!StandardCharsets.UTF_8.equals(cs) && !StandardCharsets.US_ASCII.equals(cs)) {
                    return "agent-trace: a body in charset '" + value.toLowerCase(Locale.ROOT) + "' is refused because a policy is enforced"
                            + " and the firewall reads UTF-8; send the message as UTF-8 (Content-Type: application/json)";
                }
            }
        }
        return null;
    }
}
