package dev.agenttrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.cli.CliTest.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** explain, stats, cost and diff as a user types them, over the agent-strace fixtures. */
class AnalysisCommandsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path store;

    @BeforeEach
    void copyFixtures() throws IOException {
        try (Stream<Path> all = Files.walk(CliTest.FIXTURES)) {
            for (Path p : all.toList()) {
                Path target = store.resolve(CliTest.FIXTURES.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private JsonNode json(String... args) throws IOException {
        String[] all = new String[args.length + 3];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--json";
        all[args.length + 1] = "--trace-dir";
        all[args.length + 2] = store.toString();
        Result r = CliTest.run(all);
        assertEquals(0, r.code(), r.err());
        return JSON.readTree(r.out());
    }

    @Test
    void explainTellsThePhasesRetriesErrorsAndFiles() throws IOException {
        Result r = CliTest.run("explain", "7f3e", "--trace-dir", store.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("1. fix the failing auth test"), r.out());
        assertTrue(r.out().contains("Bash retried 1 time after an error"), r.out());
        assertTrue(r.out().contains("wrote  /home/dev/proj/src/auth.py"), r.out());
        assertTrue(r.out().contains("retries 1"), "the header counts the same retries: " + r.out());
        JsonNode j = json("explain", "7f3e");
        assertEquals("7f3e9a10-hooks-s", j.get("session_id").asText());
        assertEquals(1, j.get("retry_count").asInt());
        assertEquals("tool call failed", j.at("/errors/0/message").asText());
    }

    @Test
    void statsGivesPerToolCountsErrorRatesAndLatencyPercentiles() throws IOException {
        JsonNode j = json("stats", "7f3e");
        assertEquals(5, j.get("tool_calls").asInt());
        assertEquals(0.2, j.get("error_rate").asDouble(), 1e-9);
        JsonNode bash = j.get("tools").get(0);
        assertEquals("Bash", bash.get("tool_name").asText());
        assertEquals(0.5, bash.get("error_rate").asDouble(), 1e-9);
        assertEquals(637.162, bash.get("p50_ms").asDouble(), 0.001);
        assertEquals(638.705, bash.get("p95_ms").asDouble(), 0.001);
        Result text = CliTest.run("stats", "7f3e", "--trace-dir", store.toString());
        assertTrue(text.out().contains("Bash"), text.out());
    }

    @Test
    void costIsEstimatedFromPayloadSizeAtTheSessionsModel() throws IOException {
        JsonNode j = json("cost", "7f3e");
        assertEquals("estimate", j.get("token_source").asText());
        assertEquals("sonnet", j.get("priced_as").asText());
        assertTrue(j.get("cost_usd").asDouble() > 0, j.toString());
        assertEquals(j.get("total_tokens").asLong(), j.get("input_tokens").asLong() + j.get("output_tokens").asLong());
        assertEquals(1, j.get("phases").size());
        Result text = CliTest.run("cost", "7f3e", "--trace-dir", store.toString());
        assertTrue(text.out().contains("estimated from payload size"), text.out());
        JsonNode opus = json("cost", "7f3e", "--model", "opus");
        assertEquals("opus", opus.get("priced_as").asText());
        assertEquals(j.get("cost_usd").asDouble() * 5, opus.get("cost_usd").asDouble(), 1e-5, "opus costs 5x sonnet");
        Result unknown = CliTest.run("cost", "7f3e", "--model", "gpt-9", "--trace-dir", store.toString());
        assertEquals(ExitCodes.USAGE, unknown.code());
        assertTrue(unknown.err().contains("unknown model 'gpt-9'") && unknown.err().contains("sonnet"), unknown.err());
    }

    @Test
    void diffComparesTwoSessionsAndFindsWhereTheyDiverge() throws IOException {
        JsonNode j = json("diff", "7f3e", "31779b");
        assertEquals("7f3e9a10-hooks-s", j.get("session_a").asText());
        assertEquals(0, j.at("/divergence/index").asInt());
        assertEquals(1, j.at("/tool_call_diff/echo/session_b").asInt());
        assertEquals(2, j.at("/tool_call_diff/Bash/session_a").asInt());
        assertTrue(j.get("files_only_in_a").size() >= 2);
        Result text = CliTest.run("diff", "31779b", "torn", "--trace-dir", store.toString());
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("same calls in the same order"), text.out());
    }

    @Test
    void aMissingOrAmbiguousSessionIsOneLineAndExitCode2() {
        Result r = CliTest.run("explain", "nope", "--trace-dir", store.toString());
        assertEquals(ExitCodes.USAGE, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("no session 'nope'"), r.err());
        Result d = CliTest.run("diff", "7f3e", "--trace-dir", store.toString());
        assertEquals(ExitCodes.USAGE, d.code(), "diff needs two sessions");
    }
}
