package dev.agenttrace.proxy.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.rules.Guard;
import dev.agenttrace.rules.scope.JudgeContext;
import dev.agenttrace.rules.LivePolicy;
import dev.agenttrace.rules.PolicyMode;
import dev.agenttrace.rules.inline.Checkpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CheckpointHandler} behind the real codec, {@link Router} and {@link FrontendHandler}: raw request bytes
 * in; out, what the client reads back and the {@link Exchange} that would go on to the upstream.
 */
class CheckpointHandlerTest {
    private static final String BLOCKED = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"Bash\","
            + "\"arguments\":{\"command\":\"sudo rm -fr /\"}}}";
    private static final String ALLOWED = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"Bash\","
            + "\"arguments\":{\"command\":\"ls\"}}}";

    @TempDir
    Path tmp;
    private final ExecutorService store = Executors.newSingleThreadExecutor();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @AfterEach
    void stop() {
        store.shutdownNow();
    }

    private EmbeddedChannel channel(Checkpoint checkpoint) {
        URI upstream = URI.create("http://127.0.0.1:9/mcp");
        HttpProxyOptions opts = HttpProxyOptions.defaults(upstream).withPort(0);
        SessionRegistry sessions = new SessionRegistry(store, start -> null, new SessionOpener.Start(Transport.STREAMABLE, upstream, 0, 0), null);
        ProxyContext px = new ProxyContext(opts, new Upstream(upstream, 1000, 1 << 20), sessions, checkpoint, new PrintStream(err, true), null);
        return new EmbeddedChannel(new HttpServerCodec(), new Router(px), new FrontendHandler(px), new CheckpointHandler(px));
    }

    private Checkpoint enforcing() throws Exception {
        Path policy = tmp.resolve(".agent-scope.json");
        Files.writeString(policy, "{\"commands\":{\"deny\":[\"rm -rf\"]}}");
        return new Checkpoint(new Guard(LivePolicy.load(policy, new JudgeContext(tmp, tmp), System.err, 0), PolicyMode.ENFORCE));
    }

    private static String send(EmbeddedChannel ch, String raw) {
        ch.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.UTF_8));
        ch.runPendingTasks();
        StringBuilder out = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            out.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return out.toString();
    }

    private static String post(String body) {
        return "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    @Test
    void anAllowedCallGoesOnByteForByteAndNothingIsAnswered() throws Exception {
        EmbeddedChannel ch = channel(enforcing());
        assertEquals("", send(ch, post(ALLOWED)));
        Exchange ex = assertInstanceOf(Exchange.class, ch.readInbound());
        assertArrayEquals(ALLOWED.getBytes(StandardCharsets.UTF_8), ex.body);
        assertEquals(Exchange.Route.STREAMABLE, ex.route);
        assertTrue(!ex.finished && !ex.responseStarted);
    }

    @Test
    void aBlockedCallIsAnsweredHereAndNeverGoesOn() throws Exception {
        EmbeddedChannel ch = channel(enforcing());
        String answer = send(ch, post(BLOCKED));
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
        assertTrue(body.startsWith("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{"), body);
        assertTrue(body.contains("\"isError\":true") && body.contains("NOT executed"), body);
        assertNull(ch.readInbound(), "nothing goes to the upstream");
        assertTrue(ch.isActive(), "a keep-alive connection stays open");
        // the connection is free for the next request, which is judged on its own
        assertEquals("", send(ch, post(ALLOWED)));
        Exchange next = assertInstanceOf(Exchange.class, ch.readInbound());
        assertArrayEquals(ALLOWED.getBytes(StandardCharsets.UTF_8), next.body);
    }

    @Test
    void aBrokenConfigurationRefusesEveryCallWithWhy() {
        EmbeddedChannel ch = channel(Checkpoint.refusingAll("policy.json line 3: expected a list"));
        String answer = send(ch, post(ALLOWED));
        assertTrue(answer.contains("\"id\":2"), answer);
        assertTrue(answer.contains("policy.json line 3: expected a list"), answer);
        assertNull(ch.readInbound());
    }

    @Test
    void aStreamGetIsNotAMessageAndGoesOnUnjudged() {
        EmbeddedChannel ch = channel(Checkpoint.refusingAll("broken"));
        assertEquals("", send(ch, "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\nMcp-Session-Id: s1\r\nAccept: text/event-stream\r\n\r\n"));
        Exchange ex = assertInstanceOf(Exchange.class, ch.readInbound());
        assertEquals(0, ex.body.length);
    }

    @Test
    void withoutAPolicyEveryMessageGoesOnUnchanged() {
        EmbeddedChannel ch = channel(new Checkpoint(null));
        assertEquals("", send(ch, post(BLOCKED)));
        Exchange ex = assertInstanceOf(Exchange.class, ch.readInbound());
        assertArrayEquals(BLOCKED.getBytes(StandardCharsets.UTF_8), ex.body);
    }
}
