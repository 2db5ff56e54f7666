package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A raw client and a raw server around the real proxy process: framing, bytes, bad input, endings. */
@Timeout(120)
class RawWireEndToEndTest {
    @TempDir
    Path dir;

    static String req(Object id, String extra) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"t\",\"arguments\":{" + extra + "}}}";
    }

    @ParameterizedTest(name = "client {0}, server {1}")
    @CsvSource({"newline,newline", "content-length,content-length", "newline,content-length", "content-length,newline"})
    void answersEachPeerInItsOwnFraming(String client, String server) throws Exception {
        try (RawProxy p = new RawProxy(dir, List.of(), "--framing", server)) {
            List<String> sent = List.of(req(1, ""), req("\"two\"", "\"x\":1"), req(3, "\"y\":\"\u00e9\""));
            for (String body : sent) {
                p.send(client, body);
                RawProxy.Received r = p.receive();
                assertEquals(client, r.framing(), "the client is answered in its own framing");
            }
            p.closeStdin();
            assertEquals(0, p.waitFor());
            List<byte[]> got = p.serverBodies("in");
            assertEquals(sent.size(), got.size());
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i).getBytes(StandardCharsets.UTF_8), got.get(i), "body " + i + " reached the server unchanged");
            }
            assertTrue(p.noProcessLeft());
        }
    }

    @Test
    void forwardsEveryByteUnchangedBothWays() throws Exception {
        String odd = "{\"text\":\"h\u00e9llo \\u00e9 \\ud83d\\ude00 \u4e2d\",  \"big\" : 1e400, \"one\":1.0, \"z\":1,\"a\":[ 1 , 2 ],\"neg\":-0.0}";
        String request = "{ \"id\" : 7 , \"jsonrpc\":\"2.0\", \"method\":\"tools/call\", \"params\":{\"name\":\"t\",\"arguments\":" + odd
                + ",\"reply\":\"" + Base64.getEncoder().encodeToString(odd.getBytes(StandardCharsets.UTF_8)) + "\"}}";
        try (RawProxy p = new RawProxy(dir, List.of())) {
            p.send("newline", request);
            RawProxy.Received r = p.receive();
            p.closeStdin();
            p.waitFor();
            assertArrayEquals(request.getBytes(StandardCharsets.UTF_8), p.serverBodies("in").get(0), "the server got the client's exact bytes");
            assertArrayEquals(p.serverBodies("out").get(0), r.body(), "the client got the server's exact bytes");
            assertTrue(r.text().contains("1e400") && r.text().contains("1.0") && r.text().contains("\u4e2d"));
        }
    }

    @Test
    void carriesTenMebibytesFedInSmallRandomChunks() throws Exception {
        String filler = "z".repeat(10 << 20);
        byte[] frame = RawProxy.frame("newline", req(1, "\"raw_echo\":true,\"blob\":\"" + filler + "\"").getBytes(StandardCharsets.UTF_8));
        try (RawProxy p = new RawProxy(dir, List.of())) {
            Random rnd = new Random(42);
            Thread writer = new Thread(() -> {
                try {
                    for (int off = 0; off < frame.length; ) {
                        int n = Math.min(frame.length - off, 1 + rnd.nextInt(rnd.nextBoolean() ? 4 : 4096));
                        p.write(java.util.Arrays.copyOfRange(frame, off, off + n));
                        off += n;
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            RawProxy.Received r = p.receive();
            writer.join();
            assertTrue(r.body().length > 10 << 20);
            p.closeStdin();
            assertEquals(0, p.waitFor());
            assertArrayEquals(java.util.Arrays.copyOf(frame, frame.length - 1), p.serverBodies("in").get(0));
        }
    }

    @Test
    void refusesAFrameOverTheLimitWithAnErrorAndCarriesOn() throws Exception {
        try (RawProxy p = new RawProxy(dir, List.of("--max-message-bytes", "1048576"))) {
            p.send("newline", req("\"big\"", "\"blob\":\"" + "b".repeat(2 << 20) + "\""));
            JsonNode err = Peers.JSON.readTree(p.receive().body());
            assertEquals("big", err.get("id").asText(), "answered with the request's own id");
            assertEquals(-32600, err.at("/error/code").asInt());
            assertTrue(err.at("/error/message").asText().contains("1048576"), err.toString());
            p.send("newline", req(2, ""));
            assertEquals(2, Peers.JSON.readTree(p.receive().body()).get("id").asInt());
            p.closeStdin();
            p.waitFor();
            assertEquals(1, p.serverBodies("in").size(), "nothing of the big frame reached the server");
        }
    }

    @Test
    void rejectsAnInvalidContentLengthAndCarriesOn() throws Exception {
        try (RawProxy p = new RawProxy(dir, List.of())) {
            p.write("Content-Length: -1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            JsonNode err = Peers.JSON.readTree(p.receive().body());
            assertEquals(-32700, err.at("/error/code").asInt());
            assertTrue(err.at("/error/message").asText().contains("invalid Content-Length '-1'"), err.toString());
            p.send("content-length", req(5, ""));
            assertEquals(5, Peers.JSON.readTree(p.receive().body()).get("id").asInt());
            p.closeStdin();
            p.waitFor();
            assertTrue(p.stderr().contains("invalid Content-Length"), p.stderr());
        }
    }

    @Test
    void keepsServerLogLinesOffTheClientsStdout() throws Exception {
        try (RawProxy p = new RawProxy(dir, List.of(), "--noise")) {
            p.send("newline", req(1, ""));
            p.send("newline", req(2, ""));
            p.closeStdin();
            String seen = new String(p.rest(), StandardCharsets.UTF_8);
            p.waitFor();
            assertEquals(2, seen.lines().count(), seen);
            assertFalse(seen.contains("server log"), seen);
            assertTrue(p.stderr().contains("server log: starting up (not JSON)"), p.stderr());
            JsonNode error = Peers.ofType(Peers.events(Peers.onlySession(p.traces())), "error").get(0);
            assertTrue(error.at("/data/message").asText().contains("non-JSON"), error.toString());
        }
    }

    @Test
    void passesACancellationThroughAndLinksItToTheCall() throws Exception {
        String cancel = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"c-1\",\"reason\":\"user pressed stop\"}}";
        try (RawProxy p = new RawProxy(dir, List.of())) {
            // the cancel goes out before the server's answer is read, as a client does
            p.send("newline", req("\"c-1\"", "\"slow\":true"));
            p.send("newline", cancel);
            p.receive();
            p.closeStdin();
            p.waitFor();
            List<byte[]> got = p.serverBodies("in");
            assertArrayEquals(cancel.getBytes(StandardCharsets.UTF_8), got.get(1), "the server got the cancel untouched");
            List<JsonNode> events = Peers.events(Peers.onlySession(p.traces()));
            JsonNode call = Peers.ofType(events, "tool_call").get(0);
            JsonNode cancelled = Peers.ofType(events, "error").stream()
                    .filter(e -> e.at("/data/cancelled").asBoolean()).findFirst().orElseThrow();
            assertEquals(call.get("event_id").asText(), cancelled.get("parent_id").asText());
            assertTrue(cancelled.at("/data/message").asText().contains("user pressed stop"));
        }
    }

    @Test
    void keepsSecretsOffTheDiskByDefaultButForwardsThemUnchanged() throws Exception {
        String secret = "sk-ant-api03-" + "Zq9".repeat(12);
        String request = req(1, "\"command\":\"curl -H 'Authorization: Bearer " + secret + "' https://api.example.com\",\"password\":\"hunter2\"");
        try (RawProxy p = new RawProxy(dir, List.of())) {
            p.send("newline", request);
            p.receive();
            p.closeStdin();
            p.waitFor();
            assertArrayEquals(request.getBytes(StandardCharsets.UTF_8), p.serverBodies("in").get(0), "the server got the real secret");
            Path session = Peers.onlySession(p.traces());
            for (String file : List.of("events.ndjson", "messages.ndjson", "meta.json")) {
                String onDisk = Files.readString(session.resolve(file));
                assertFalse(onDisk.contains(secret) || onDisk.contains("hunter2"), file + " holds a secret: " + onDisk);
            }
            assertTrue(Files.readString(session.resolve("events.ndjson")).contains("https://api.example.com"), "the rest stays readable");
        }
    }

    @Test
    void forwardsABatchUntouched() throws Exception {
        String batch = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}, {\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\"}]";
        try (RawProxy p = new RawProxy(dir, List.of())) {
            p.send("newline", batch);
            assertTrue(p.receive().text().startsWith("[{"));
            p.closeStdin();
            p.waitFor();
            assertArrayEquals(batch.getBytes(StandardCharsets.UTF_8), p.serverBodies("in").get(0));
        }
    }

    @Test
    void dropsATruncatedLastFrameWithAClearError() throws Exception {
        try (RawProxy p = new RawProxy(dir, List.of(), "--exit-code", "4")) {
            p.send("newline", req(1, ""));
            p.receive();
            p.write("Content-Length: 100\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":2,".getBytes(StandardCharsets.US_ASCII));
            p.closeStdin();
            assertEquals(4, p.waitFor(), "the server's exit code");
            assertEquals(1, p.serverBodies("in").size(), "the half frame never reached the server");
            assertTrue(p.stderr().contains("incomplete last frame from the client"), p.stderr());
        }
    }

    @Test
    void endsWithTheServersCodeWhenTheClientClosesStdin() throws Exception {
        try (RawProxy p = new RawProxy(dir, List.of(), "--exit-code", "7")) {
            p.send("newline", req(1, ""));
            p.receive();
            p.closeStdin();
            assertEquals(7, p.waitFor());
            assertTrue(p.noProcessLeft());
            Path session = Peers.onlySession(p.traces());
            assertTrue(Peers.meta(session).has("ended_at"));
            List<JsonNode> events = Peers.events(session);
            JsonNode end = events.get(events.size() - 1);
            assertEquals("session_end", end.get("event_type").asText());
            assertEquals(7, end.at("/data/exit_code").asInt());
        }
    }

    @Test
    void survivesAServerThatCrashesMidResponse() throws Exception {
        try (RawProxy p = new RawProxy(dir, List.of(), "--crash-after", "2")) {
            p.send("newline", req(1, ""));
            assertEquals(1, Peers.JSON.readTree(p.receive().body()).get("id").asInt());
            p.send("newline", req(2, ""));
            byte[] rest = p.rest();
            assertEquals(0, rest.length, "half a response never reaches the client: " + new String(rest, StandardCharsets.UTF_8));
            assertEquals(3, p.waitFor());
            assertTrue(p.noProcessLeft());
            assertTrue(p.stderr().contains("incomplete last frame from the server"), p.stderr());
            Path session = Peers.onlySession(p.traces());
            assertTrue(Peers.meta(session).has("ended_at"));
        }
    }

    @Test
    void endsCleanlyOnSigterm() throws Exception {
        try (RawProxy p = new RawProxy(dir, List.of())) {
            p.send("newline", req(1, ""));
            p.receive();
            p.process.destroy(); // SIGTERM
            int code = p.waitFor();
            assertTrue(code == 0 || code == 143, "exit " + code);
            assertTrue(p.noProcessLeft());
            Path session = Peers.onlySession(p.traces());
            assertTrue(Peers.meta(session).has("ended_at"), "meta final after SIGTERM");
            List<JsonNode> events = Peers.events(session);
            assertEquals("session_end", events.get(events.size() - 1).get("event_type").asText());
        }
    }

    @Test
    void killsAServerThatIgnoresStdinCloseAndSigterm() throws Exception {
        try (RawProxy p = new RawProxy(dir, List.of("--grace-ms", "300"), "--ignore-eof")) {
            p.send("newline", req(1, ""));
            p.receive();
            p.closeStdin();
            assertEquals(137, p.waitFor(), "the server was SIGKILLed");
            assertTrue(p.noProcessLeft());
            assertTrue(p.stderr().contains("SIGKILL"), p.stderr());
            assertTrue(Peers.meta(Peers.onlySession(p.traces())).has("ended_at"));
        }
    }

    @Test
    void keepsForwardingWhenTheTraceDirectoryIsUnwritable() throws Exception {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "not a directory");
        try (RawProxy p = new RawProxy(dir, List.of("--trace-dir", file.resolve("traces").toString()))) {
            p.send("newline", req(1, ""));
            assertEquals(1, Peers.JSON.readTree(p.receive().body()).get("id").asInt());
            p.send("newline", req(2, ""));
            assertEquals(2, Peers.JSON.readTree(p.receive().body()).get("id").asInt());
            p.closeStdin();
            assertEquals(0, p.waitFor());
            String err = p.stderr();
            assertTrue(err.contains("a-file"), err);
            assertEquals(1, err.lines().filter(l -> l.contains("agent-trace")).count(), "one warning: " + err);
        }
    }

}
