package dev.agenttrace.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@link RequestFraming} between Netty's real request decoder and a sink: raw request bytes in,
 * what would go on to routing (or the refusal the client gets) out.
 */
class RequestFramingTest {
    private static final String BODY = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";

    /** Decoder -> RequestFraming; responses are encoded to bytes so they can be read back as the client would. */
    private static EmbeddedChannel channel(boolean enforcing) {
        return new EmbeddedChannel(new HttpResponseEncoder(), new HttpRequestDecoder(), new RequestFraming(enforcing),
                new HttpObjectAggregator(1 << 20));
    }

    private static String send(EmbeddedChannel ch, String raw) {
        ch.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
        StringBuilder out = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            out.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return out.toString();
    }

    private static String post(String extraHeaders, String body) {
        return "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\nContent-Type: application/json\r\n" + extraHeaders
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    @Test
    void aWellFormedRequestGoesOnUntouched() {
        EmbeddedChannel ch = channel(true);
        assertEquals("", send(ch, post("", BODY)));
        FullHttpRequest req = ch.readInbound();
        assertEquals(BODY, req.content().toString(StandardCharsets.UTF_8));
        req.release();
        assertTrue(ch.isActive());
    }

    @Test
    void aRepeatedHostOrOriginIsA400() {
        for (String dup : new String[] {"Host: evil.example\r\n", "Origin: http://127.0.0.1\r\nOrigin: http://evil.example\r\n"}) {
            EmbeddedChannel ch = channel(false);
            String answer = send(ch, post(dup, BODY));
            assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
            assertTrue(answer.contains("more than one"), answer);
            assertNull(ch.readInbound(), "nothing goes on");
            assertFalse(ch.isActive(), "the connection is closed");
        }
    }

    @Test
    void aGetOrDeleteWithABodyIsA400() {
        for (String method : new String[] {"GET", "DELETE"}) {
            EmbeddedChannel ch = channel(false);
            String answer = send(ch, method + " /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\nContent-Length: " + BODY.length() + "\r\n\r\n" + BODY);
            assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
            assertTrue(answer.contains("may not carry a body"), answer);
            assertNull(ch.readInbound());
        }
        EmbeddedChannel ok = channel(false);
        assertEquals("", send(ok, "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\nContent-Length: 0\r\n\r\n"), "an empty body is no body");
        ReferenceCountUtil.release(ok.readInbound());
    }

    @Test
    void aMalformedChunkSizeIsA400NotAnEmptyPost() {
        EmbeddedChannel ch = channel(false);
        String answer = send(ch, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" + BODY + "\r\n0\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
        assertTrue(answer.contains("could not be read"), answer);
        Object passed = ch.readInbound();
        assertNull(passed, "no request goes on: " + passed);
    }

    @Test
    void aTransferEncodingOtherThanChunkedIsA400() {
        EmbeddedChannel ch = channel(false);
        String answer = send(ch, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
        assertTrue(answer.contains("Transfer-Encoding"), answer);
    }

    @Test
    void aBodyInAnotherCharsetIs415UnderEnforceAndRelayedOtherwise() {
        String utf16 = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\nContent-Type: application/json; charset=utf-16le\r\nContent-Length: 2\r\n\r\n{\0";
        EmbeddedChannel enforcing = channel(true);
        String answer = send(enforcing, utf16);
        assertTrue(answer.startsWith("HTTP/1.1 415"), answer);
        assertTrue(answer.contains("UTF-8"), answer);
        EmbeddedChannel relaying = channel(false);
        assertEquals("", send(relaying, utf16));
        Object req = relaying.readInbound();
        assertTrue(req instanceof HttpRequest);
        ReferenceCountUtil.release(req);
        EmbeddedChannel utf8 = channel(true);
        assertEquals("", send(utf8, post("", BODY).replace("application/json", "application/json; charset=\"UTF-8\"")));
        ReferenceCountUtil.release(utf8.readInbound());
    }

    @Test
    void responsesAreReadable() {
        // guard against an encoder misconfiguration making every assertion above vacuous
        EmbeddedChannel ch = channel(false);
        String answer = send(ch, post("Host: x\r\n", BODY));
        assertTrue(answer.contains("\"code\":-32600"), answer);
        assertTrue(answer.contains(HttpResponseStatus.BAD_REQUEST.reasonPhrase()), answer);
    }
}
