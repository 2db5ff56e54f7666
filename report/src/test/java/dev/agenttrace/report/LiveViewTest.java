package dev.agenttrace.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpServer;
import dev.agenttrace.report.browser.Chromium;
import dev.agenttrace.report.browser.Page;
import dev.agenttrace.report.session.LiveFeed;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.SessionWriter;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page side of serve's live view, hosted the way serve will host it (the page at a URL, its
 * feed as server-sent events from {@link LiveFeed}), here on the JDK's own HTTP server: calls
 * recorded while the page is open appear in it.
 */
class LiveViewTest {
    @Test
    void callsRecordedWhileThePageIsOpenAppearInIt(@TempDir Path dir) throws Exception {
        TraceStore store = TraceStore.at(dir);
        SessionMeta meta = new SessionMeta();
        meta.sessionId = "11fe11fe11fe11fe";
        meta.startedAt = System.currentTimeMillis() / 1000.0;
        meta.agentName = "live-test";
        SessionWriter writer = store.create(meta, StoreOptions.defaults());
        TraceEvent first = call(meta, "1", "read_file", "src/a.py");
        writer.submit(first);
        writer.submit(result(meta, first, "2", "contents of a"));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        server.setExecutor(pool);
        server.createContext("/session", x -> {
            ByteArrayOutputStream page = new ByteArrayOutputStream();
            ReportPages.session(store, store.resolve(meta.sessionId), page, new ReportPages.Live("/session/feed", "/session/control"));
            x.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            x.sendResponseHeaders(200, page.size());
            try (OutputStream o = x.getResponseBody()) {
                page.writeTo(o);
            }
        });
        server.createContext("/session/feed", x -> {
            x.getResponseHeaders().set("Content-Type", "text/event-stream");
            x.getResponseHeaders().set("Cache-Control", "no-store");
            x.sendResponseHeaders(200, 0);
            try (OutputStream o = x.getResponseBody()) {
                LiveFeed feed = LiveFeed.open(store, store.resolve(meta.sessionId), frame -> {
                    try {
                        o.write(frame.getBytes(StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                boolean ended = false;
                while (!ended) {
                    ended = feed.poll();
                    o.flush();
                    Thread.sleep(50);
                }
            } catch (InterruptedException | java.io.UncheckedIOException | IOException gone) {
                // the page went away
            }
        });
        List<String> posted = new java.util.concurrent.CopyOnWriteArrayList<>();
        server.createContext("/session/control", x -> {
            String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            posted.add(x.getRequestMethod() + " " + x.getRequestURI().getPath() + " origin=" + x.getRequestHeaders().getFirst("Origin") + " " + body);
            byte[] answer = "{\"message\":\"paused pid 4242\"}".getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().set("Content-Type", "application/json");
            x.sendResponseHeaders(200, answer.length);
            try (OutputStream o = x.getResponseBody()) {
                o.write(answer);
            }
        });
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        try (Chromium browser = Chromium.launch(); Page p = browser.newPage()) {
            waitForFile(store, meta.sessionId, 2);
            p.open(base + "/session");
            p.waitFor("document.body.dataset.ready === '1' && document.body.dataset.feedState === 'open'");
            assertEquals(1, p.eval("document.querySelectorAll('#space .row').length").asInt());
            long t0 = System.nanoTime();
            TraceEvent second = call(meta, "3", "write_file", "src/b.py");
            writer.submit(second);
            p.waitFor("document.querySelectorAll('#space .row').length === 2");
            double appearedMs = (System.nanoTime() - t0) / 1e6;
            assertEquals("no answer", p.eval("document.querySelectorAll('#space .row')[1].querySelector('.badge.b-open').textContent").asText());
            writer.submit(blocked(meta, second, "4"));
            writer.submit(result(meta, second, "5", "Blocked by agent-trace policy"));
            p.waitFor("document.querySelector('#space .row .badge.b-block') !== null");
            assertEquals("BLOCKED files.write.allow (no match)", p.eval("document.querySelector('#space .row .badge.b-block').textContent").asText());
            p.waitFor("document.querySelectorAll('#axis .axis-mark.mark-policy').length === 1");
            writer.submit(new TraceEvent(EventTypes.SESSION_END, now(), "000000000006", meta.sessionId, null, null, JsonNodeFactory.instance.objectNode()));
            writer.close();
            p.waitFor("document.body.dataset.feedState === 'ended'");
            // the breakers' controls: the page POSTs, serve answers (and checks the Origin, as every endpoint of serve)
            p.click("#controls button[data-action=pause]");
            p.waitFor("document.querySelector('#controls .said').textContent === 'paused pid 4242'");
            assertEquals(List.of("POST /session/control/pause origin=" + base + " {\"session_id\":\"" + meta.sessionId + "\"}"), posted);
            assertEquals(List.of(), p.errors());
            for (String url : p.requests()) {
                assertTrue(url.startsWith(base + "/session"), "only the page, its feed and its controls: " + url);
            }
            p.screenshot(SessionReportPageTest.SHOTS.resolve("report-live.png"));
            System.out.printf(Locale.ROOT, "live view: a call recorded while the page was open appeared in it after %.0f ms "
                    + "(the trace writer's catch-up, a 50 ms feed poll and the page's 100 ms batching)%n", appearedMs);
        } finally {
            server.stop(0);
            pool.shutdownNow();
        }
    }

    private static void waitForFile(TraceStore store, String id, int events) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline && store.readEvents(id).events().size() < events) {
            Thread.sleep(20);
        }
    }

    static double now() {
        return System.currentTimeMillis() / 1000.0;
    }

    static TraceEvent call(SessionMeta m, String id, String tool, String path) {
        var d = JsonNodeFactory.instance.objectNode().put("tool_name", tool).put("request_id", Integer.parseInt(id));
        d.putObject("arguments").put("path", path);
        return new TraceEvent(EventTypes.TOOL_CALL, now(), "00000000000" + id, m.sessionId, null, null, d);
    }

    static TraceEvent result(SessionMeta m, TraceEvent call, String id, String text) {
        var d = JsonNodeFactory.instance.objectNode().put("content_preview", text);
        d.set("request_id", call.data().get("request_id"));
        return new TraceEvent(EventTypes.TOOL_RESULT, now(), "00000000000" + id, m.sessionId, call.eventId(), (now() - call.timestamp()) * 1000, d);
    }

    static TraceEvent blocked(SessionMeta m, TraceEvent call, String id) {
        var d = JsonNodeFactory.instance.objectNode().put("kind", "policy_violation").put("choice", "block")
                .put("reason", "write_file path \"src/b.py\" is outside files.write.allow").put("tool_name", "write_file");
        d.putObject("policy").put("rule", "files.write.allow (no match)");
        return new TraceEvent(EventTypes.DECISION, now(), "00000000000" + id, m.sessionId, call.eventId(), null, d);
    }
}
