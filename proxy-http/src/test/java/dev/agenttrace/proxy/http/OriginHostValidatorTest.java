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
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link OriginHostValidator} behind Netty's real decoder: the DNS-rebinding defence, request by request. */
class OriginHostValidatorTest {
    private static final int PORT = 4100;

    private static EmbeddedChannel channel(List<String> allowed) {
        return new EmbeddedChannel(new HttpResponseEncoder(), new HttpRequestDecoder(),
                new OriginHostValidator("127.0.0.1", PORT, allowed), new HttpObjectAggregator(1 << 20));
    }

    private static String send(EmbeddedChannel ch, String headers) {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
        ch.writeInbound(Unpooled.copiedBuffer("POST /mcp HTTP/1.1\r\n" + headers + "Content-Length: " + body.length() + "\r\n\r\n" + body,
                StandardCharsets.ISO_8859_1));
        StringBuilder out = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            out.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return out.toString();
    }

    @Test
    void aLoopbackHostWithTheProxysPortAndALoopbackOriginPass() {
        for (String headers : List.of("Host: 127.0.0.1:4100\r\n", "Host: localhost:4100\r\nOrigin: http://localhost:3000\r\n",
                "Host: [::1]:4100\r\n")) {
            EmbeddedChannel ch = channel(List.of());
            assertEquals("", send(ch, headers), headers);
            FullHttpRequest req = ch.readInbound();
            assertEquals("POST", req.method().name());
            req.release();
        }
    }

    @Test
    void aForeignOriginIs403AndTheConnectionCloses() {
        EmbeddedChannel ch = channel(List.of());
        String answer = send(ch, "Host: 127.0.0.1:4100\r\nOrigin: https://evil.example\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 403"), answer);
        assertTrue(answer.contains("evil.example"), answer);
        assertNull(ch.readInbound());
        assertFalse(ch.isActive());
    }

    @Test
    void aReboundHostOrAnotherPortIs421() {
        for (String host : List.of("evil.example:4100", "127.0.0.1:4101", "127.0.0.1")) {
            EmbeddedChannel ch = channel(List.of());
            String answer = send(ch, "Host: " + host + "\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 421"), host + ": " + answer);
            assertNull(ch.readInbound());
        }
        EmbeddedChannel none = channel(List.of());
        assertTrue(send(none, "").startsWith("HTTP/1.1 421"), "no Host at all");
    }

    @Test
    void aNameGivenWithAllowHostPassesAsHostAndOrigin() {
        EmbeddedChannel ch = channel(List.of("mcp.lan"));
        assertEquals("", send(ch, "Host: mcp.lan:4100\r\nOrigin: http://mcp.lan:4100\r\n"));
        ((FullHttpRequest) ch.readInbound()).release();
    }
}
