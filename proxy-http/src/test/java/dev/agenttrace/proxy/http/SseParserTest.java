package dev.agenttrace.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {
    private final List<String> events = new ArrayList<>();
    private final List<String> overflows = new ArrayList<>();
    private final SseParser.Listener listener = new SseParser.Listener() {
        @Override
        public void onEvent(String type, byte[] data, String id, int endIndex) {
            events.add(type == null ? "<boundary>" : type + "|" + new String(data, StandardCharsets.UTF_8) + "|" + id);
        }

        @Override
        public void onOverflow(String what) {
            overflows.add(what);
        }
    };

    private void feed(SseParser p, String... chunks) {
        for (String c : chunks) {
            ByteBuf b = Unpooled.copiedBuffer(c, StandardCharsets.UTF_8);
            int before = b.readerIndex();
            p.feed(b, listener);
            assertEquals(before, b.readerIndex(), "the parser reads beside the relay, it does not consume");
            b.release();
        }
    }

    @Test
    void dispatchesWholeEventsWhateverTheChunking() {
        String stream = "event: endpoint\ndata: /message?sessionId=1\n\nid: 7\ndata: {\"a\":\ndata: 1}\n\n: ping\n\ndata: x\n\n";
        for (int split = 1; split < stream.length(); split++) {
            events.clear();
            SseParser p = new SseParser(1024);
            feed(p, stream.substring(0, split), stream.substring(split));
            assertEquals(List.of("endpoint|/message?sessionId=1|null", "message|{\"a\":\n1}|7", "<boundary>", "message|x|null"), events,
                    "split at " + split);
            assertTrue(p.atBoundary());
        }
    }

    @Test
    void acceptsCrLfAndLoneCrLineEndsEvenSplitBetweenChunks() {
        SseParser p = new SseParser(1024);
        feed(p, "data: a\r", "\n\r", "\ndata: b\r\rdata:c\n\n");
        assertEquals(List.of("message|a|null", "message|b|null", "message|c|null"), events);
    }

    @Test
    void reportsWhereEachEventEnds() {
        SseParser p = new SseParser(1024);
        List<Integer> ends = new ArrayList<>();
        ByteBuf b = Unpooled.copiedBuffer("data: 1\n\ndata: 2\n\ndata: 3", StandardCharsets.UTF_8);
        p.feed(b, (type, data, id, end) -> ends.add(end));
        assertEquals(List.of(9, 18), ends);
        assertTrue(!p.atBoundary(), "the third event is still open");
        b.release();
    }

    @Test
    void anOversizedEventIsReportedAndSkippedNotBuffered() {
        SseParser p = new SseParser(16);
        feed(p, "data: " + "x".repeat(40) + "\n\n", "data: ok\n\n");
        assertEquals(1, overflows.size(), overflows.toString());
        assertEquals(List.of("<boundary>", "message|ok|null"), events);
    }

    @Test
    void longLinesSplitAnywhereInThreeChunksComeOutWhole() {
        String big = "y".repeat(300); // past the line buffer's first size, so it grows mid-line
        String stream = "id: 1\r\ndata: " + big + "\r\n\r\nevent: e\rdata: z\r\r";
        for (int a = 1; a < stream.length() - 1; a += 7) {
            for (int b = a + 1; b < stream.length(); b += 11) {
                events.clear();
                SseParser p = new SseParser(1024);
                feed(p, stream.substring(0, a), stream.substring(a, b), stream.substring(b));
                assertEquals(List.of("message|" + big + "|1", "e|z|null"), events, "split at " + a + ", " + b);
                assertTrue(p.atBoundary());
            }
        }
    }

    @Test
    void anOversizedLineSplitAcrossChunksIsReportedOnceAndTheNextEventSurvives() {
        for (int split = 1; split < 60; split++) {
            events.clear();
            overflows.clear();
            SseParser p = new SseParser(200);
            String stream = "data: " + "x".repeat(250) + "\n\ndata: ok\n\n";
            feed(p, stream.substring(0, split), stream.substring(split, split + 200), stream.substring(split + 200));
            assertEquals(1, overflows.size(), "split at " + split + ": " + overflows);
            assertEquals(List.of("<boundary>", "message|ok|null"), events, "split at " + split);
        }
    }

    @Test
    void readsOnlyTheReadableBytesAndReportsEndsInTheBuffersOwnIndexes() {
        SseParser p = new SseParser(1024);
        List<Integer> ends = new ArrayList<>();
        ByteBuf b = Unpooled.copiedBuffer("junk\n\ndata: 1\n\ndata: 2\n\ntail", StandardCharsets.UTF_8);
        b.readerIndex(6).writerIndex(b.writerIndex() - 4); // as a relay's buffer with consumed bytes before and more after
        p.feed(b, (type, data, id, end) -> ends.add(end));
        assertEquals(List.of(15, 24), ends);
        assertTrue(p.atBoundary());
        b.release();
    }
}
