package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new user does: unpack the distribution archive, install it into a prefix, use
 * {@code agent-trace} from PATH in a project of their own, then uninstall.
 */
class InstallEndToEndTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    private Map<String, String> env(Path prefix) {
        return Map.of("HOME", tmp.resolve("home").toString(), "JAVA_HOME", System.getProperty("java.home"),
                "PATH", prefix.resolve("bin") + ":/usr/local/bin:/usr/bin:/bin", "AGENT_TRACE_DIR", "");
    }

    private Run run(Path dir, Map<String, String> env, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().putAll(env);
        pb.environment().remove("AGENT_TRACE_DIR");
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), String.join(" ", cmd) + " did not finish");
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static Path archive(String ext) throws IOException {
        try (Stream<Path> s = Files.list(Peers.ROOT.resolve("cli/target"))) {
            return s.filter(p -> p.getFileName().toString().matches("agent-trace-.*\\." + ext.replace(".", "\\.")))
                    .findFirst().orElseThrow(() -> new AssertionError("no agent-trace-*." + ext + " in cli/target (mvn package makes it)"));
        }
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void theArchiveInstallsRecordsFromAnotherDirectoryAndUninstallsWithoutATrace() throws Exception {
        Files.createDirectories(tmp.resolve("home"));
        Path unpacked = Files.createDirectories(tmp.resolve("unpacked"));
        Path prefix = Files.createDirectories(tmp.resolve("prefix"));
        Map<String, String> env = env(prefix);
        assertEquals(0, run(unpacked, env, "tar", "xzf", archive("tar.gz").toString()).code());
        Path dist;
        try (Stream<Path> s = Files.list(unpacked)) {
            dist = s.findFirst().orElseThrow();
        }
        for (String f : List.of("agent-trace.jar", "bin/agent-trace", "bin/agent-trace.cmd", "bin/install", "README.md", "LICENSE")) {
            assertTrue(Files.isRegularFile(dist.resolve(f)), "the archive holds " + f);
        }

        Run install = run(tmp, env, dist.resolve("bin/install").toString(), prefix.toString());
        assertEquals(0, install.code(), install.err());
        assertTrue(install.out().contains("installed agent-trace "), install.out());
        Path command = prefix.resolve("bin/agent-trace");
        assertTrue(Files.isExecutable(command));
        assertTrue(Files.isRegularFile(prefix.resolve("lib/agent-trace/cds/java")), "the start-up archive was made for this java: "
                + files(prefix.resolve("lib/agent-trace/cds")) + "\n" + install.err());

        Run version = run(tmp, env, "sh", "-c", "agent-trace --version");
        assertEquals(0, version.code(), version.err());
        assertTrue(version.out().matches("(?s)agent-trace \\S+ \\(commit [0-9a-f]{12}(\\+dirty)?, built .*, Java .*\\)\\s*"), version.out());

        // a project of the user's, with the server started in a subdirectory of it, as an IDE may
        Path project = Files.createDirectories(tmp.resolve("work/project"));
        Files.createDirectory(project.resolve(".git"));
        Path sub = Files.createDirectories(project.resolve("src"));
        ServerParameters params = ServerParameters.builder("sh")
                .args("-c", "cd \"$0\" && exec agent-trace record --name installed -- node \"$1\" stdio",
                        sub.toString(), Peers.serverEverything().toString())
                .env(env)
                .build();
        try (McpSyncClient client = McpClient.sync(new StdioClientTransport(params, new JacksonMcpJsonMapper(new ObjectMapper())))
                .requestTimeout(Duration.ofSeconds(60)).build()) {
            client.initialize();
            CallToolResult r = client.callTool(CallToolRequest.builder().name("echo").arguments(Map.of("message", "installed")).build());
            assertTrue(((TextContent) r.content().get(0)).text().contains("installed"));
        }
        Path store = project.resolve(".agent-traces");
        Path session = Peers.onlySession(store);
        assertTrue(Peers.gone(Peers.meta(session).at("/attribution/proxy_pid").asLong(), 30_000), "the proxy ended with the client");
        assertTrue(Files.readString(session.resolve("events.ndjson")).contains("\"echo\""));
        assertTrue(Files.readAllLines(store.resolve(".gitignore"), StandardCharsets.UTF_8).contains("*"),
                "the new store keeps itself out of git");
        assertFalse(Files.exists(sub.resolve(".agent-traces")), "not in the server's own directory");

        // a profiler asked for through AGENT_TRACE_JAVA_OPTS keeps its notices off the protocol stream
        Map<String, String> profiled = new java.util.HashMap<>(env);
        profiled.put("AGENT_TRACE_JAVA_OPTS", "-XX:StartFlightRecording=filename=" + tmp.resolve("record.jfr"));
        String ping = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
        Run echoed = run(project, profiled, "sh", "-c", "printf '%s\\n' '" + ping + "' | agent-trace record --name profiled -- cat");
        assertEquals(0, echoed.code(), echoed.err());
        assertEquals(ping + "\n", echoed.out(), "stdout holds protocol bytes only; stderr: " + echoed.err());

        Run uninstall = run(tmp, env, prefix.resolve("lib/agent-trace/bin/install").toString(), "--uninstall", prefix.toString());
        assertEquals(0, uninstall.code(), uninstall.err());
        assertEquals(List.of(), files(prefix), "uninstall leaves nothing behind");
    }

    @Test
    void theZipHoldsTheSameFilesAsTheTarball() throws Exception {
        Path unpacked = Files.createDirectories(tmp.resolve("t"));
        assertEquals(0, run(unpacked, Map.of(), "tar", "xzf", archive("tar.gz").toString()).code());
        List<String> fromTar = new ArrayList<>();
        for (String f : files(unpacked)) {
            if (Files.isRegularFile(unpacked.resolve(f))) {
                fromTar.add(f);
            }
        }
        TreeSet<String> fromZip = new TreeSet<>();
        try (ZipFile z = new ZipFile(archive("zip").toFile())) {
            z.stream().filter(e -> !e.isDirectory()).forEach(e -> fromZip.add(e.getName()));
        }
        assertEquals(new TreeSet<>(fromTar), fromZip);
    }

    @Test
    void aCheckoutInstallsTooAndAReinstallReplacesTheFirst() throws Exception {
        Files.createDirectories(tmp.resolve("home"));
        Path prefix = tmp.resolve("p2");
        Map<String, String> env = env(prefix);
        Run first = run(tmp, env, Peers.ROOT.resolve("bin/install").toString(), prefix.toString());
        assertEquals(0, first.code(), first.err());
        Run again = run(tmp, env, Peers.ROOT.resolve("bin/install").toString(), prefix.toString());
        assertEquals(0, again.code(), again.err());
        assertEquals(0, run(tmp, env, "sh", "-c", "agent-trace --version").code());
        Run gone = run(tmp, env, Peers.ROOT.resolve("bin/install").toString(), "--uninstall", prefix.toString());
        assertEquals(0, gone.code(), gone.err());
        assertEquals(List.of(), files(prefix));
        Run none = run(tmp, env, Peers.ROOT.resolve("bin/install").toString(), "--uninstall", prefix.toString());
        assertEquals(1, none.code(), "nothing to uninstall is an error that says so");
        assertTrue(none.err().contains("no agent-trace installed"), none.err());
    }
}
