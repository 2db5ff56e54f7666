package dev.agenttrace.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** record-http in front of a minimal HTTP/1.1 upstream (a socket loop that answers each request with JSON). */
@Timeout(20)
class MinimalUpstreamTest {
    private static final String BODY = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}";

    private record Counts(int connections, int requests) {
    }

    /** Five sequential POSTs through a proxy; how many connections and requests the upstream saw. */
    private static Counts relayFive(PrintStream err) throws Exception {
        AtomicInteger connections = new AtomicInteger();
        AtomicInteger requests = new AtomicInteger();
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                while (!upstream.isClosed()) {
                    try {
                        Socket s = upstream.accept();
                        connections.incrementAndGet();
                        Thread t = new Thread(() -> answerEach(s, requests));
                        t.setDaemon(true);
                        t.start();
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            server.setDaemon(true);
            server.start();
            HttpProxyOptions opts = HttpProxyOptions.defaults(URI.create("http://127.0.0.1:" + upstream.getLocalPort() + "/mcp")).withPort(0);
            try (HttpProxy proxy = new HttpProxy(opts, null, start -> null, err)) {
                proxy.start();
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                for (int i = 0; i < 5; i++) {
                    HttpRequest req = HttpRequest.newBuilder(proxy.localUrl()).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}")).build();
                    HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                    assertEquals(BODY, r.body());
                }
            }
        }
        return new Counts(connections.get(), requests.get());
    }

    @Test
    void sequentialRequestsShareOneUpstreamConnection() throws Exception {
        Counts c = relayFive(System.err);
        assertEquals(5, c.requests());
        assertEquals(1, c.connections(), "one keep-alive connection to the upstream");
    }

    @Test
    void measuresHowLongMessagesSpendInsideTheProxyWhenAskedTo() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setProperty("agenttrace.http.timing", "5");
        try {
            relayFive(new PrintStream(buf, true, StandardCharsets.UTF_8));
        } finally {
            System.clearProperty("agenttrace.http.timing");
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        for (String kind : new String[] {"request", "response"}) {
            Matcher m = Pattern.compile("agent-trace: timing " + kind + " n=5 p50_us=([0-9.]+) p90_us=([0-9.]+) p99_us=([0-9.]+)\n").matcher(out);
            assertTrue(m.find(), "a " + kind + " line after five samples: " + out);
            double p50 = Double.parseDouble(m.group(1));
            double p99 = Double.parseDouble(m.group(3));
            assertTrue(p50 > 0 && p50 <= p99, out);
            assertTrue(p99 < 5_000_000, "a residence of " + p99 + " us is not one relay step: " + out);
        }
        ByteArrayOutputStream quiet = new ByteArrayOutputStream();
        relayFive(new PrintStream(quiet, true, StandardCharsets.UTF_8));
        assertEquals("", quiet.toString(StandardCharsets.UTF_8), "nothing is measured or printed unless asked for");
    }

    @Test
    void anAgentHookSentHereByMistakeStopsTheAgentInsteadOfRunningItsToolUnguarded() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try {
                    answerEach(upstream.accept(), requests);
                } catch (java.io.IOException e) {
                    // closed
                }
            });
            server.setDaemon(true);
            server.start();
            HttpProxyOptions opts = HttpProxyOptions.defaults(URI.create("http://127.0.0.1:" + upstream.getLocalPort() + "/mcp")).withPort(0);
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            try (HttpProxy proxy = new HttpProxy(opts, null, start -> null, new PrintStream(err, true, StandardCharsets.UTF_8))) {
                proxy.start();
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                // Claude Code's HTTP hook, as `setup claude-code` writes it for serve's default port, which record-http holds
                String hook = "{\"session_id\":\"s1\",\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\","
                        + "\"tool_input\":{\"command\":\"cat .env\"},\"tool_use_id\":\"toolu_1\",\"cwd\":\"/tmp\"}";
                for (int i = 0; i < 2; i++) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(proxy.localUrl().resolve("/hooks/claude-code"))
                            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(hook)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, r.statusCode(), "a non-2xx answer would make the agent run the tool");
                    com.fasterxml.jackson.databind.JsonNode answer = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
                    assertEquals(false, answer.path("continue").asBoolean(true), r.body());
                    assertTrue(answer.path("stopReason").asText().contains("not agent-trace serve"), r.body());
                }
                HttpResponse<String> other = http.send(HttpRequest.newBuilder(proxy.localUrl().resolve("/elsewhere"))
                        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(404, other.statusCode(), "other paths keep their 404");
            }
            assertEquals(0, requests.get(), "nothing reached the upstream");
            String said = err.toString(StandardCharsets.UTF_8);
            assertEquals(1, said.split("not agent-trace serve", -1).length - 1, "said once on stderr: " + said);
        }
    }

    /** A minimal HTTP/1.1 server loop: reads each request (Content-Length body) and answers it. */
    private static void answerEach(Socket s, AtomicInteger requests) {
        try (s) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            String line;
            while ((line = in.readLine()) != null) {
                int length = 0;
                while ((line = in.readLine()) != null && !line.isEmpty()) {
                    if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                for (int i = 0; i < length; i++) {
                    in.read();
                }
                requests.incrementAndGet();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + BODY.length() + "\r\n\r\n" + BODY)
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        } catch (java.io.IOException e) {
            // closed
        }
    }
}
