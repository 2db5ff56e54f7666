package dev.agenttrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command as a user types it: exit code, stdout and stderr. */
class CliTest {
    static final Path FIXTURES = TestFixtures.agentStraceStore();

    @TempDir
    Path store;

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @BeforeEach
    void copyFixtures() throws IOException {
        assertTrue(Files.isDirectory(FIXTURES), "the agent-strace fixtures are at " + FIXTURES);
        try (Stream<Path> all = Files.walk(FIXTURES)) {
            for (Path p : all.toList()) {
                Path target = store.resolve(FIXTURES.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    @Test
    void recordHttpRefusesAnAllowHostThatIsNotAHostName() {
        for (String bad : List.of("http://mcp.lan", "mcp.lan:3100", "[fd00::2]:3100", "mcp.lan/mcp", " ")) {
            Result r = run("record-http", "http://127.0.0.1:9/mcp", "--port", "0", "--allow-host", bad, "--trace-dir", store.toString());
            assertEquals(2, r.code(), bad + ": " + r.err());
            assertTrue(r.err().contains("--allow-host '" + bad + "' is not a host name"), r.err());
        }
    }

    @Test
    void printsItsVersion() {
        Result r = run("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("agent-trace "), r.out());
    }

    @Test
    void listsSessionsNewestFirstByStartTimeNotById() {
        Result r = run("list", "--trace-dir", store.toString());
        assertEquals(0, r.code(), r.err());
        List<String> ids = r.out().lines().skip(1).map(l -> l.split("\\s+")[0]).toList();
        assertEquals(5, ids.size(), r.out());
        assertTrue(ids.indexOf("0000000000000002") < ids.indexOf("ffff000000000001"), "by started_at: " + ids);
        assertEquals("ffff000000000001", ids.get(4));
    }

    @Test
    void showsAHookSessionAsATimeline() {
        Result r = run("show", "7f3e", "--trace-dir", store.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("session  7f3e9a10-hooks-s"), r.out());
        assertTrue(r.out().contains("fix the failing auth test"), r.out());
        assertTrue(r.out().contains("Bash tool call failed"), r.out());
        assertTrue(r.out().contains("(637.2 ms)"), r.out());
        assertTrue(r.out().contains("/home/dev/proj/.env"), r.out());
    }

    @Test
    void showReportsATornLineAndStillShowsTheRest() {
        Result r = run("show", "torn", "--trace-dir", store.toString());
        assertEquals(0, r.code());
        assertTrue(r.err().contains("torn last line"), r.err());
        assertTrue(r.out().contains("Unknown tool"), r.out());
    }

    @Test
    void showJsonKeepsIdTypes() throws Exception {
        Result r = run("show", "31779b", "--json", "--trace-dir", store.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        JsonNode events = root.get("events");
        assertTrue(events.get(1).at("/data/request_id").isInt());
        assertTrue(events.get(2).at("/data/request_id").isTextual());
        assertEquals("h\u00e9llo w\u00f6rld", events.get(1).at("/data/arguments/text").asText());
    }

    @Test
    void anAmbiguousPrefixIsOneLineThatListsTheMatches() throws IOException {
        Files.createDirectories(store.resolve("0000000000000003"));
        Files.copy(store.resolve("0000000000000002/meta.json"), store.resolve("0000000000000003/meta.json"));
        Result r = run("show", "00000", "--trace-dir", store.toString());
        assertEquals(2, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("0000000000000002") && r.err().contains("0000000000000003"), r.err());
    }

    @Test
    void aMissingSessionSaysWhatExists() {
        Result r = run("show", "nope", "--trace-dir", store.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("agent-trace: "), r.err());
        assertTrue(r.err().contains("agent-trace list"), r.err());
    }

    @Test
    void anUnknownOptionIsOneLineWithTheFix() {
        Result r = run("list", "--bogus");
        assertEquals(2, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("--bogus") && r.err().contains("--help"), r.err());
    }

    @Test
    void recordKeepsItsHelpOffStdout() {
        Result r = run("record", "--help");
        assertEquals(0, r.code());
        assertEquals("", r.out(), "stdout belongs to the protocol during record");
        assertTrue(r.err().contains("--max-message-bytes"), r.err());
    }

    @Test
    void auditFindsTheEnvReadInTheHookSession() {
        Path policy = store.resolve("policy.json");
        try {
            Files.writeString(policy, "{\"files\":{\"read\":{\"deny\":[\".env\"]}}}");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Result r = run("audit", "7f3e", "--policy", policy.toString(), "--trace-dir", store.toString());
        assertEquals(3, r.code(), "violations found: " + r.out() + r.err());
        assertTrue(r.out().contains("root /home/dev/proj"), "judged against the directory it was recorded in: " + r.out());
        assertTrue(r.out().contains("files.read.deny \".env\""), r.out());
    }
}
