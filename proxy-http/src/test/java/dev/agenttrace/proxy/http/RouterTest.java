package dev.agenttrace.proxy.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.rules.inline.Checkpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Router} behind the real codec, with the {@link FrontendHandler} that answers its
 * refusals: raw request bytes in; out, what the client reads back and the {@link Exchange}
 * that goes on towards the checkpoint.
 */
class RouterTest {
    private static final String BODY = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";

    private final ExecutorService store = Executors.newSingleThreadExecutor();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private SessionRegistry sessions;

    @AfterEach
    void stop() {
        store.shutdownNow();
    }

    private EmbeddedChannel channel(Transport transport) {
        URI upstream = URI.create("http://127.0.0.1:9/mcp");
        HttpProxyOptions opts = HttpProxyOptions.defaults(upstream).withPort(0).withTransport(transport);
        sessions = new SessionRegistry(store, start -> null, new SessionOpener.Start(Transport.STREAMABLE, upstream, 0, 0), null);
        ProxyContext px = new ProxyContext(opts, new Upstream(upstream, 1000, 1 << 20), sessions, new Checkpoint(null), new PrintStream(err, true), null);
        return new EmbeddedChannel(new HttpServerCodec(), new Router(px), new FrontendHandler(px));
    }

    private static String send(EmbeddedChannel ch, String raw) {
        ch.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            out.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return out.toString();
    }

    private static String post(String target, String body) {
        return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1:1\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    @Test
    void aPostOnTheUpstreamsPathIsAStreamableExchangeWithItsBodyUnchanged() {
        EmbeddedChannel ch = channel(null);
        assertEquals("", send(ch, post("/mcp?x=1", BODY)));
        Exchange ex = assertInstanceOf(Exchange.class, ch.readInbound());
        assertEquals(Exchange.Route.STREAMABLE, ex.route);
        assertEquals("/mcp?x=1", ex.upstreamTarget);
        assertArrayEquals(BODY.getBytes(StandardCharsets.UTF_8), ex.body);
        assertTrue(ch.isActive());
    }

    @Test
    void anotherPathIs404AndNothingGoesOn() {
        EmbeddedChannel ch = channel(Transport.STREAMABLE);
        String answer = send(ch, post("/other", BODY));
        assertTrue(answer.startsWith("HTTP/1.1 404"), answer);
        assertTrue(answer.contains("this proxy serves /mcp"), answer);
        assertTrue(answer.contains("\"code\":-32600"), answer);
        assertNull(ch.readInbound());
        assertFalse(ch.isActive());
    }

    @Test
    void aMethodTheEndpointDoesNotTakeIs405() {
        EmbeddedChannel ch = channel(null);
        String answer = send(ch, "PUT /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\nContent-Length: 0\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 405"), answer);
        assertTrue(answer.contains("takes POST, GET and DELETE"), answer);
        EmbeddedChannel sse = channel(Transport.SSE);
        String post = send(sse, post("/mcp", BODY));
        assertTrue(post.startsWith("HTTP/1.1 405") && post.contains("use GET"), post);
        assertNull(sse.readInbound());
    }

    @Test
    void anAgentHookSentHereIsStoppedOnceItsBodyIsRead() {
        EmbeddedChannel ch = channel(null);
        String head = "POST /hooks/pre-tool-use HTTP/1.1\r\nHost: 127.0.0.1:1\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n";
        assertEquals("", send(ch, head + "{\"tool_name\":"), "no answer while the client still writes");
        String answer = send(ch, "\"Bash\"}");
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        assertTrue(answer.contains("\"continue\":false"), answer);
        assertNull(ch.readInbound(), "the hook goes nowhere");
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("this port is record-http"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aPostToAnAnnouncedMessageEndpointIsALegacyPostToTheUpstreamsTarget() {
        EmbeddedChannel ch = channel(null);
        LegacyStream stream = new LegacyStream(null, ch);
        stream.messageTarget = "/messages?sessionId=abc";
        sessions.registerLegacy("/messages?sessionId=abc", stream);
        assertEquals("", send(ch, post("/messages?sessionId=abc", BODY)));
        Exchange ex = assertInstanceOf(Exchange.class, ch.readInbound());
        assertEquals(Exchange.Route.LEGACY_POST, ex.route);
        assertEquals("/messages?sessionId=abc", ex.upstreamTarget);
        assertArrayEquals(BODY.getBytes(StandardCharsets.UTF_8), ex.body);
        String unknown = send(channel(null), post("/messages?sessionId=other", BODY));
        assertTrue(unknown.startsWith("HTTP/1.1 404"), "an endpoint no stream announced is nothing here: " + unknown);
    }

    @Test
    void aGetWithoutASessionMayBeALegacyStream() {
        EmbeddedChannel ch = channel(null);
        assertEquals("", send(ch, "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\nAccept: text/event-stream\r\n\r\n"));
        Exchange ex = assertInstanceOf(Exchange.class, ch.readInbound());
        assertEquals(Exchange.Route.LEGACY_STREAM, ex.route);
        assertEquals(ch, ex.legacy.client);
    }

    @Test
    void aPipelinedRefusalWaitsForTheExchangeBeforeIt() {
        EmbeddedChannel ch = channel(Transport.STREAMABLE);
        assertEquals("", send(ch, post("/mcp", BODY) + post("/other", BODY)), "the 404 does not cut into the first exchange");
        Exchange first = assertInstanceOf(Exchange.class, ch.readInbound());
        assertNull(ch.readInbound());
        first.finished = true;
        first.front.exchangeDone(first, false);
        ByteBuf out = ch.readOutbound();
        String answer = out.toString(StandardCharsets.UTF_8);
        out.release();
        assertTrue(answer.startsWith("HTTP/1.1 404"), answer);
    }
}
