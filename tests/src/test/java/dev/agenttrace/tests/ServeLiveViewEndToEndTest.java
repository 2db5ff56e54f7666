package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.report.browser.Chromium;
import dev.agenttrace.report.browser.Page;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.SessionWriter;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * serve's live view as a user sees it, in headless Chromium: {@code agent-trace serve} runs as a
 * process of its own; a session another process records into its store while the page is open
 * appears in the list, and so does one its own hooks record; its link opens the session's live
 * report; Pause, Resume and Stop act on the agent process the session recorded; another site can
 * neither press those buttons nor read the pages.
 */
class ServeLiveViewEndToEndTest {
    @TempDir
    Path tmp;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(Process::destroyForcibly);
    }

    private int serve(Path traces, Path home, StringBuilder log) throws Exception {
        List<String> cmd = new ArrayList<>(Peers.cli("serve", "--port", "0", "--trace-dir", traces.toString()));
        cmd.add(1, "-Duser.home=" + home);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("HOME", home.toString());
        return Peers.startServe(pb, log, started);
    }

    private static TraceEvent call(String session, String id, String tool, String path) {
        ObjectNode d = JsonNodeFactory.instance.objectNode().put("tool_name", tool);
        d.putObject("arguments").put("path", path);
        return new TraceEvent(EventTypes.TOOL_CALL, System.currentTimeMillis() / 1000.0, id, session, null, null, d);
    }

    private static char state(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).charAt(0);
    }

    @Test
    void sessionsRecordedWhileThePageIsOpenAppearAndItsBrakesActOnTheAgent() throws Exception {
        Path traces = Files.createDirectories(tmp.resolve("traces"));
        Path home = Files.createDirectories(tmp.resolve("home"));
        StringBuilder log = new StringBuilder();
        int port = serve(traces, home, log);
        String base = "http://127.0.0.1:" + port;
        Process agent = new ProcessBuilder("sleep", "600").start(); // the agent the recorded session belongs to
        started.add(agent);
        HttpClient http = HttpClient.newHttpClient();
        SessionWriter writer = null;
        try (Chromium browser = Chromium.launch(); Page page = browser.newPage()) {
            page.open(base + "/");
            page.waitFor("document.body.dataset.ready === '1' && document.body.dataset.feedState === 'open'");
            assertEquals(0, page.eval("document.querySelectorAll('#running tr[data-session]').length").asInt());

            // a recorder in another process (this test's) starts a session in serve's store
            SessionMeta meta = new SessionMeta();
            meta.sessionId = "5e55e55e5e55e55e";
            meta.startedAt = System.currentTimeMillis() / 1000.0;
            meta.agentName = "live-e2e";
            meta.attribution.put("agent_pid", agent.pid());
            meta.attribution.put("proxy_pid", ProcessHandle.current().pid());
            long t0 = System.nanoTime();
            writer = TraceStore.at(traces).create(meta, StoreOptions.defaults());
            writer.submit(call(meta.sessionId, "000000000001", "read_file", "src/a.py"));
            String row = "#running tr[data-session='" + meta.sessionId + "']";
            page.waitFor("document.querySelector(\"" + row + "\") !== null");
            double appearedMs = (System.nanoTime() - t0) / 1e6;
            page.waitFor("document.querySelector(\"" + row + " td.calls\").textContent === '1'");
            assertEquals("running", page.eval("document.querySelector(\"" + row + "\").dataset.state").asText());

            // serve's own hooks record a Claude Code session: it is listed too
            ObjectNode hook = Peers.JSON.createObjectNode().put("session_id", "cc-live-1").put("cwd", tmp.toString())
                    .put("hook_event_name", "SessionStart").put("transcript_path", tmp.resolve("t.jsonl").toString()).put("source", "startup");
            HttpResponse<String> started = http.send(HttpRequest.newBuilder(URI.create(base + "/hooks/claude-code"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(hook.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, started.statusCode(), started.body());
            page.waitFor("document.querySelectorAll('#running tr[data-session]').length === 2");

            // the brakes: Pause stops the agent's process, Resume continues it
            page.click(row + " button[data-action=pause]");
            page.waitFor("document.querySelector(\"" + row + " .said\").textContent.startsWith('paused pid " + agent.pid() + "')");
            assertEquals('T', state(agent.pid()), "SIGSTOP reached the agent");
            page.waitFor("document.querySelector(\"" + row + "\").dataset.state === 'paused'");
            page.click(row + " button[data-action=resume]");
            page.waitFor("document.querySelector(\"" + row + " .said\").textContent.includes('resumed pid " + agent.pid() + "')");
            assertTrue(state(agent.pid()) != 'T', "SIGCONT reached the agent");

            // another site's page can neither press a button nor read a page
            HttpResponse<String> foreign = http.send(HttpRequest.newBuilder(URI.create(base + "/control/stop"))
                    .header("Origin", "https://evil.example").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"session_id\":\"" + meta.sessionId + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, foreign.statusCode(), foreign.body());
            HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create(base + "/control/stop"))
                    .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("{\"session_id\":\"" + meta.sessionId + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(415, form.statusCode(), form.body());
            assertEquals(421, RecordHttpEndToEndTest.status(port, "GET / HTTP/1.1\r\nHost: attacker.example:" + port + "\r\n\r\n"),
                    "a DNS-rebinding Host gets no page");
            assertEquals(421, RecordHttpEndToEndTest.status(port, "GET /feed HTTP/1.1\r\nHost: attacker.example:" + port + "\r\n\r\n"),
                    "nor the feed");
            assertTrue(agent.isAlive());

            // a click opens the session's live report, which follows the session
            String href = page.eval("document.querySelector(\"" + row + " a.sess\").getAttribute('href')").asText();
            assertEquals("/sessions/" + meta.sessionId, href);
            page.open(base + href);
            page.waitFor("location.pathname === '/sessions/" + meta.sessionId + "' && document.body.dataset.ready === '1' && document.body.dataset.feedState === 'open'");
            assertEquals(1, page.eval("document.querySelectorAll('#space .row').length").asInt());
            writer.submit(call(meta.sessionId, "000000000002", "write_file", "src/b.py"));
            page.waitFor("document.querySelectorAll('#space .row').length === 2");

            // Stop ends the agent (confirmed in the dialog)
            page.eval("window.confirm = () => true");
            page.click("#controls button[data-action=stop]");
            page.waitFor("document.querySelector('#controls .said').textContent.startsWith('stopping pid " + agent.pid() + "')");
            assertTrue(agent.waitFor(30, TimeUnit.SECONDS), "SIGTERM ended the agent");
            assertEquals(List.of(), page.errors());
            for (String url : page.requests()) {
                assertTrue(url.startsWith(base + "/"), "the pages talk to serve only: " + url);
            }
            page.screenshot(Path.of("target", "screenshots", "serve-live-session.png"));
            page.open(base + "/");
            page.waitFor("document.body.dataset.ready === '1'");
            page.screenshot(Path.of("target", "screenshots", "serve-live.png"));
            System.out.printf(Locale.ROOT, "serve live view: a session recorded by another process appeared in the open page after %.0f ms "
                    + "(the board's 500 ms scan and the page's 100 ms batching)%n", appearedMs);

            // the trace says who pressed what
            writer.close();
            writer = null;
            List<String> controls = new ArrayList<>();
            TraceStore.at(traces).forEachEvent(meta.sessionId, e -> {
                if (EventTypes.DECISION.equals(e.eventType()) && e.data().path("by").asText().equals("hand")) {
                    controls.add(e.data().path("choice").asText());
                }
            });
            assertEquals(List.of("pause", "kill"), controls, "pause and stop recorded (resume records its own kind)");
        } finally {
            if (writer != null) {
                writer.close();
            }
        }
        synchronized (log) {
            assertFalse(log.toString().contains("Exception"), log.toString());
        }
    }
}
