package dev.agenttrace.report.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The Debian Chromium, headless, driven over the DevTools protocol with the JDK's own WebSocket
 * client: no driver, no npm. One browser per test class; {@link #newPage()} opens a fresh tab.
 * {@code CHROMIUM} names another binary; without one the test fails and says how to install it.
 */
public final class Chromium implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START = Duration.ofSeconds(60);

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    final List<Consumer<JsonNode>> listeners = new CopyOnWriteArrayList<>();

    private Chromium(Process process, Path profile, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
    }

    public static Path binary() {
        String env = System.getenv("CHROMIUM");
        Path p = Path.of(env != null && !env.isBlank() ? env : "/usr/bin/chromium");
        if (!Files.isExecutable(p)) {
            throw new AssertionError("no Chromium at " + p + ": install it (apt-get install -y chromium; .ci/run does) or set CHROMIUM to a Chromium binary");
        }
        return p;
    }

    public static Chromium launch() throws Exception {
        Path profile = Files.createTempDirectory("agent-trace-chromium-");
        ProcessBuilder pb = new ProcessBuilder(binary().toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
                "--user-data-dir=" + profile, "--remote-debugging-port=0", "--window-size=1400,1000", "about:blank");
        pb.redirectErrorStream(true);
        pb.redirectOutput(profile.resolve("chromium.log").toFile());
        Process p = pb.start();
        Path port = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + START.toNanos();
        List<String> lines = List.of();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("Chromium exited with " + p.exitValue() + ": " + Files.readString(profile.resolve("chromium.log")));
            }
            if (Files.exists(port)) {
                lines = Files.readAllLines(port);
                if (lines.size() >= 2) {
                    break;
                }
            }
            Thread.sleep(50);
        }
        if (lines.size() < 2) {
            p.destroyForcibly();
            throw new AssertionError("Chromium did not open its DevTools port within " + START.toSeconds() + " s");
        }
        URI ws = URI.create("ws://127.0.0.1:" + lines.get(0).strip() + lines.get(1).strip());
        Chromium[] self = new Chromium[1];
        StringBuilder partial = new StringBuilder();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(20))
                .buildAsync(ws, new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            String text = partial.toString();
                            partial.setLength(0);
                            try {
                                self[0].dispatch(JSON.readTree(text));
                            } catch (IOException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                        w.request(1);
                        return null;
                    }
                }).get(30, TimeUnit.SECONDS);
        self[0] = new Chromium(p, profile, socket);
        return self[0];
    }

    private void dispatch(JsonNode msg) {
        if (msg.has("id")) {
            CompletableFuture<JsonNode> f = pending.remove(msg.get("id").asInt());
            if (f != null) {
                if (msg.has("error")) {
                    f.completeExceptionally(new IllegalStateException("DevTools: " + msg.get("error")));
                } else {
                    f.complete(msg.get("result"));
                }
            }
            return;
        }
        for (Consumer<JsonNode> l : listeners) {
            l.accept(msg);
        }
    }

    /** Sends one command (to a tab when {@code session} is not null) and waits for its answer. */
    JsonNode send(String session, String method, ObjectNode params) {
        int id = ids.incrementAndGet();
        ObjectNode msg = JSON.createObjectNode();
        msg.put("id", id);
        msg.put("method", method);
        msg.set("params", params == null ? JSON.createObjectNode() : params);
        if (session != null) {
            msg.put("sessionId", session);
        }
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        synchronized (socket) {
            socket.sendText(msg.toString(), true).join();
        }
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(method + " failed: " + e.getMessage(), e);
        }
    }

    public Page newPage() {
        ObjectNode p = JSON.createObjectNode().put("url", "about:blank");
        String target = send(null, "Target.createTarget", p).get("targetId").asText();
        String session = send(null, "Target.attachToTarget", JSON.createObjectNode().put("targetId", target).put("flatten", true))
                .get("sessionId").asText();
        return new Page(this, target, session);
    }

    @Override
    public void close() throws Exception {
        try {
            send(null, "Browser.close", null);
        } catch (AssertionError e) {
            // it may close before it answers
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (var walk = Files.walk(profile)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
