package dev.agenttrace.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The benchmark clocks: what they sample, and that what passes them is untouched. */
class ResidenceClocksTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final ResidenceTimes times = ResidenceTimes.every(1, new PrintStream(err, true));

    private String printed() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static DefaultHttpResponse head(String type) {
        DefaultHttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().set("Content-Type", type);
        return r;
    }

    @Test
    void aJsonResponseIsOneResponseSampleAndPassesUnchanged() {
        EmbeddedChannel up = new EmbeddedChannel(new ResidenceClocks.Response(times));
        DefaultHttpResponse h = head("application/json");
        LastHttpContent body = new DefaultLastHttpContent(Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8));
        up.writeInbound(h, body);
        assertSame(h, up.readInbound());
        LastHttpContent passed = up.readInbound();
        assertSame(body, passed);
        assertEquals("{}", passed.content().toString(StandardCharsets.UTF_8));
        passed.release();
        assertTrue(printed().contains("timing response n=1"), printed());
        assertFalse(printed().contains("stream_read"), printed());
    }

    @Test
    void anEventStreamIsSampledPerReadUntilItsEnd() {
        EmbeddedChannel up = new EmbeddedChannel(new ResidenceClocks.Response(times));
        up.writeInbound(head("text/event-stream"), new DefaultHttpContent(Unpooled.copiedBuffer("data: {}\n\n", StandardCharsets.UTF_8)));
        assertTrue(printed().contains("timing stream_read n=1"), printed());
        assertFalse(printed().contains("timing response"), printed());
        up.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
        assertTrue(printed().contains("timing response n=1"), printed());
        Object m;
        while ((m = up.readInbound()) != null) {
            ReferenceCountUtil.release(m);
        }
    }

    @Test
    void anExchangeCarriesTheTimeItsHeadWasRead() {
        ResidenceClocks.Request clock = new ResidenceClocks.Request();
        EmbeddedChannel client = new EmbeddedChannel(clock.head, clock.exchange);
        DefaultHttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/mcp");
        client.writeInbound(req);
        assertSame(req, client.readInbound());
        Exchange ex = new Exchange(req, Exchange.Route.STREAMABLE, "/mcp", null);
        assertEquals(0, ex.readNanos, "an exchange nobody timed carries no start");
        client.writeInbound(ex);
        assertSame(ex, client.readInbound());
        assertNotEquals(0, ex.readNanos);
        assertTrue(System.nanoTime() - ex.readNanos >= 0);
    }
}
