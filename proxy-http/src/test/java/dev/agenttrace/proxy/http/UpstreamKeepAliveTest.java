package dev.agenttrace.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Sequential requests reuse one keep-alive connection to the upstream. */
@Timeout(20)
class UpstreamKeepAliveTest {
    private static final String BODY = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}";

    @Test
    void sequentialRequestsShareOneUpstreamConnection() throws Exception {
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
            try (HttpProxy proxy = new HttpProxy(opts, null, start -> null, System.err)) {
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
        assertEquals(5, requests.get());
        assertEquals(1, connections.get(), "one keep-alive connection to the upstream");
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
