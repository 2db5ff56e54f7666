package dev.agenttrace.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that stops reading an event stream stops the proxy reading the upstream: the
 * upstream's writes stall instead of piling up in the proxy's memory.
 */
@Timeout(30)
class BackPressureTest {
    private static final long TOTAL = 48L * 1024 * 1024;

    @Test
    void aClientThatDoesNotReadSlowsTheUpstream() throws Exception {
        AtomicLong written = new AtomicLong();
        try (ServerSocket upstream = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> serveEndlessStream(upstream, written), "firehose");
            server.setDaemon(true);
            server.start();
            HttpProxyOptions opts = HttpProxyOptions.defaults(URI.create("http://127.0.0.1:" + upstream.getLocalPort() + "/mcp")).withPort(0);
            try (HttpProxy proxy = new HttpProxy(opts, null, start -> null, System.err)) {
                proxy.start();
                try (Socket client = new Socket()) {
                    client.setReceiveBufferSize(64 * 1024);
                    client.connect(new java.net.InetSocketAddress("127.0.0.1", proxy.port()));
                    OutputStream out = client.getOutputStream();
                    out.write(("GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + proxy.port() + "\r\nAccept: text/event-stream\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Thread.sleep(1000);
                    long stalledAt = written.get();
                    assertTrue(stalledAt < TOTAL / 2, "the upstream wrote " + stalledAt + " bytes while the client read nothing");
                    InputStream in = client.getInputStream();
                    byte[] buf = new byte[256 * 1024];
                    long received = 0;
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        received += n;
                        if (endsWithLastChunk(buf, n)) {
                            break;
                        }
                    }
                    assertEquals(TOTAL, written.get(), "once the client reads, the whole stream flows");
                    assertTrue(received >= TOTAL, "received " + received);
                }
            }
        }
    }

    private static boolean endsWithLastChunk(byte[] b, int n) {
        return n >= 5 && new String(b, n - 5, 5, StandardCharsets.US_ASCII).equals("0\r\n\r\n");
    }

    /** Answers one request with an event stream of TOTAL bytes, written as fast as the socket takes them. */
    private static void serveEndlessStream(ServerSocket ss, AtomicLong written) {
        try (Socket s = ss.accept()) {
            s.setSendBufferSize(64 * 1024);
            InputStream in = s.getInputStream();
            int state = 0;
            while (state < 4) {
                int c = in.read();
                if (c < 0) {
                    return;
                }
                state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
            }
            OutputStream out = s.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] event = new byte[64 * 1024];
            Arrays.fill(event, (byte) 'x');
            byte[] head = "data: ".getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(head, 0, event, 0, head.length);
            event[event.length - 2] = '\n';
            event[event.length - 1] = '\n';
            while (written.get() < TOTAL) {
                out.write(event);
                written.addAndGet(event.length);
            }
            out.flush();
        } catch (java.io.IOException e) {
            // the proxy went away
        }
    }
}
