package dev.agenttrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.cli.CliTest.Result;
import org.junit.jupiter.api.Test;

/** {@code agent-trace health} over the agent-strace fixture store, as a user types it. */
class HealthCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode run(JsonNode report, String id) {
        for (JsonNode r : report.path("runs")) {
            if (r.path("session_id").asText().equals(id)) {
                return r;
            }
        }
        throw new AssertionError("no run " + id + " in " + report);
    }

    @Test
    void theFixtureRunsHealth() throws Exception {
        Result r = CliTest.run("health", "--json", "--trace-dir", CliTest.FIXTURES.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode report = JSON.readTree(r.out());
        JsonNode hooks = run(report, "7f3e9a10-hooks-s");
        assertEquals(5, hooks.path("tool_calls").asInt());
        assertEquals(1, hooks.path("tool_errors").asInt());
        assertEquals(1, hooks.at("/errors_by_kind/OTHER").asInt(), "agent-strace's 'tool call failed' says no more");
        assertEquals("closed", hooks.path("breaker_state").asText());
        assertTrue(hooks.path("cache_read_share").isNull(), "no token counts in this trace");
        JsonNode proxy = run(report, "31779b9b93994e44");
        assertEquals(1, proxy.at("/errors_by_kind/UNKNOWN_TOOL").asInt());
        assertTrue(report.at("/totals/error_rate_by_kind/UNKNOWN_TOOL").asDouble() > 0);
        Result one = CliTest.run("health", "--last", "1", "--agent", "claude", "--trace-dir", CliTest.FIXTURES.toString());
        assertEquals(0, one.code(), one.err());
        assertTrue(one.out().contains("7f3e9a10-hooks-s") && one.out().contains("BREAKER"), one.out());
        Result bad = CliTest.run("health", "--last", "0", "--trace-dir", CliTest.FIXTURES.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--last 0 must be at least 1"), bad.err());
    }
}
