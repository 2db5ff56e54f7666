package dev.agenttrace.tests.peers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An MCP server over HTTP that runs nothing and remembers every {@code tools/call} it receives:
 * Streamable HTTP on {@code /mcp} (JSON answers) and the legacy transport on {@code /sse} +
 * {@code /message?sessionId=N} (answers on the event stream). Every request gets a plain result.
 */
public final class LoggingHttpServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "logging-http-server");
        t.setDaemon(true);
        return t;
    });
    private final Set<String> calls = ConcurrentHashMap.newKeySet();
    private final Map<String, OutputStream> streams = new ConcurrentHashMap<>();
    private final AtomicInteger sessions = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);
    /** When set, a tools/call of {@code Bash} is answered only once it is counted down. */
    private volatile CountDownLatch holdBash;

    public LoggingHttpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(threads);
        server.createContext("/mcp", this::streamable);
        server.createContext("/sse", this::sse);
        server.createContext("/message", this::message);
        server.start();
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** From now on, answers to {@code Bash} calls wait until {@code latch} is counted down. */
    public void holdBash(CountDownLatch latch) {
        holdBash = latch;
    }

    /** The ids (JSON text) of every tools/call received, whatever its shape. */
    public Set<String> toolCalls() {
        return calls;
    }

    private void streamable(HttpExchange ex) throws IOException {
        if (!"POST".equals(ex.getRequestMethod())) {
            ex.sendResponseHeaders(405, -1);
            ex.close();
            return;
        }
        JsonNode reply = answer(ex.getRequestBody().readAllBytes());
        if (reply == null) {
            ex.sendResponseHeaders(202, -1);
            ex.close();
            return;
        }
        byte[] b = JSON.writeValueAsBytes(reply);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("Mcp-Session-Id", "logging-session");
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    private void sse(HttpExchange ex) throws IOException {
        String id = Integer.toString(sessions.incrementAndGet());
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        synchronized (out) {
            out.write(("event: endpoint\ndata: /message?sessionId=" + id + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        streams.put(id, out);
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ex.close();
    }

    private void message(HttpExchange ex) throws IOException {
        String q = ex.getRequestURI().getQuery();
        OutputStream stream = q == null ? null : streams.get(q.replace("sessionId=", ""));
        byte[] body = ex.getRequestBody().readAllBytes();
        if (stream == null) {
            ex.sendResponseHeaders(404, -1);
            ex.close();
            return;
        }
        JsonNode reply = answer(body);
        byte[] accepted = "Accepted".getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(202, accepted.length);
        ex.getResponseBody().write(accepted);
        ex.close();
        if (reply != null) {
            synchronized (stream) {
                stream.write(("event: message\ndata: " + JSON.writeValueAsString(reply) + "\n\n").getBytes(StandardCharsets.UTF_8));
                stream.flush();
            }
        }
    }

    /** Notes the calls in a message and builds its answer (null when nothing is answered). */
    private JsonNode answer(byte[] body) {
        JsonNode msg;
        try {
            msg = JSON.readTree(body);
        } catch (IOException e) {
            // not JSON: a server would answer a parse error; nothing runs
            return JSON.createObjectNode().put("jsonrpc", "2.0").putNull("id")
                    .set("error", JSON.createObjectNode().put("code", -32700).put("message", "Parse error"));
        }
        if (msg instanceof ArrayNode a) {
            ArrayNode out = JSON.createArrayNode();
            for (JsonNode e : a) {
                JsonNode r = one(e);
                if (r != null) {
                    out.add(r);
                }
            }
            return out.isEmpty() ? null : out;
        }
        return one(msg);
    }

    private JsonNode one(JsonNode m) {
        String method = m.path("method").asText("");
        if (method.equals("tools/call")) {
            calls.add(String.valueOf(m.get("id")));
            CountDownLatch hold = holdBash;
            if (hold != null && "Bash".equals(m.at("/params/name").asText())) {
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (!m.has("id") || method.isEmpty()) {
            return null;
        }
        ObjectNode r = JSON.createObjectNode().put("jsonrpc", "2.0");
        r.set("id", m.get("id"));
        ObjectNode result = r.putObject("result");
        if (method.equals("initialize")) {
            result.put("protocolVersion", m.at("/params/protocolVersion").asText("2025-03-26"));
            result.putObject("capabilities").putObject("tools");
            result.putObject("serverInfo").put("name", "logging-http-server").put("version", "1");
        } else {
            result.putArray("content").addObject().put("type", "text").put("text", "ran " + List.of(method));
        }
        return r;
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
