package dev.agenttrace.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.store.EventSink;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.SessionWriter;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.mcp.BufferingSink;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * {@link ResponseRecorder} on an upstream pipeline: upstream response parts in; out, the same
 * parts untouched for the relay, and what the exchange's trace session recorded.
 */
class ResponseRecorderTest {
    private static final String RESULT = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tools\":[]}}";

    /** Applies the store's work at once to a buffer. */
    private static final class ListWriter implements SessionWriter {
        final BufferingSink sink = new BufferingSink("5e55105e55105e55", StoreOptions.defaults());

        @Override
        public String sessionId() {
            return sink.sessionId();
        }

        /** Everything written, the wire records included: "type data". */
        final List<String> all = new ArrayList<>();
        private final EventSink recording = new EventSink() {
            @Override
            public String sessionId() {
                return sink.sessionId();
            }

            @Override
            public String newEventId() {
                return sink.newEventId();
            }

            @Override
            public void append(TraceEvent event) {
                all.add(event.eventType() + " " + event.data());
                sink.append(event);
            }

            @Override
            public void appendMessage(TraceEvent record) {
                all.add(record.eventType() + " " + record.data());
                sink.appendMessage(record);
            }

            @Override
            public SessionMeta meta() {
                return sink.meta();
            }

            @Override
            public void metaChanged() {
                sink.metaChanged();
            }

            @Override
            public StoreOptions options() {
                return sink.options();
            }

            @Override
            public com.fasterxml.jackson.databind.node.ObjectNode newData() {
                return sink.newData();
            }
        };

        @Override
        public boolean submit(Consumer<EventSink> work, long approxBytes) {
            work.accept(recording);
            return true;
        }

        @Override
        public long dropped() {
            return 0;
        }

        @Override
        public boolean incomplete() {
            return false;
        }

        @Override
        public void close(Duration timeout) {
        }

        List<String> events() {
            return all;
        }
    }

    private final ListWriter writer = new ListWriter();

    private Exchange exchange(HttpMethod method) {
        URI upstream = URI.create("http://127.0.0.1:9/mcp");
        Exchange ex = new Exchange(new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, "/mcp"), Exchange.Route.STREAMABLE, "/mcp", null);
        ex.session = new TraceSession(Runnable::run, start -> writer, new SessionOpener.Start(Transport.STREAMABLE, upstream, 0, 0), d -> { },
                null);
        return ex;
    }

    private static DefaultHttpResponse head(HttpResponseStatus status, String type) {
        DefaultHttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
        r.headers().set("Content-Type", type);
        return r;
    }

    private static String drain(EmbeddedChannel ch) {
        StringBuilder body = new StringBuilder();
        Object m;
        while ((m = ch.readInbound()) != null) {
            if (m instanceof HttpContent c) {
                body.append(c.content().toString(StandardCharsets.UTF_8));
                c.release();
            }
        }
        return body.toString();
    }

    private List<String> messages() {
        return writer.events().stream().filter(e -> e.contains("\"tools\":[]")).toList();
    }

    @Test
    void aJsonBodyInTwoChunksIsRecordedOnceWholeAndPassesUnchanged() {
        ResponseRecorder recorder = new ResponseRecorder(1 << 20);
        EmbeddedChannel up = new EmbeddedChannel(recorder);
        recorder.begin(exchange(HttpMethod.POST));
        String a = RESULT.substring(0, 20);
        String b = RESULT.substring(20);
        up.writeInbound(head(HttpResponseStatus.OK, "application/json"), new DefaultHttpContent(Unpooled.copiedBuffer(a, StandardCharsets.UTF_8)));
        assertTrue(messages().isEmpty(), "nothing is recorded before the body ends: " + writer.events());
        up.writeInbound(new DefaultLastHttpContent(Unpooled.copiedBuffer(b, StandardCharsets.UTF_8)));
        assertEquals(RESULT, drain(up), "the relay gets the bytes as they came");
        assertEquals(1, messages().size(), writer.events().toString());
        assertTrue(messages().get(0).contains("http-json"), messages().toString());
    }

    @Test
    void eachMessageEventOfAStreamIsRecorded() {
        ResponseRecorder recorder = new ResponseRecorder(1 << 20);
        EmbeddedChannel up = new EmbeddedChannel(recorder);
        recorder.begin(exchange(HttpMethod.POST));
        String events = "event: message\ndata: " + RESULT + "\n\nevent: message\ndata: " + RESULT.replace("\"id\":1", "\"id\":2") + "\n\n";
        up.writeInbound(head(HttpResponseStatus.OK, "text/event-stream"), new DefaultHttpContent(Unpooled.copiedBuffer(events.substring(0, 30),
                StandardCharsets.UTF_8)));
        assertFalse(recorder.atEventBoundary(), "mid-event: no error event may be appended here");
        up.writeInbound(new DefaultHttpContent(Unpooled.copiedBuffer(events.substring(30), StandardCharsets.UTF_8)));
        assertTrue(recorder.atEventBoundary());
        up.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
        assertEquals(events, drain(up));
        assertEquals(2, messages().size(), writer.events().toString());
        assertTrue(messages().get(0).contains("http-sse"), messages().toString());
    }

    @Test
    void anErrorStatusIsAProblemButA405ToAGetIsNot() {
        ResponseRecorder recorder = new ResponseRecorder(1 << 20);
        EmbeddedChannel up = new EmbeddedChannel(recorder);
        recorder.begin(exchange(HttpMethod.GET));
        up.writeInbound(head(HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain"), LastHttpContent.EMPTY_LAST_CONTENT);
        drain(up);
        assertTrue(writer.events().stream().noneMatch(e -> e.contains("http_status")), writer.events().toString());
        recorder.begin(exchange(HttpMethod.POST));
        up.writeInbound(head(HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain"), LastHttpContent.EMPTY_LAST_CONTENT);
        drain(up);
        assertTrue(writer.events().stream().anyMatch(e -> e.contains("http_status") && e.contains("500")), writer.events().toString());
    }

    @Test
    void aJsonBodyOverTheLimitIsRelayedAndSaidNotRecorded() {
        ResponseRecorder recorder = new ResponseRecorder(16);
        EmbeddedChannel up = new EmbeddedChannel(recorder);
        recorder.begin(exchange(HttpMethod.POST));
        up.writeInbound(head(HttpResponseStatus.OK, "application/json"), new DefaultLastHttpContent(Unpooled.copiedBuffer(RESULT, StandardCharsets.UTF_8)));
        assertEquals(RESULT, drain(up));
        assertTrue(messages().isEmpty(), writer.events().toString());
        assertTrue(writer.events().stream().anyMatch(e -> e.contains("too_large_to_record")), writer.events().toString());
    }

    @Test
    void betweenExchangesNothingIsRecordedAndEverythingPasses() {
        ResponseRecorder recorder = new ResponseRecorder(1 << 20);
        EmbeddedChannel up = new EmbeddedChannel(recorder);
        DefaultHttpResponse stray = head(HttpResponseStatus.OK, "application/json");
        up.writeInbound(stray);
        assertSame(stray, up.readInbound());
        assertTrue(writer.events().isEmpty());
    }
}
