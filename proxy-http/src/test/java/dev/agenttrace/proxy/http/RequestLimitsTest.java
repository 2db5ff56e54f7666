package dev.agenttrace.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link RequestLimits} behind Netty's real request decoder (configured as the proxy configures
 * it): raw request bytes in; out, what the client reads back and what goes on to routing.
 */
class RequestLimitsTest {
    private static final int MAX_BODY = 64;
    private static final int MAX_HEADER = 512;
    private static final String BODY = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new HttpResponseEncoder(), new HttpRequestDecoder(new HttpDecoderConfig().setMaxInitialLineLength(8192)
                .setMaxHeaderSize(MAX_HEADER).setMaxChunkSize(16)), new RequestLimits(MAX_BODY, MAX_HEADER));
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

    /** What went on to the next handler; the body's bytes concatenated into {@code body}. */
    private static List<Object> passed(EmbeddedChannel ch, StringBuilder body) {
        List<Object> out = new ArrayList<>();
        Object m;
        while ((m = ch.readInbound()) != null) {
            out.add(m);
            if (m instanceof HttpContent c) {
                body.append(c.content().toString(StandardCharsets.UTF_8));
            }
            ReferenceCountUtil.release(m);
        }
        return out;
    }

    @Test
    void aBodyWithinTheLimitGoesOnByteForByteInItsChunks() {
        EmbeddedChannel ch = channel();
        String sixtyFour = BODY + " ".repeat(MAX_BODY - BODY.length());
        String chunked = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(sixtyFour.length()) + "\r\n" + sixtyFour + "\r\n0\r\n\r\n";
        assertEquals("", send(ch, chunked));
        StringBuilder body = new StringBuilder();
        List<Object> out = passed(ch, body);
        assertInstanceOf(HttpRequest.class, out.get(0));
        assertInstanceOf(LastHttpContent.class, out.get(out.size() - 1));
        assertEquals(sixtyFour, body.toString(), "exactly --max-body-bytes is allowed, and unchanged");
        // and the next request on the connection is counted from zero
        assertEquals("", send(ch, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\nContent-Length: " + BODY.length() + "\r\n\r\n" + BODY));
        StringBuilder second = new StringBuilder();
        passed(ch, second);
        assertEquals(BODY, second.toString());
        assertTrue(ch.isActive());
    }

    @Test
    void aDeclaredLengthOverTheLimitIs413AndNothingGoesOn() {
        EmbeddedChannel ch = channel();
        String answer = send(ch, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\nContent-Length: " + (MAX_BODY + 1) + "\r\n\r\n" + "x".repeat(MAX_BODY + 1));
        assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
        assertTrue(answer.contains("--max-body-bytes"), answer);
        assertTrue(answer.contains("\"code\":-32600"), answer);
        assertTrue(passed(ch, new StringBuilder()).isEmpty(), "nothing reaches routing");
        assertFalse(ch.isActive(), "the connection is closed");
    }

    @Test
    void aChunkedBodyGrowingPastTheLimitIs413AndItsEndNeverGoesOn() {
        EmbeddedChannel ch = channel();
        String big = "x".repeat(40);
        String answer = send(ch, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\nTransfer-Encoding: chunked\r\n\r\n28\r\n" + big + "\r\n28\r\n" + big
                + "\r\n0\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
        List<Object> out = passed(ch, new StringBuilder());
        assertTrue(out.stream().noneMatch(m -> m instanceof LastHttpContent), "the request never completes, so it is never forwarded: " + out);
        assertFalse(ch.isActive());
    }

    @Test
    void headersOverTheLimitAre431() {
        EmbeddedChannel ch = channel();
        String answer = send(ch, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\nX-Pad: " + "a".repeat(MAX_HEADER) + "\r\nContent-Length: 2\r\n\r\n{}");
        assertTrue(answer.startsWith("HTTP/1.1 431"), answer);
        assertTrue(answer.contains("larger than " + MAX_HEADER), answer);
        assertTrue(passed(ch, new StringBuilder()).isEmpty());
        assertFalse(ch.isActive());
    }

    @Test
    void aRequestLineOver8192BytesIs414() {
        EmbeddedChannel ch = channel();
        String answer = send(ch, "GET /mcp?" + "q".repeat(8200) + " HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 414"), answer);
        assertTrue(passed(ch, new StringBuilder()).isEmpty());
    }

    @Test
    void aHeadTheDecoderCannotReadIs400() {
        EmbeddedChannel ch = channel();
        String answer = send(ch, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\nContent-Length: two\r\n\r\n{}");
        assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
        assertTrue(answer.contains("malformed HTTP request"), answer);
        assertNull(ch.readInbound(), "nothing reaches routing");
    }
}
