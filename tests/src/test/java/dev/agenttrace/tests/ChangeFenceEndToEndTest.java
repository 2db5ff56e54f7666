package dev.agenttrace.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.tests.peers.ShellServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, "Time", end to end: {@code agent-trace record --policy} in front of a server that
 * really runs shell commands. A command the policy allows ({@code make}) links the home directory
 * into {@code src/}; a read of {@code src/h/.ssh/id_rsa} pipelined right behind it (same write, before
 * the link exists) must be judged through the link, and refused.
 */
@Timeout(120)
class ChangeFenceEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aReadPipelinedBehindACommandThatMakesALinkIsJudgedThroughTheLink() throws Exception {
        Path base = dir.toRealPath();
        Path root = Files.createDirectories(base.resolve("proj"));
        Path home = Files.createDirectories(base.resolve("home"));
        Files.createDirectories(root.resolve("src"));
        Files.writeString(root.resolve("src/notes.txt"), "just notes\n");
        Files.writeString(root.resolve("Makefile"), "link:\n\tln -s \"$$HOME\" src/h\n");
        Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(home.resolve(".ssh/id_rsa"), "-----BEGIN PRIVATE KEY-----\n");
        Path policy = base.resolve("policy.json");
        Files.writeString(policy, "{\"files\":{\"read\":{\"deny\":[\".env\",\"~/.ssh/**\"]},\"write\":{\"allow\":[\"src/**\"]}},"
                + "\"commands\":{\"deny\":[\"curl\",\"wget\"]}}");
        Path log = base.resolve("server.log");
        Path stderr = base.resolve("proxy.stderr");
        List<String> cmd = Peers.proxy(base.resolve("traces"), List.of("--policy", policy.toString(), "--root", root.toString()),
                Peers.javaMain(ShellServer.class, "--log", log.toString()));
        cmd.add(1, "-Duser.home=" + home);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectError(stderr.toFile());
        pb.environment().put("HOME", home.toString());
        Process proxy = pb.start();
        try {
            OutputStream in = proxy.getOutputStream();
            BufferedReader out = new BufferedReader(new InputStreamReader(proxy.getInputStream(), StandardCharsets.UTF_8));
            // both calls in one write: the read reaches the proxy before the link exists
            in.write((call(1, "Bash", "command", "make link") + "\n" + call(2, "read_file", "path", "src/h/.ssh/id_rsa") + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            in.flush();
            Map<Integer, JsonNode> replies = new HashMap<>();
            while (replies.size() < 2) {
                String line = out.readLine();
                assertNotNull(line, "the proxy closed its stdout; stderr: " + Files.readString(stderr));
                JsonNode r = JSON.readTree(line);
                replies.put(r.get("id").asInt(), r);
            }
            assertFalse(replies.get(1).at("/result/isError").asBoolean(), replies.get(1).toString());
            assertTrue(Files.isSymbolicLink(root.resolve("src/h")), "the server ran the command and made the link");
            String text = replies.get(2).at("/result/content/0/text").asText();
            assertTrue(replies.get(2).at("/result/isError").asBoolean(), replies.get(2).toString());
            assertTrue(text.contains("NOT executed") && text.contains(".ssh"), text);
            assertFalse(replies.get(2).toString().contains("PRIVATE KEY"));

            // once the command has been answered, reads go through as before
            in.write((call(3, "read_file", "path", "src/notes.txt") + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            JsonNode third = JSON.readTree(out.readLine());
            assertEquals(3, third.get("id").asInt());
            assertEquals("just notes\n", third.at("/result/content/0/text").asText(), third.toString());
            in.close();
            assertTrue(proxy.waitFor(30, TimeUnit.SECONDS));
        } finally {
            proxy.destroyForcibly();
        }
        List<String> received = Files.readAllLines(log);
        assertEquals(2, received.size(), "the command and the harmless read reached the server, the key read never: " + received);
        assertTrue(received.get(0).contains("make link") && received.get(1).contains("notes.txt"), received.toString());
    }

    private static String call(int id, String tool, String key, String value) throws Exception {
        return JSON.writeValueAsString(JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", "tools/call")
                .set("params", JSON.createObjectNode().put("name", tool).set("arguments", JSON.createObjectNode().put(key, value))));
    }
}
