package dev.agenttrace.proxy.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/** The answers the proxy writes itself, and the header rules of a relay. */
final class Responses {
    /** RFC 9110 §7.6.1 connection-specific headers: never relayed. */
    static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");

    private Responses() {
    }

    /**
     * A JSON-RPC error body: {@code idJson} is the request's id as it appeared on the wire (type kept),
     * or null to leave the id out (a refused request the proxy did not read).
     */
    static byte[] jsonRpcError(String idJson, int code, String message) {
        String quoted = new String(JsonStringEncoder.getInstance().quoteAsString(message));
        String body = "{\"jsonrpc\":\"2.0\"," + (idJson == null ? "" : "\"id\":" + idJson + ",")
                + "\"error\":{\"code\":" + code + ",\"message\":\"" + quoted + "\"}}";
        return body.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The answer to a batch the policy partly blocked: the blocked results, and for every other
     * request in it an error saying it was not sent and may be sent again alone.
     */
    static byte[] refusedBatch(byte[] blockedReplies, byte[] keptElements) {
        var mapper = dev.agenttrace.store.TraceJson.mapper();
        try {
            var out = (com.fasterxml.jackson.databind.node.ArrayNode) mapper.readTree(blockedReplies);
            for (var element : mapper.readTree(keptElements)) {
                if (element.has("method") && element.hasNonNull("id")) {
                    var err = out.addObject();
                    err.put("jsonrpc", "2.0");
                    err.set("id", element.get("id"));
                    var e = err.putObject("error");
                    e.put("code", -32600);
                    e.put("message", "agent-trace: not sent: the policy blocked another call in the same batch; send this call on its own");
                }
            }
            return mapper.writeValueAsBytes(out);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot build the answer to a partly blocked batch", e);
        }
    }

    static FullHttpResponse json(HttpResponseStatus status, byte[] body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return r;
    }

    static FullHttpResponse text(HttpResponseStatus status, String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return r;
    }

    /** Writes a refusal and closes the connection (the rest of the request is not read). */
    static void refuse(Channel ch, HttpResponseStatus status, String idJson, int code, String message) {
        FullHttpResponse r = json(status, jsonRpcError(idJson, code, message));
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ch.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    /** Writes a JSON answer of the proxy's own and closes the connection (the rest of the request is not read). */
    static void refuseWith(Channel ch, HttpResponseStatus status, byte[] jsonBody) {
        FullHttpResponse r = json(status, jsonBody);
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ch.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    private static final io.netty.util.AsciiString[] HOP_BY_HOP_NAMES = HOP_BY_HOP.stream()
            .map(io.netty.util.AsciiString::cached).toArray(io.netty.util.AsciiString[]::new);

    /**
     * End-to-end headers of {@code from} into {@code to}, without the connection-specific ones.
     * Twice per exchange on the event loop: names and values are passed on as the decoder made
     * them (no String entry view, no lower-cased copy of each name).
     */
    static void copyEndToEnd(HttpHeaders from, HttpHeaders to) {
        for (var it = from.iteratorCharSequence(); it.hasNext(); ) {
            var e = it.next();
            if (!hopByHop(e.getKey())) {
                to.add(e.getKey(), e.getValue());
            }
        }
    }

    static boolean hopByHop(CharSequence name) {
        for (io.netty.util.AsciiString h : HOP_BY_HOP_NAMES) {
            if (h.contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }
}
