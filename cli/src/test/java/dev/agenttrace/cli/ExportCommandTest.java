package dev.agenttrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.cli.CliTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agent-trace export} over the agent-strace fixture store, as a user types it. */
class ExportCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> ndjson(String out) throws Exception {
        List<JsonNode> spans = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                spans.add(JSON.readTree(line));
            }
        }
        return spans;
    }

    @Test
    void exportingTwiceGivesTheSameIds() throws Exception {
        String dir = CliTest.FIXTURES.toString();
        Result a = CliTest.run("export", "--all", "--format", "ndjson", "--trace-dir", dir);
        Result b = CliTest.run("export", "--all", "--format", "ndjson", "--trace-dir", dir);
        assertEquals(0, a.code(), a.err());
        assertEquals(a.out(), b.out(), "deterministic: the same spans, ids and order");
        List<JsonNode> spans = ndjson(a.out());
        assertEquals(spans.size(), spans.stream().map(s -> s.get("span_id").asText()).distinct().count(), "span ids are unique");
    }

    @Test
    void hookSessionsGiveExecuteToolSpansAndProxySessionsToolsCall() throws Exception {
        Result r = CliTest.run("export", "7f3e9a10-hooks-s", "31779b9b93994e44", "--format", "ndjson", "--trace-dir", CliTest.FIXTURES.toString());
        assertEquals(0, r.code(), r.err());
        List<JsonNode> spans = ndjson(r.out());
        List<JsonNode> hook = spans.stream().filter(s -> s.at("/attributes/agent_trace.session.id").asText().equals("7f3e9a10-hooks-s")
                || s.path("name").asText().startsWith("execute_tool")).toList();
        JsonNode bash = spans.stream().filter(s -> s.path("name").asText().equals("execute_tool Bash")
                && "ERROR".equals(s.path("status").asText())).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        assertEquals("INTERNAL", bash.path("kind").asText());
        assertEquals("execute_tool", bash.at("/attributes/gen_ai.operation.name").asText());
        assertTrue(hook.size() >= 6, "five tool calls and the session: " + hook);
        JsonNode unknown = spans.stream().filter(s -> s.path("name").asText().equals("tools/call nope")).findFirst().orElseThrow();
        assertEquals("CLIENT", unknown.path("kind").asText());
        assertEquals("-32602", unknown.at("/attributes/error.type").asText(), "an error linked by its request id");
        assertEquals("UNKNOWN_TOOL", unknown.at("/attributes/agent_trace.error.kind").asText());
        assertEquals("req-4", unknown.at("/attributes/jsonrpc.request.id").asText());
        JsonNode session = spans.stream().filter(s -> !s.has("parent_span_id")
                && s.at("/attributes/agent_trace.session.id").asText().equals("31779b9b93994e44")).findFirst().orElseThrow();
        assertEquals(session.path("span_id").asText(), unknown.path("parent_span_id").asText());
        assertEquals(session.path("trace_id").asText(), unknown.path("trace_id").asText());
    }

    @Test
    void csvAndJsonFilesAndClearErrors(@TempDir Path tmp) throws Exception {
        Path csv = tmp.resolve("spans.csv");
        Result r = CliTest.run("export", "--all", "--since", "2026-01-01", "--format", "csv", "-o", csv.toString(),
                "--trace-dir", CliTest.FIXTURES.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(csv);
        assertTrue(lines.get(0).startsWith("trace_id,span_id,parent_span_id,name,kind"));
        assertTrue(lines.size() > 10);
        Result none = CliTest.run("export", "--all", "--since", "2099-01-01", "--format", "json", "--trace-dir", CliTest.FIXTURES.toString());
        assertEquals(0, JSON.readTree(none.out()).path("spans").size());
        assertEquals("1.39.0", JSON.readTree(none.out()).path("semconv_version").asText());
        Result bad = CliTest.run("export", "--all", "--format", "xml", "--trace-dir", CliTest.FIXTURES.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--format xml is not one of json, ndjson, csv, otlp"), bad.err());
        Result nothing = CliTest.run("export", "--trace-dir", CliTest.FIXTURES.toString());
        assertEquals(2, nothing.code());
        assertTrue(nothing.err().contains("--all"), nothing.err());
    }
}
