package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.tests.peers.SdkTestServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A project store (the agent-strace fixtures, in the project root of the working directory) and
 * the per-user store of a home directory (a session recorded there by {@code agent-trace record},
 * and a copy of one fixture session under the same id): {@code list} run in a subdirectory of the
 * project, and {@code agent-trace mcp} started by the MCP Java SDK client there, read both without
 * being told, say so, and tell the sessions apart by store.
 */
@Timeout(180)
class SeveralStoresEndToEndTest {
    @TempDir
    static Path tmp;
    static Path home;
    static Path userStore;
    static Path project;
    static Path projectStore;
    static Path workDir;
    static String recorded;

    @BeforeAll
    static void stores() throws Exception {
        home = Files.createDirectories(tmp.resolve("home"));
        userStore = home.resolve(".agent-traces");
        project = Files.createDirectories(tmp.resolve("project"));
        Files.createDirectory(project.resolve(".git"));
        workDir = Files.createDirectories(project.resolve("src/deep"));
        projectStore = project.resolve(".agent-traces");
        McpServerEndToEndTest.copyFixtures(McpServerEndToEndTest.FIXTURES, projectStore);
        McpServerEndToEndTest.copyFixtures(McpServerEndToEndTest.FIXTURES.resolve("7f3e9a10-hooks-s"),
                userStore.resolve("7f3e9a10-hooks-s"));
        Path fresh = Files.createDirectories(tmp.resolve("recording"));
        List<String> cmd = Peers.proxy(fresh, List.of("--name", "in-home"), Peers.javaMain(SdkTestServer.class));
        StdioClientTransport transport = new StdioClientTransport(ServerParameters.builder(cmd.get(0))
                .args(cmd.subList(1, cmd.size())).build(), McpServerEndToEndTest.JSON);
        transport.setStdErrorHandler(l -> { });
        try (McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).build()) {
            client.initialize();
            client.callTool(CallToolRequest.builder().name("echo").arguments(Map.of("text", "from home")).build());
        }
        Path session = Peers.onlySession(fresh);
        assertTrue(Peers.gone(Peers.meta(session).at("/attribution/proxy_pid").asLong(), 10_000), "the recorder finished");
        recorded = session.getFileName().toString();
        Files.move(session, userStore.resolve(recorded));
    }

    /** The CLI as a user in {@code workDir} with this home directory, no store variable and no config file. */
    static List<String> cliIn(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Peers.JAVA, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Duser.home=" + home, "-cp", Peers.CLASSPATH, "dev.agenttrace.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cliIn(args)).directory(workDir.toFile());
        pb.environment().remove("AGENT_TRACE_DIR");
        pb.environment().put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", args) + " answered");
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void listInAProjectAlsoReadsThePerUserStoreAndSaysSo() throws Exception {
        Run r = run("list", "--limit", "0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("reading 2 stores"), r.err());
        assertTrue(r.err().contains(projectStore + " (the project root of " + workDir + "): 5 sessions"), r.err());
        assertTrue(r.err().contains(userStore + " (the per-user store, read too): 2 sessions"), r.err());
        List<String> hooks = r.out().lines().filter(l -> l.startsWith("7f3e9a10-hooks-s")).toList();
        assertEquals(2, hooks.size(), "the same id in both stores, listed twice: " + r.out());
        assertTrue(hooks.stream().anyMatch(l -> l.contains("~/.agent-traces")) && hooks.stream().anyMatch(l -> l.contains(projectStore.toString())),
                "each marked with its store: " + hooks);
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith(recorded) && l.contains("~/.agent-traces")), r.out());

        Run one = run("list", "--trace-dir", projectStore.toString());
        assertEquals("agent-trace: reading " + projectStore + " (--trace-dir)", one.err().strip(), "only the store asked for");
        Run show = run("show", "7f3e");
        assertEquals(2, show.code(), show.out());
        assertTrue(show.err().contains(projectStore.resolve("7f3e9a10-hooks-s").toString())
                && show.err().contains(userStore.resolve("7f3e9a10-hooks-s").toString()), show.err());
        Run mine = run("show", recorded.substring(0, 8));
        assertEquals(0, mine.code(), mine.err());
        assertTrue(mine.out().contains("(in-home)") && mine.err().contains("of " + userStore), mine.out() + mine.err());
    }

    @Test
    void mcpStartedInTheProjectServesBothStoresAndNamesThem() throws Exception {
        List<String> cmd = cliIn("mcp");
        List<String> args = new ArrayList<>(List.of("-c", "cd \"$0\" && unset AGENT_TRACE_DIR && export XDG_CONFIG_HOME=\"$0/.none\" && exec \"$@\"",
                workDir.toString()));
        args.addAll(cmd);
        StdioClientTransport transport = new StdioClientTransport(ServerParameters.builder("sh").args(args).build(),
                McpServerEndToEndTest.JSON);
        List<String> stderr = new CopyOnWriteArrayList<>();
        transport.setStdErrorHandler(stderr::add);
        try (McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60)).build()) {
            client.initialize();
            JsonNode list = McpServerEndToEndTest.ok(client, "list_sessions", Map.of("limit", 100));
            assertEquals(7, list.get("count").asInt(), list.toString());
            assertEquals(List.of(projectStore.toString(), userStore.toString()),
                    List.of(list.at("/stores/0/dir").asText(), list.at("/stores/1/dir").asText()));
            assertEquals(recorded, list.at("/sessions/0/session_id").asText(), "newest first over both stores");
            assertEquals(userStore.toString(), list.at("/sessions/0/store").asText());
            list.get("sessions").forEach(s -> assertFalse(s.get("store").asText().isEmpty()));

            String twice = McpServerEndToEndTest.error(client, "get_session_summary", Map.of("session_id", "7f3e"));
            assertTrue(twice.contains("2 stores") && twice.contains(userStore.resolve("7f3e9a10-hooks-s").toString()), twice);
            JsonNode byPath = McpServerEndToEndTest.ok(client, "get_session",
                    Map.of("session_id", userStore.resolve("7f3e9a10-hooks-s").toString()));
            assertEquals(userStore.toString(), byPath.at("/session/store").asText());
            JsonNode echo = McpServerEndToEndTest.ok(client, "search_events", Map.of("query", "from home"));
            assertTrue(echo.get("count").asInt() >= 1, echo.toString());
            assertEquals(userStore.toString(), echo.at("/events/0/_store").asText());
        }
        assertTrue(!stderr.isEmpty() && stderr.get(0).contains("mcp serves the sessions in " + projectStore)
                && stderr.get(0).contains(userStore + " (the per-user store, read too)"), "the first stderr line names both stores: " + stderr);
    }
}
