package dev.agenttrace.proxy.stdio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameReaderTest {

    /** Hands out at most {@code chunk} bytes per read, like a pipe under load. */
    static final class ChunkedStream extends InputStream {
        private final byte[] data;
        private final int chunk;
        private int pos;

        ChunkedStream(byte[] data, int chunk) {
            this.data = data;
            this.chunk = chunk;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, chunk), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    record Seen(Frame.Kind kind, Framing framing, String body, String raw, long size) {
    }

    static List<Seen> readAll(String input, int chunk, int maxBody) throws IOException {
        return readAll(input.getBytes(StandardCharsets.UTF_8), chunk, maxBody);
    }

    static List<Seen> readAll(byte[] input, int chunk, int maxBody) throws IOException {
        FrameReader r = new FrameReader(new ChunkedStream(input, chunk), maxBody, 1024, null);
        List<Seen> out = new ArrayList<>();
        Frame f;
        while ((f = r.next()) != null) {
            out.add(new Seen(f.kind(), f.framing(),
                    new String(f.buffer(), f.bodyOffset(), f.bodyLength(), StandardCharsets.UTF_8),
                    new String(f.buffer(), f.rawOffset(), f.rawLength(), StandardCharsets.UTF_8), f.size()));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 64, 65536})
    void splitsMixedFramingWhateverTheChunking(int chunk) throws IOException {
        String a = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
        String b = "{\"id\" : \"x\",  \"text\":\"h\u00e9llo \\u00e9 1e400 1.0\"}";
        String c = "[{\"id\":3},{\"id\":4}]";
        byte[] bBytes = b.getBytes(StandardCharsets.UTF_8);
        String input = a + "\n"
                + "Content-Length: " + bBytes.length + "\r\ncontent-type: application/json\r\n\r\n" + b
                + "\r\n" + c + "\r\n";
        List<Seen> frames = readAll(input, chunk, 1 << 20);
        assertEquals(3, frames.size(), frames.toString());
        assertEquals(new Seen(Frame.Kind.MESSAGE, Framing.NEWLINE, a, a + "\n", a.length()), frames.get(0));
        assertEquals(Frame.Kind.MESSAGE, frames.get(1).kind());
        assertEquals(Framing.CONTENT_LENGTH, frames.get(1).framing());
        assertEquals(b, frames.get(1).body());
        assertTrue(frames.get(1).raw().startsWith("Content-Length: " + bBytes.length + "\r\ncontent-type"));
        assertEquals(c, frames.get(2).body(), "CRLF line end is not part of the body");
        assertEquals(c + "\r\n", frames.get(2).raw(), "the raw frame keeps the sender's line end");
    }

    @Test
    void contentLengthCountsBytesNotCharacters() throws IOException {
        String body = "{\"t\":\"\u00e9\u00e9\u00e9\"}";
        int bytes = body.getBytes(StandardCharsets.UTF_8).length;
        List<Seen> frames = readAll("CONTENT-LENGTH:" + bytes + "\n\n" + body + "{\"next\":1}\n", 1, 1024);
        assertEquals(body, frames.get(0).body());
        assertEquals("{\"next\":1}", frames.get(1).body());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 13, 65536})
    void skipsAnOversizedLineAndKeepsItsIdAndTheNextMessage(int chunk) throws IOException {
        String big = "{\"jsonrpc\":\"2.0\",\"id\":\"big-1\",\"method\":\"tools/call\",\"params\":{\"x\":\"" + "a".repeat(5000) + "\"}}";
        List<Seen> frames = readAll(big + "\n{\"id\":2}\n", chunk, 1024);
        assertEquals(2, frames.size());
        assertEquals(Frame.Kind.OVERSIZED, frames.get(0).kind());
        assertEquals(big.length(), frames.get(0).size());
        assertEquals("{\"id\":2}", frames.get(1).body());
    }

    @Test
    void oversizedFrameStillYieldsItsId() throws IOException {
        String big = "{\"jsonrpc\":\"2.0\",\"id\":42,\"params\":{\"x\":\"" + "a".repeat(5000) + "\"}}\n";
        FrameReader r = new FrameReader(new ChunkedStream(big.getBytes(StandardCharsets.UTF_8), 100), 1024, 1024, null);
        Frame f = r.next();
        assertEquals(Frame.Kind.OVERSIZED, f.kind());
        assertEquals("42", Relay.idOf(f));
    }

    @Test
    void skipsAnOversizedContentLengthBodyWithoutBufferingIt() throws IOException {
        String body = "{\"id\":7,\"x\":\"" + "b".repeat(4000) + "\"}";
        List<Seen> frames = readAll("Content-Length: " + body.length() + "\r\n\r\n" + body + "{\"id\":8}\n", 10, 1024);
        assertEquals(Frame.Kind.OVERSIZED, frames.get(0).kind());
        assertEquals(body.length(), frames.get(0).size());
        assertTrue(frames.get(0).body().length() <= FrameReader.OVERSIZED_PREFIX);
        assertEquals("{\"id\":8}", frames.get(1).body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-5", "abc", "", "99999999999999999999", "1.5"})
    void rejectsAnInvalidContentLengthAndRecovers(String value) throws IOException {
        List<Seen> frames = readAll("Content-Length: " + value + "\r\n\r\n{\"id\":9}\n", 3, 1024);
        assertEquals(Frame.Kind.BAD_HEADER, frames.get(0).kind(), frames.toString());
        assertTrue(frames.get(0).toString().length() > 0);
        assertEquals(Frame.Kind.MESSAGE, frames.get(frames.size() - 1).kind());
        assertEquals("{\"id\":9}", frames.get(frames.size() - 1).body());
    }

    @Test
    void reportsLogLinesAsNoiseWithoutLosingTheJsonAfterThem() throws IOException {
        List<Seen> frames = readAll("server starting...\nWarning: slow disk\n{\"id\":1}\n", 1, 1024);
        assertEquals(List.of(Frame.Kind.NOISE, Frame.Kind.NOISE, Frame.Kind.MESSAGE),
                frames.stream().map(Seen::kind).toList());
        assertEquals("server starting...", frames.get(0).body());
        assertEquals("Warning: slow disk", frames.get(1).body());
        assertEquals("{\"id\":1}", frames.get(2).body());
    }

    @Test
    void aTruncatedLastFrameIsReportedNotForwarded() throws IOException {
        List<Seen> nl = readAll("{\"id\":1}\n{\"id\":2,\"meth", 4, 1024);
        assertEquals(Frame.Kind.TRUNCATED, nl.get(1).kind());
        List<Seen> cl = readAll("Content-Length: 100\r\n\r\n{\"id\":2}", 4, 1024);
        assertEquals(Frame.Kind.TRUNCATED, cl.get(0).kind());
    }

    @Test
    void aCompleteLastLineWithoutNewlineIsStillAMessage() throws IOException {
        List<Seen> frames = readAll("{\"id\":1}", 1, 1024);
        assertEquals(Frame.Kind.MESSAGE, frames.get(0).kind());
        assertEquals("{\"id\":1}", frames.get(0).body());
    }

    @Test
    void aHeaderBlockOverTheLimitIsRejected() throws IOException {
        String headers = "Content-Length: 2\r\n" + ("X-Pad: " + "p".repeat(100) + "\r\n").repeat(20) + "\r\n{}";
        List<Seen> frames = readAll(headers + "\n{\"id\":1}\n", 7, 1024);
        assertEquals(Frame.Kind.BAD_HEADER, frames.get(0).kind());
        assertEquals("{\"id\":1}", frames.get(frames.size() - 1).body());
    }

    @Test
    @Timeout(60)
    void readsTenMebibytesFedOneByteAtATime() throws IOException {
        byte[] payload = new byte[10 << 20];
        Arrays.fill(payload, (byte) 'z');
        ByteArrayOutputStream msg = new ByteArrayOutputStream();
        msg.writeBytes("{\"id\":1,\"x\":\"".getBytes(StandardCharsets.UTF_8));
        msg.writeBytes(payload);
        msg.writeBytes("\"}\n".getBytes(StandardCharsets.UTF_8));
        byte[] all = msg.toByteArray();
        FrameReader r = new FrameReader(new ChunkedStream(all, 1), 64 << 20, 1024, null);
        Frame f = r.next();
        assertEquals(Frame.Kind.MESSAGE, f.kind());
        assertArrayEquals(Arrays.copyOf(all, all.length - 1), f.copyBody());
        assertNull(r.next());
    }

    @Test
    void handsOutALargeContentLengthBodyAsItArrives() throws IOException {
        String body = "{\"id\":1,\"x\":\"" + "q".repeat(300_000) + "\"}";
        byte[] input = ("Content-Length: " + body.length() + "\r\n\r\n" + body + "{\"id\":2}\n").getBytes(StandardCharsets.UTF_8);
        FrameReader r = new FrameReader(new ChunkedStream(input, 4093), 1 << 20, 1024, null);
        r.streamBodiesFrom(128 * 1024);
        Frame f = r.next();
        assertEquals(Frame.Kind.STREAM, f.kind());
        assertEquals(body.length(), f.size());
        assertTrue(new String(f.buffer(), f.rawOffset(), f.rawLength(), StandardCharsets.US_ASCII).startsWith("Content-Length: "));
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        int[] pieces = {0};
        assertTrue(r.streamBody((b, off, len) -> {
            got.write(b, off, len);
            pieces[0]++;
        }));
        assertEquals(body, got.toString(StandardCharsets.UTF_8));
        assertTrue(pieces[0] > 1, "it came in pieces, not after the last byte");
        assertEquals("{\"id\":2}", new String(r.next().copyBody(), StandardCharsets.UTF_8));
    }

    @Test
    void saysSoWhenAStreamedBodyIsCutShort() throws IOException {
        byte[] input = ("Content-Length: 200000\r\n\r\n" + "a".repeat(1000)).getBytes(StandardCharsets.UTF_8);
        FrameReader r = new FrameReader(new ChunkedStream(input, 100), 1 << 20, 1024, null);
        r.streamBodiesFrom(128 * 1024);
        assertEquals(Frame.Kind.STREAM, r.next().kind());
        assertFalse(r.streamBody((b, off, len) -> { }));
        assertNull(r.next());
    }
}
