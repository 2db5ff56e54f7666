package dev.agenttrace.proxy.stdio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import dev.agenttrace.rules.Guard;
import dev.agenttrace.rules.LivePolicy;
import dev.agenttrace.rules.PolicyMode;
import dev.agenttrace.rules.scope.JudgeContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The proxy with real child processes (cat, sh) and in-memory client streams. */
@Timeout(30)
class StdioProxyTest {

    record Run(int exit, String clientSaw, String stderr) {
    }

    static Run run(ProxyOptions opts, String clientInput, String... command) {
        return run(opts, clientInput.getBytes(StandardCharsets.UTF_8), command);
    }

    static Run run(ProxyOptions opts, byte[] clientInput, String... command) {
        return run(opts, null, clientInput, command);
    }

    static Run run(ProxyOptions opts, Guard guard, byte[] clientInput, String... command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        StdioProxy proxy = new StdioProxy(List.of(command), opts, (pid, started) -> null, new PrintStream(err, true), guard);
        int code = proxy.run(new ByteArrayInputStream(clientInput), out);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static ProxyOptions fast() {
        return new ProxyOptions(ProxyOptions.DEFAULT_MAX_MESSAGE_BYTES, ProxyOptions.DEFAULT_MAX_HEADER_BYTES, 300, null, null);
    }

    @Test
    void forwardsEveryByteUnchangedBothWays() {
        String input = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}\n"
                + "{ \"id\" : \"s-2\", \"text\" : \"h\u00e9llo \\u00e9 \\ud83d\\ude00\", \"big\": 1e400, \"one\": 1.0, \"z\":1, \"a\":2 }\n"
                + "[{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}]\r\n"
                + "{\"broken\": \n";
        Run r = run(fast(), input, "cat");
        assertEquals(0, r.exit());
        assertEquals(input, r.clientSaw(), "cat echoes what it got: the server received, and the client got, the same bytes");
    }

    @Test
    void answersAContentLengthClientInContentLength() {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"t\":\"\u00e9\"}";
        int n = body.getBytes(StandardCharsets.UTF_8).length;
        String input = "Content-Length: " + n + "\r\n\r\n" + body + "Content-Length: " + n + "\r\n\r\n" + body;
        Run r = run(fast(), input, "cat");
        assertEquals(input, r.clientSaw());
    }

    @Test
    void reframesForAServerThatSpeaksTheOtherFraming() {
        // the client speaks newline; this server answers in Content-Length whatever it is sent
        String server = "while IFS= read -r line; do n=$(printf %s \"$line\" | wc -c); printf 'Content-Length: %d\\r\\n\\r\\n%s' \"$n\" \"$line\"; done";
        Run r = run(fast(), "{\"id\":1}\n{\"id\":2}\n", "sh", "-c", server);
        assertEquals("{\"id\":1}\n{\"id\":2}\n", r.clientSaw(), "the client is answered in its own framing");
    }

    @Test
    void exitsWithTheServersExitCode() {
        Run r = run(fast(), "{\"id\":1}\n", "sh", "-c", "cat >/dev/null; exit 7");
        assertEquals(7, r.exit());
    }

    @Test
    void drainsWhatTheServerWroteBeforeItExited() {
        Run r = run(fast(), "", "sh", "-c", "printf '{\"id\":1,\"result\":{}}\\n{\"id\":2,\"result\":{}}\\n'; exit 3");
        assertEquals(3, r.exit());
        assertEquals("{\"id\":1,\"result\":{}}\n{\"id\":2,\"result\":{}}\n", r.clientSaw());
    }

    @Test
    void killsAServerThatIgnoresStdinCloseAndSigterm(@TempDir Path tmp) throws Exception {
        Path pidFile = tmp.resolve("pid");
        long start = System.nanoTime();
        Run r = run(fast(), "{\"id\":1}\n", "sh", "-c",
                "trap '' TERM; echo $$ > '" + pidFile + "'; while :; do sleep 0.05; done");
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        assertEquals(137, r.exit(), "SIGKILL");
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "no process left");
        assertTrue(r.stderr().contains("SIGKILL"), r.stderr());
        assertTrue((System.nanoTime() - start) / 1e6 < 10_000);
    }

    @Test
    void keepsServerLogLinesOffTheClientsStdout() {
        Run r = run(fast(), "{\"id\":1}\n", "sh", "-c", "echo 'server starting on stdout'; cat");
        assertEquals("{\"id\":1}\n", r.clientSaw());
        assertTrue(r.stderr().contains("server starting on stdout"), r.stderr());
    }

    @Test
    void answersAnOversizedRequestWithAnErrorAndGoesOn() {
        ProxyOptions small = new ProxyOptions(1024, 1024, 300, null, null);
        String big = "{\"jsonrpc\":\"2.0\",\"id\":\"big-7\",\"method\":\"tools/call\",\"params\":{\"x\":\"" + "a".repeat(4000) + "\"}}\n";
        Run r = run(small, big + "{\"id\":8}\n", "cat");
        List<String> lines = r.clientSaw().lines().toList();
        assertEquals(2, lines.size(), r.clientSaw());
        assertTrue(lines.get(0).startsWith("{\"jsonrpc\":\"2.0\",\"id\":\"big-7\",\"error\":{\"code\":-32600"), lines.get(0));
        assertTrue(lines.get(0).contains("--max-message-bytes"));
        assertEquals("{\"id\":8}", lines.get(1));
    }

    @Test
    void rejectsABadContentLengthWithAParseErrorAndGoesOn() {
        Run r = run(fast(), "Content-Length: -5\r\n\r\n{\"id\":9}\n", "cat");
        List<String> lines = r.clientSaw().lines().toList();
        assertTrue(lines.get(0).contains("\"code\":-32700"), r.clientSaw());
        assertTrue(lines.get(0).contains("invalid Content-Length '-5'"), r.clientSaw());
        assertEquals("{\"id\":9}", lines.get(lines.size() - 1));
    }

    @Test
    void saysWhyWhenTheServerCannotStart() {
        Run r = run(fast(), "", "/nonexistent/mcp-server");
        assertEquals(127, r.exit());
        assertTrue(r.stderr().contains("cannot start the server '/nonexistent/mcp-server'"), r.stderr());
        assertEquals("", r.clientSaw());
    }

    @Test
    void aBlockedCallNeverReachesTheServer(@TempDir Path tmp) throws Exception {
        Path policy = tmp.resolve(".agent-scope.json");
        Files.writeString(policy, "{\"commands\":{\"deny\":[\"rm -rf\"]}}");
        Guard guard = new Guard(LivePolicy.load(policy, new JudgeContext(tmp, tmp), System.err, 0), PolicyMode.ENFORCE);
        String blocked = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"Bash\",\"arguments\":{\"command\":\"sudo rm -fr /\"}}}\n";
        String allowed = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"Bash\",\"arguments\":{\"command\":\"ls\"}}}\n";
        Path seen = tmp.resolve("server-saw");
        // the server records what it receives and echoes it
        Run r = run(fast(), guard, (blocked + allowed).getBytes(StandardCharsets.UTF_8), "sh", "-c", "tee '" + seen + "'");
        assertEquals(allowed, Files.readString(seen), "only the allowed call reached the server");
        List<String> lines = r.clientSaw().lines().toList();
        assertEquals(2, lines.size(), r.clientSaw());
        assertTrue(lines.get(0).startsWith("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{"), lines.get(0));
        assertTrue(lines.get(0).contains("\"isError\":true") && lines.get(0).contains("NOT executed"), lines.get(0));
        assertEquals(allowed.trim(), lines.get(1));
    }

    @Test
    void cutsLargeContentLengthBodiesThroughByteForByte() {
        String big = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"x\":\"" + "\u00e9".repeat(400_000) + "\"}}";
        int n = big.getBytes(StandardCharsets.UTF_8).length;
        String input = "Content-Length: " + n + "\r\n\r\n" + big + "Content-Length: 8\r\n\r\n{\"id\":2}";
        Run r = run(fast(), input, "cat");
        assertEquals(0, r.exit());
        assertEquals(input, r.clientSaw(), "both directions, the large body cut through, every byte the same");
    }
}
