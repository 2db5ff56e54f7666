package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.rules.watch.ProcessSignals;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.tests.peers.RunawayAgent;
import dev.agenttrace.tests.peers.SdkTestServer;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agent-trace record --watch}: runaway agents staged with the MCP Java SDK client against a
 * real SDK server child. The watchers see each call before it is forwarded, so {@code block}
 * refuses the very call that trips a rule; {@code pause} and {@code kill} act on a real agent
 * process (the proxy's parent, as in Cursor or Claude Code).
 */
@Timeout(120)
class InlineWatchEndToEndTest {
    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (Process p : processes) {
            ProcessSignals.send("CONT", p.pid());
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private List<String> proxied(Path traces, Path config, Path serverLog) {
        return Peers.proxy(traces, List.of("--watch", config.toString()),
                Peers.javaMain(SdkTestServer.class, "--log", serverLog.toString()));
    }

    private static CallToolResult call(McpSyncClient c, String tool, Map<String, Object> args) {
        return FirewallEndToEndTest.call(c, tool, args);
    }

    private static boolean blockedByWatch(CallToolResult r, String rule) {
        return Boolean.TRUE.equals(r.isError()) && FirewallEndToEndTest.text(r).startsWith("Blocked by agent-trace watch: rule \"" + rule + "\"")
                && r.meta() != null && r.meta().containsKey("dev.agenttrace/watch");
    }

    /** The session once its proxy has exited (session_end and the final meta are written by then). */
    private static Path endedSession(Path traces) throws InterruptedException {
        Path session = Peers.onlySession(traces);
        assertTrue(Peers.gone(Peers.meta(session).at("/attribution/proxy_pid").asLong(), 15_000), "the proxy exits");
        return session;
    }

    private static List<String> serverCalls(Path log) throws IOException {
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    @Test
    void aRetryStormIsBlockedAtTheCallThatTripsTheRuleAndNothingReachesTheServerAfterIt() throws Exception {
        Path config = Files.writeString(dir.resolve("watch.json"), "{\"watchers\": {\"retry\": {\"max\": 2, \"alert\": [\"block\", \"file\"]}}}");
        Path traces = dir.resolve("traces");
        Path log = dir.resolve("server-calls.log");
        try (McpSyncClient c = FirewallEndToEndTest.client(proxied(traces, config, log))) {
            c.initialize();
            for (int i = 0; i < 3; i++) {
                CallToolResult r = call(c, "fail", Map.of());
                assertEquals("it failed on purpose", FirewallEndToEndTest.text(r), "call " + (i + 1) + " runs");
            }
            CallToolResult tripping = call(c, "fail", Map.of());
            assertTrue(blockedByWatch(tripping, "retry"), FirewallEndToEndTest.text(tripping));
            assertTrue(FirewallEndToEndTest.text(tripping).contains("was NOT executed"), FirewallEndToEndTest.text(tripping));
            CallToolResult next = call(c, "echo", Map.of("text", "something else"));
            assertTrue(blockedByWatch(next, "retry"), "a blocked session refuses every further call: " + FirewallEndToEndTest.text(next));
        }
        Path session = endedSession(traces);
        assertEquals(List.of("fail {}", "fail {}", "fail {}"), serverCalls(log), "the tripping call and the later one never reached the server");

        List<JsonNode> events = Peers.events(session);
        for (JsonNode e : events) {
            assertTrue(EventTypes.AGENT_STRACE.contains(e.path("event_type").asText()), "agent-strace reads every line: " + e);
        }
        List<JsonNode> calls = Peers.ofType(events, "tool_call");
        assertEquals(5, calls.size());
        JsonNode alert = decision(events, "alert");
        assertNotNull(alert, "the alert is recorded");
        assertEquals("block", alert.at("/data/choice").asText());
        assertEquals("retry", alert.at("/data/rule").asText());
        assertEquals(calls.get(3).path("event_id").asText(), alert.path("parent_id").asText(), "linked to the call it refused");
        assertTrue(events.indexOf(alert) > events.indexOf(calls.get(3)), "the alert is stored after the call that tripped it");
        JsonNode later = decision(events, "watch_block");
        assertNotNull(later, "the later refused call has its own decision");
        assertEquals(calls.get(4).path("event_id").asText(), later.path("parent_id").asText());
        assertEquals(session.getFileName().toString(), alert.path("session_id").asText());
        assertTrue(Files.readString(traces.resolve("alerts.log")).contains("retry"), "the file action wrote alerts.log");
        assertTrue(Peers.meta(session).at("/attribution/watch").asText().endsWith("watch.json"));
    }

    @Test
    void afterItsCoolDownTheBreakerLetsOneCallTestAndItsSuccessClosesIt() throws Exception {
        Path config = Files.writeString(dir.resolve("watch.json"),
                "{\"watchers\": {\"retry\": {\"max\": 1, \"alert\": \"block\", \"cooldown_seconds\": 1}}}");
        Path traces = dir.resolve("traces");
        Path log = dir.resolve("server-calls.log");
        try (McpSyncClient c = FirewallEndToEndTest.client(proxied(traces, config, log))) {
            c.initialize();
            call(c, "fail", Map.of());
            call(c, "fail", Map.of());
            assertTrue(blockedByWatch(call(c, "fail", Map.of()), "retry"));
            Thread.sleep(1_300); // past the one-second cool-down, however slow the machine
            CallToolResult probe = call(c, "echo", Map.of("text", "test"));
            assertEquals("test", FirewallEndToEndTest.text(probe), "the test call runs");
            CallToolResult after = call(c, "echo", Map.of("text", "flowing"));
            assertEquals("flowing", FirewallEndToEndTest.text(after), "its success closed the breaker");
        }
        Path session = endedSession(traces);
        assertEquals(List.of("fail {}", "fail {}", "echo {text=test}", "echo {text=flowing}"), serverCalls(log));
        List<JsonNode> events = Peers.events(session);
        List<String> states = new ArrayList<>();
        for (JsonNode e : events) {
            if ("watch_breaker".equals(e.at("/data/kind").asText())) {
                states.add(e.at("/data/choice").asText());
            }
        }
        assertEquals(List.of("half_open", "closed"), states, "the breaker's states are in the trace");
    }

    @Test
    void anABCLoopIsCaughtOnItsThirdRoundAndACostSpiralOnItsBudget() throws Exception {
        Path config = Files.writeString(dir.resolve("watch.json"), """
                {"watchers": {
                   "loop": {"sequence_length": 3, "max_repeats": 3, "alert": ["block"]}
                }}""");
        Path traces = dir.resolve("loop-traces");
        Path log = dir.resolve("loop-calls.log");
        int ran = 0;
        CallToolResult last = null;
        try (McpSyncClient c = FirewallEndToEndTest.client(proxied(traces, config, log))) {
            c.initialize();
            outer:
            for (int round = 0; round < 5; round++) {
                for (String step : List.of("A", "B", "C")) {
                    last = call(c, "echo", Map.of("text", step));
                    if (Boolean.TRUE.equals(last.isError())) {
                        break outer;
                    }
                    ran++;
                }
            }
        }
        assertNotNull(last);
        assertTrue(blockedByWatch(last, "loop"), FirewallEndToEndTest.text(last));
        assertTrue(ran >= 6 && ran < 9, "A,B,C twice runs, the third round is stopped: ran " + ran);
        endedSession(traces);
        assertEquals(ran, serverCalls(log).size(), "the server ran exactly the calls that were not blocked");

        // a cost spiral: every call carries 200 KB, the budget is a few cents
        Path cost = Files.writeString(dir.resolve("cost.json"), "{\"watchers\": {\"cost\": {\"max_dollars\": 0.5, \"warn_at\": 0, \"alert\": \"block\"}}}");
        Path costTraces = dir.resolve("cost-traces");
        Path costLog = dir.resolve("cost-calls.log");
        String big = "x".repeat(200_000);
        int paid = 0;
        CallToolResult stopped = null;
        try (McpSyncClient c = FirewallEndToEndTest.client(proxied(costTraces, cost, costLog))) {
            c.initialize();
            for (int i = 0; i < 200; i++) {
                CallToolResult r = call(c, "echo", Map.of("text", big + i));
                if (Boolean.TRUE.equals(r.isError())) {
                    stopped = r;
                    break;
                }
                paid++;
            }
        }
        assertNotNull(stopped, "the budget stops the spiral");
        assertTrue(blockedByWatch(stopped, "cost"), FirewallEndToEndTest.text(stopped));
        assertTrue(paid > 0, "calls under the budget run");
        Path costSession = endedSession(costTraces);
        assertEquals(paid, serverCalls(costLog).size());
        JsonNode alert = decision(Peers.events(costSession), "alert");
        assertTrue(alert.at("/data/reason").asText().contains("$"), alert.toString());
    }

    @Test
    void pauseStopsTheAgentUntilResumeAndAHungCallGetsTheAgentKilledWithAPostmortem() throws Exception {
        Path config = Files.writeString(dir.resolve("pause.json"), "{\"watchers\": {\"retry\": {\"max\": 1, \"alert\": \"pause\"}}}");
        Path traces = dir.resolve("pause-traces");
        Path out = dir.resolve("agent.out");
        Process agent = new ProcessBuilder(Peers.javaMain(RunawayAgent.class, concat(List.of("retry", "--"),
                proxied(traces, config, dir.resolve("pause-calls.log"))).toArray(String[]::new)))
                .redirectOutput(out.toFile()).redirectError(dir.resolve("agent.err").toFile()).start();
        processes.add(agent);
        assertTrue(await(() -> ProcessSignals.state(agent.pid()) == 'T', 30_000), "the agent is paused: " + read(out) + read(dir.resolve("agent.err")));
        int callsWhenPaused = read(out).split("\n").length;
        Thread.sleep(500);
        assertEquals('T', ProcessSignals.state(agent.pid()), "and stays stopped");
        assertEquals(callsWhenPaused, read(out).split("\n").length, "no call while paused");
        Path session = Peers.onlySession(traces);
        assertEquals(agent.pid(), Peers.meta(session).at("/attribution/agent_pid").asLong(), "the agent is the proxy's parent");
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = dev.agenttrace.cli.Main.execute(new String[] {"resume", session.getFileName().toString(), "--trace-dir", traces.toString()},
                new PrintWriter(o, true), new PrintWriter(e, true));
        assertEquals(0, code, e.toString());
        assertTrue(await(() -> read(out).split("\n").length > callsWhenPaused + 1, 10_000), "the agent runs again after resume");
        agent.destroyForcibly();

        // a hung call: no traffic for a second with a call outstanding kills the agent
        Path kill = Files.writeString(dir.resolve("kill.json"),
                "{\"watchers\": {\"hung\": {\"max_seconds\": 1, \"alert\": \"kill\"}}, \"kill_grace_seconds\": 1}");
        Path killTraces = dir.resolve("kill-traces");
        Path killOut = dir.resolve("killed.out");
        Process victim = new ProcessBuilder(Peers.javaMain(RunawayAgent.class, concat(List.of("hang", "--"),
                proxied(killTraces, kill, dir.resolve("kill-calls.log"))).toArray(String[]::new)))
                .redirectOutput(killOut.toFile()).redirectError(dir.resolve("killed.err").toFile()).start();
        processes.add(victim);
        assertTrue(await(() -> read(killOut).contains("calling slow"), 30_000), read(dir.resolve("killed.err")));
        List<ProcessHandle> family = new ArrayList<>(victim.descendants().toList());
        assertTrue(family.size() >= 2, "the proxy and the server run under the agent: " + family);
        assertTrue(victim.waitFor(20, TimeUnit.SECONDS), "the agent is killed");
        for (ProcessHandle h : family) {
            assertTrue(Peers.gone(h.pid(), 15_000), "no process is left: " + h.pid() + " " + h.info().command().orElse(""));
        }
        assertFalse(read(killOut).contains("slow returned"));
        Path killed = Peers.onlySession(killTraces);
        JsonNode pm = Peers.JSON.readTree(killed.resolve("watchdog-postmortem.json").toFile());
        assertEquals(killed.getFileName().toString(), pm.path("session_id").asText());
        assertEquals("slow", pm.path("last_tool_call").path("tool_name").asText(), pm.toString());
        List<JsonNode> events = Peers.events(killed);
        JsonNode alert = decision(events, "alert");
        assertEquals("kill", alert.at("/data/choice").asText());
        assertEquals("hung", alert.at("/data/rule").asText());
        assertFalse(Peers.ofType(events, "session_end").isEmpty(), "the proxy ended its session cleanly after the agent died");
    }

    @Test
    void aWebhookThatHangsNeverHoldsUpTheSession() throws Exception {
        com.github.tomakehurst.wiremock.WireMockServer hook = new com.github.tomakehurst.wiremock.WireMockServer(
                com.github.tomakehurst.wiremock.core.WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        hook.start();
        try {
            hook.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post("/hook")
                    .willReturn(com.github.tomakehurst.wiremock.client.WireMock.ok().withFixedDelay(8_000)));
            Path config = Files.writeString(dir.resolve("hook.json"), "{\"watchers\": {\"retry\": {\"max\": 1, \"alert\": \"webhook\"}},"
                    + " \"webhook\": {\"url\": \"http://127.0.0.1:" + hook.port() + "/hook\", \"timeout_seconds\": 10, \"retries\": 0}}");
            Path traces = dir.resolve("hook-traces");
            Path log = dir.resolve("hook-calls.log");
            try (McpSyncClient c = FirewallEndToEndTest.client(proxied(traces, config, log))) {
                c.initialize();
                for (int i = 0; i < 3; i++) {
                    call(c, "fail", Map.of()); // the third trips the rule: a webhook that will take 8 s to answer
                }
                long t0 = System.nanoTime();
                CallToolResult next = call(c, "echo", Map.of("text", "still here"));
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertEquals("still here", FirewallEndToEndTest.text(next));
                assertTrue(await(() -> !hook.getAllServeEvents().isEmpty(), 5_000), "the webhook was posted");
                assertTrue(ms < 4_000, "the next call did not wait for the webhook's 8 s answer: " + ms + " ms");
                String body = hook.getAllServeEvents().get(0).getRequest().getBodyAsString();
                assertTrue(body.contains("\"text\":\"agent-trace watch: ") && body.contains("retry"), body);
            }
            assertEquals(4, serverCalls(log).size(), "webhook alerts do not block: every call ran");
        } finally {
            hook.stop();
        }
    }

    @Test
    void aWatchConfigWithATypoForwardsNothingAndSaysTheSpotAndTheFix() throws Exception {
        // (what the client is told, at initialize, is BrokenConfigEndToEndTest's)
        Path config = Files.writeString(dir.resolve("typo.json"), "{\"watchers\": {\"retyr\": {\"max\": 2}}}");
        Path traces = dir.resolve("typo-traces");
        Path log = dir.resolve("typo-calls.log");
        Process p = new ProcessBuilder(proxied(traces, config, log)).redirectError(ProcessBuilder.Redirect.PIPE).start();
        processes.add(p);
        p.getOutputStream().write("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"x\"}}}\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertTrue(err.contains(config + ":1:15: unknown key \"retyr\" in watchers; fix: did you mean \"retry\"?"), err);
        JsonNode answer = Peers.JSON.readTree(out);
        assertEquals(1, answer.path("id").asInt(), out);
        assertTrue(answer.at("/error/message").asText().contains(config + ":1:15"), out);
        assertTrue(serverCalls(log).isEmpty(), "nothing reached the server");
        assertTrue(p.descendants().findAny().isEmpty(), "the server child is not left running");
    }

    private static JsonNode decision(List<JsonNode> events, String kind) {
        return Peers.ofType(events, "decision").stream().filter(e -> kind.equals(e.at("/data/kind").asText())).findFirst().orElse(null);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static boolean await(BooleanSupplier c, long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!c.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        return c.getAsBoolean();
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
