package dev.agenttrace.bench.stdio;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * A collector that accepts: OTLP/HTTP (protobuf) {@code POST /v1/traces} and {@code /v1/metrics}
 * answered 200 at once, the spans counted, and the ones named {@code tools/call ...} counted apart
 * (one per forwarded call). {@code GET /count} says {@code spans=N tool_calls=M requests=R};
 * {@code POST /reset} zeroes them. A process of its own, so its work is not the load driver's.
 * It reads only what it counts: a length-delimited walk of
 * {@code ExportTraceServiceRequest.resource_spans(1).scope_spans(2).spans(2).name(5)}.
 *
 * <pre>
 * OtlpSink        prints http://127.0.0.1:PORT on its first line, serves until killed
 * </pre>
 */
public final class OtlpSink {
    private static final byte[] TOOLS_CALL = "tools/call ".getBytes(StandardCharsets.UTF_8);
    private final AtomicLong spans = new AtomicLong();
    private final AtomicLong toolCalls = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();

    private OtlpSink() {
    }

    public static void main(String[] args) throws IOException {
        OtlpSink sink = new OtlpSink();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/v1/traces", ex -> sink.traces(ex));
        server.createContext("/v1/metrics", ex -> sink.drain(ex));
        server.createContext("/count", ex -> sink.answer(ex, 200, ("spans=" + sink.spans.get() + " tool_calls=" + sink.toolCalls.get()
                + " requests=" + sink.requests.get() + "\n").getBytes(StandardCharsets.US_ASCII), "text/plain"));
        server.createContext("/reset", ex -> {
            sink.spans.set(0);
            sink.toolCalls.set(0);
            sink.requests.set(0);
            sink.answer(ex, 200, new byte[0], "text/plain");
        });
        server.start();
        System.out.println("http://127.0.0.1:" + server.getAddress().getPort());
        System.out.flush();
    }

    private void traces(HttpExchange ex) throws IOException {
        byte[] body = read(ex);
        requests.incrementAndGet();
        try {
            request(body, 0, body.length);
        } catch (RuntimeException e) {
            System.err.println("otlp-sink: a request that is not an ExportTraceServiceRequest: " + e);
        }
        answer(ex, 200, new byte[0], "application/x-protobuf"); // an empty ExportTraceServiceResponse: all accepted
    }

    private void drain(HttpExchange ex) throws IOException {
        read(ex);
        answer(ex, 200, new byte[0], "application/x-protobuf");
    }

    private static byte[] read(HttpExchange ex) throws IOException {
        InputStream in = ex.getRequestBody();
        if ("gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"))) {
            in = new GZIPInputStream(in);
        }
        return in.readAllBytes();
    }

    private void answer(HttpExchange ex, int status, byte[] body, String type) throws IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        }
        ex.close();
    }

    // ---------------------------------------------------------------- the driver's side

    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

    /** Zeroes the counts of the sink at {@code url}. */
    static void reset(String url) throws IOException {
        send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/reset"))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build());
    }

    /**
     * The tools/call spans the sink has, once it has {@code expected} of them or none arrived
     * for 10 s (the exporter gave up, or dropped them); at most two minutes.
     */
    static long await(String url, long expected) throws IOException {
        long last = -1;
        long lastChange = System.nanoTime();
        long end = System.nanoTime() + 120_000_000_000L;
        while (true) {
            String c = send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/count")).build());
            long got = Long.parseLong(c.replaceAll("(?s).*tool_calls=(\\d+).*", "$1"));
            if (got != last) {
                last = got;
                lastChange = System.nanoTime();
            }
            if (got >= expected || System.nanoTime() - lastChange > 10_000_000_000L || System.nanoTime() > end) {
                return got;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return got;
            }
        }
    }

    private static String send(java.net.http.HttpRequest req) throws IOException {
        try {
            return HTTP.send(req, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    // ---------------------------------------------------------------- a minimal protobuf walk

    private void request(byte[] b, int from, int to) {
        walk(b, from, to, 1, (s, e) -> walk(b, s, e, 2, (s2, e2) -> walk(b, s2, e2, 2, (s3, e3) -> span(b, s3, e3))));
    }

    private void span(byte[] b, int from, int to) {
        spans.incrementAndGet();
        walk(b, from, to, 5, (s, e) -> {
            if (startsWith(b, s, e, TOOLS_CALL)) {
                toolCalls.incrementAndGet();
            }
        });
    }

    private interface Field {
        void at(int start, int end);
    }

    /** Calls {@code f} with the bounds of every length-delimited field numbered {@code wanted} in b[from, to). */
    private static void walk(byte[] b, int from, int to, int wanted, Field f) {
        int[] pos = {from};
        while (pos[0] < to) {
            long key = varint(b, pos);
            int field = (int) (key >>> 3);
            int type = (int) (key & 7);
            switch (type) {
                case 0 -> varint(b, pos);
                case 1 -> pos[0] += 8;
                case 5 -> pos[0] += 4;
                case 2 -> {
                    int len = (int) varint(b, pos);
                    int start = pos[0];
                    pos[0] += len;
                    if (pos[0] > to) {
                        throw new IllegalArgumentException("a field runs past its message");
                    }
                    if (field == wanted) {
                        f.at(start, start + len);
                    }
                }
                default -> throw new IllegalArgumentException("wire type " + type);
            }
        }
    }

    private static long varint(byte[] b, int[] pos) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte x = b[pos[0]++];
            v |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("varint too long");
    }

    private static boolean startsWith(byte[] b, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[from + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
