package dev.agenttrace.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import dev.agenttrace.rules.inline.Checkpoint;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link RequestLimits} behind Netty's real codec (configured as the proxy configures it), with the
 * {@link Router} and {@link FrontendHandler} after it that answer its refusals in turn: raw request
 * bytes in; out, what the client reads back and the {@link Exchange} that goes on to the checkpoint.
 */
class RequestLimitsTest {
    private static final int MAX_BODY = 64;
    private static final int MAX_HEADER = 512;
    private static final String BODY = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";

    private final ExecutorService store = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        store.shutdownNow();
    }

    private EmbeddedChannel channel() {
        URI upstream = URI.create("http://127.0.0.1:9/mcp");
        HttpProxyOptions opts = HttpProxyOptions.defaults(upstream).withPort(0);
        SessionRegistry sessions = new SessionRegistry(store, start -> null, new SessionOpener.Start(Transport.STREAMABLE, upstream, 0, 0), null);
        ProxyContext px = new ProxyContext(opts, new Upstream(upstream, 1000, 1 << 20), sessions, new Checkpoint(null),
                new PrintStream(new ByteArrayOutputStream(), true), null);
        return new EmbeddedChannel(new HttpServerCodec(new HttpDecoderConfig().setMaxInitialLineLength(8192)
                .setMaxHeaderSize(MAX_HEADER).setMaxChunkSize(16)), new RequestLimits(MAX_BODY, MAX_HEADER), new Router(px), new FrontendHandler(px));
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

    /** The exchanges that went on towards the checkpoint. */
    private static List<Exchange> passed(EmbeddedChannel ch) {
        List<Exchange> out = new ArrayList<>();
        Object m;
        while ((m = ch.readInbound()) != null) {
            out.add(assertInstanceOf(Exchange.class, m));
        }
        return out;
    }

    @Test
    void aBodyWithinTheLimitGoesOnByteForByte() {
        EmbeddedChannel ch = channel();
        String sixtyFour = BODY + " ".repeat(MAX_BODY - BODY.length());
        String chunked = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(sixtyFour.length()) + "\r\n" + sixtyFour + "\r\n0\r\n\r\n";
        assertEquals("", send(ch, chunked));
        List<Exchange> out = passed(ch);
        assertEquals(1, out.size());
        assertEquals(sixtyFour, new String(out.get(0).body, StandardCharsets.UTF_8), "exactly --max-body-bytes is allowed, and unchanged");
        assertTrue(ch.isActive());
        // the next request on the connection is counted from zero
        out.get(0).finished = true;
        out.get(0).front.exchangeDone(out.get(0), false);
        assertEquals("", send(ch, chunked));
        assertEquals(sixtyFour, new String(passed(ch).get(0).body, StandardCharsets.UTF_8));
    }

    @Test
    void aDeclaredLengthOverTheLimitIs413AndNothingGoesOn() {
        EmbeddedChannel ch = channel();
        String answer = send(ch, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\nContent-Length: " + (MAX_BODY + 1) + "\r\n\r\n" + "x".repeat(MAX_BODY + 1));
        assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
        assertTrue(answer.contains("--max-body-bytes"), answer);
        assertTrue(answer.contains("\"code\":-32600"), answer);
        assertTrue(passed(ch).isEmpty(), "nothing goes on");
        assertFalse(ch.isActive(), "the connection is closed");
    }

    @Test
    void aChunkedBodyGrowingPastTheLimitIs413AndIsNeverForwarded() {
        EmbeddedChannel ch = channel();
        String big = "x".repeat(40);
        String answer = send(ch, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\nTransfer-Encoding: chunked\r\n\r\n28\r\n" + big + "\r\n28\r\n" + big
                + "\r\n0\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
        assertTrue(passed(ch).isEmpty(), "the request never completes, so it is never forwarded");
        assertFalse(ch.isActive());
    }

    @Test
    void aPipelinedRequestOverTheLimitIsAnsweredAfterTheExchangeBeforeIt() {
        EmbeddedChannel ch = channel();
        String ok = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\nContent-Length: " + BODY.length() + "\r\n\r\n" + BODY;
        String tooBig = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\nContent-Length: " + (MAX_BODY + 1) + "\r\n\r\n" + "x".repeat(MAX_BODY + 1);
        assertEquals("", send(ch, ok + tooBig), "the 413 does not cut into the first exchange");
        Exchange first = passed(ch).get(0);
        first.finished = true;
        first.front.exchangeDone(first, false);
        ByteBuf b = ch.readOutbound();
        String answer = b.toString(StandardCharsets.UTF_8);
        b.release();
        assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
    }

    @Test
    void headersOverTheLimitAre431() {
        EmbeddedChannel ch = channel();
        String answer = send(ch, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\nX-Pad: " + "a".repeat(MAX_HEADER) + "\r\nContent-Length: 2\r\n\r\n{}");
        assertTrue(answer.startsWith("HTTP/1.1 431"), answer);
        assertTrue(answer.contains("larger than " + MAX_HEADER), answer);
        assertTrue(passed(ch).isEmpty());
        assertFalse(ch.isActive());
    }

    @Test
    void aRequestLineOver8192BytesIs414() {
        EmbeddedChannel ch = channel();
        String answer = send(ch, "GET /mcp?" + "q".repeat(8200) + " HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 414"), answer);
        assertTrue(passed(ch).isEmpty());
    }

    @Test
    void aHeadTheDecoderCannotReadIs400() {
        EmbeddedChannel ch = channel();
        String answer = send(ch, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\nContent-Length: two\r\n\r\n{}");
        assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
        assertTrue(answer.contains("malformed HTTP request"), answer);
        assertNull(ch.readInbound(), "nothing goes on");
    }
}
