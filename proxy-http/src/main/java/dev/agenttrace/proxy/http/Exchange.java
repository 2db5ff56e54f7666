package dev.agenttrace.proxy.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.store.TraceJson;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import java.io.IOException;

/** One request from the client and the upstream response relayed for it. Loop-confined. */
final class Exchange {
    enum Route {
        /** Streamable HTTP: POST, GET or DELETE on the MCP endpoint. */
        STREAMABLE,
        /** Legacy: the long-lived {@code GET /sse}. */
        LEGACY_STREAM,
        /** Legacy: {@code POST} to the message endpoint an SSE stream announced. */
        LEGACY_POST
    }

    final HttpRequest request;
    final Route route;
    final String upstreamTarget;
    final LegacyStream legacy;
    byte[] body = new byte[0];
    TraceSession session;
    boolean initialize;
    Channel upstream;
    /** The client has received the response head; after that only the stream can carry an error. */
    boolean responseStarted;
    /** When the request's head was read ({@link System#nanoTime()}), if residence is measured ({@link ResidenceClocks}); else 0. */
    long readNanos;
    boolean finished;
    /** The client connection's handler, told when the exchange is over. */
    FrontendHandler front;
    /** Streams the upstream's answer once an upstream connection is acquired. */
    ResponseRelay relay;

    Exchange(HttpRequest request, Route route, String upstreamTarget, LegacyStream legacy) {
        this.request = request;
        this.route = route;
        this.upstreamTarget = upstreamTarget;
        this.legacy = legacy;
    }

    /** The request's JSON-RPC id as JSON text (type kept), or null for a notification, a response or no body. */
    String requestIdJson() {
        if (body.length == 0) {
            return null;
        }
        try {
            JsonNode msg = TraceJson.mapper().readTree(body);
            JsonNode id = msg == null ? null : msg.get("id");
            return id == null || id.isNull() || !msg.has("method") ? null : id.toString();
        } catch (IOException e) {
            return null;
        }
    }

    private static final byte[] INITIALIZE = "\"initialize\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** True for an initialize request; parses only bodies that contain the word. */
    static boolean isInitialize(byte[] body) {
        outer:
        for (int i = 0; i + INITIALIZE.length <= body.length; i++) {
            for (int k = 0; k < INITIALIZE.length; k++) {
                if (body[i + k] != INITIALIZE[k]) {
                    continue outer;
                }
            }
            try {
                JsonNode msg = TraceJson.mapper().readTree(body);
                return msg != null && "initialize".equals(msg.path("method").asText(null));
            } catch (IOException e) {
                return false;
            }
        }
        return false;
    }

    /** A description for messages: {@code POST /mcp}. */
    String describe() {
        return request.method() + " " + request.uri();
    }
}
