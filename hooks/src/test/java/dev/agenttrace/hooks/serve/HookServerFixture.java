package dev.agenttrace.hooks.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.hooks.HookService;
import dev.agenttrace.hooks.judge.ProjectConfigs;
import dev.agenttrace.hooks.record.HookSessions;
import dev.agenttrace.rules.PolicyMode;
import dev.agenttrace.rules.watch.AlertActions;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.TraceStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A running {@link HookServer} on an ephemeral port, and the hooks a real agent would send it. */
final class HookServerFixture implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final Path traceDir;
    final HookServer server;
    final HookService service;
    final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    HookServerFixture(Path traceDir, PolicyMode mode, Duration pauseLimit) throws InterruptedException {
        this.traceDir = traceDir;
        PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
        HookSessions sessions = new HookSessions(TraceStore.at(traceDir), StoreOptions.defaults());
        AlertActions actions = AlertActions.builder().traceDir(traceDir).terminal(err::println).problems(err::println).build();
        Path none = traceDir.resolve("no-default-config");
        service = new HookService(sessions, new ProjectConfigs(none, none, err), mode, actions, err, pauseLimit);
        server = new HookServer(service, "127.0.0.1", 0, List.of(), 1024 * 1024);
        server.start();
    }

    HookServerFixture(Path traceDir) throws InterruptedException {
        this(traceDir, PolicyMode.ENFORCE, Duration.ofSeconds(30));
    }

    String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    /** POSTs a Claude Code hook payload to /hooks/claude-code as Claude Code does; returns the answer. */
    HttpResponse<String> post(String path, String body) {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
            return http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    JsonNode claude(ObjectNode payload) {
        HttpResponse<String> r = post("/hooks/claude-code", payload.toString());
        if (r.statusCode() != 200) {
            throw new AssertionError("status " + r.statusCode() + ": " + r.body());
        }
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A request written by hand, for headers an HTTP client will not send (a foreign Host). */
    String raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static ObjectNode event(String name, String session, Path cwd) {
        ObjectNode n = JSON.createObjectNode();
        n.put("session_id", session);
        n.put("transcript_path", "/tmp/" + session + ".jsonl");
        n.put("cwd", cwd.toString());
        n.put("hook_event_name", name);
        n.put("permission_mode", "default");
        return n;
    }

    static ObjectNode preTool(String session, Path cwd, String tool, String id, String inputJson) {
        ObjectNode n = event("PreToolUse", session, cwd);
        n.put("tool_name", tool);
        n.put("tool_use_id", id);
        try {
            n.set("tool_input", JSON.readTree(inputJson));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return n;
    }

    static ObjectNode postTool(String session, Path cwd, String tool, String id, String inputJson, String responseJson) {
        ObjectNode n = preTool(session, cwd, tool, id, inputJson);
        n.put("hook_event_name", "PostToolUse");
        try {
            n.set("tool_response", JSON.readTree(responseJson));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return n;
    }

    static ObjectNode failure(String session, Path cwd, String tool, String id, String inputJson, String error) {
        ObjectNode n = preTool(session, cwd, tool, id, inputJson);
        n.put("hook_event_name", "PostToolUseFailure");
        n.put("error", error);
        n.put("is_interrupt", false);
        return n;
    }

    /** The events of the session stored under {@code storeId}, once {@code until} holds (bounded wait: the writer is asynchronous). */
    List<JsonNode> events(String storeId, Predicate<List<JsonNode>> until) throws InterruptedException {
        Path file = traceDir.resolve(storeId).resolve("events.ndjson");
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<JsonNode> events = List.of();
        while (System.nanoTime() < end) {
            events = read(file);
            if (until.test(events)) {
                return events;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the trace " + file + " never reached the expected state; it holds " + events);
    }

    static List<JsonNode> read(Path file) {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
        } catch (IOException e) {
            // a torn last line while the writer appends: read again
        }
        return out;
    }

    static List<JsonNode> ofType(List<JsonNode> events, String type) {
        return events.stream().filter(e -> type.equals(e.path("event_type").asText())).toList();
    }

    static Predicate<List<JsonNode>> has(String type, int n) {
        return ev -> ofType(ev, type).size() >= n;
    }

    JsonNode meta(String storeId) throws IOException {
        return JSON.readTree(traceDir.resolve(storeId).resolve("meta.json").toFile());
    }

    @Override
    public void close() {
        server.close();
    }
}
