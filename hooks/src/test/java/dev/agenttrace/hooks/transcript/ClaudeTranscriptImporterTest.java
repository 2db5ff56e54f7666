package dev.agenttrace.hooks.transcript;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.StoreOptions;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceStore;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agent-trace import} of Claude Code transcripts: the shape the hooks record, pairing, subagents, idempotence, hostile input. */
class ClaudeTranscriptImporterTest {
    @TempDir
    Path tmp;

    static Path fixture() throws URISyntaxException {
        return Path.of(ClaudeTranscriptImporterTest.class.getResource("/fixtures/claude-code/transcript-fix-checkout.jsonl").toURI());
    }

    private ClaudeTranscriptImporter importer(TraceStore store) {
        return new ClaudeTranscriptImporter(store, StoreOptions.fromEnvironment(java.util.Map.of()).withRedact(true));
    }

    private static TraceEvent only(List<TraceEvent> events, String type, String toolUseId) {
        List<TraceEvent> found = events.stream().filter(e -> e.eventType().equals(type)
                && toolUseId.equals(e.data().path("tool_use_id").asText())).toList();
        assertEquals(1, found.size(), type + " " + toolUseId + " in " + events);
        return found.get(0);
    }

    @Test
    void importsTheSessionInTheHookShapeWithResultsPairedByToolUseIdAndTheSubagentAsAChild() throws Exception {
        TraceStore store = TraceStore.at(tmp.resolve("traces"));
        ClaudeTranscriptImporter.Result r = importer(store).importFile(fixture());
        assertEquals("imported", r.status());
        assertEquals(List.of(), r.warnings());
        assertEquals(ClaudeTranscriptImporter.sessionIdFor("3b1c7a52-9d0e-4f6a-8b21-5c4e2f1a9d77"), r.sessionId());
        List<TraceEvent> events = store.readEvents(r.sessionId()).events();

        TraceEvent start = events.get(0);
        assertEquals("session_start", start.eventType());
        assertEquals("claude-code-transcript", start.data().path("mode").asText());
        assertEquals("claude-sonnet-4-5-20250929", start.data().path("model").asText());
        assertEquals("session_end", events.get(events.size() - 1).eventType());
        assertEquals(List.of("the checkout test fails since yesterday, fix it"), events.stream()
                .filter(e -> e.eventType().equals("user_prompt")).map(e -> e.data().path("prompt").asText()).toList(),
                "one prompt; the isMeta line is not one");
        assertEquals(List.of("Read", "Read", "Bash", "Task", "Edit", "Bash"), events.stream().filter(e -> e.eventType().equals("tool_call"))
                .map(e -> e.data().path("tool_name").asText()).toList());

        // the parallel Reads finished in reverse order: each result still goes to its own call
        TraceEvent read1 = only(events, "tool_call", "toolu_01Read1");
        TraceEvent read2 = only(events, "tool_call", "toolu_01Read2");
        assertTrue(read1.data().path("arguments").path("file_path").asText().endsWith("tests/test_checkout.py"));
        TraceEvent result1 = only(events, "tool_result", "toolu_01Read1");
        TraceEvent result2 = only(events, "tool_result", "toolu_01Read2");
        assertEquals(read1.eventId(), result1.parentId());
        assertEquals(read2.eventId(), result2.parentId());
        assertTrue(result1.data().path("result").asText().contains("def test_total"), result1.data().toString());
        assertTrue(result2.data().path("result").asText().contains("def total(items)"), result2.data().toString());
        assertEquals("Read", result2.data().path("tool_name").asText());
        assertTrue(result2.durationMs() > 0);

        TraceEvent failed = only(events, "error", "toolu_02Bash");
        assertEquals(only(events, "tool_call", "toolu_02Bash").eventId(), failed.parentId());
        assertTrue(failed.data().path("error").asText().startsWith("Exit code 1"), failed.data().toString());

        SessionMeta meta = store.meta(r.sessionId());
        assertEquals(6, meta.toolCalls);
        assertEquals(1, meta.errors);
        assertEquals(6, meta.llmRequests, "one per model answer, though Claude Code wrote each block on its own line");
        assertEquals(9190, meta.totalTokens, "input + output of the six answers");
        assertEquals(3000, meta.attribution.path("tokens").path("cache_creation_input").asLong(), meta.attribution.toString());
        assertEquals(4200 + 5100 + 5300 + 5400 + 5500, meta.attribution.path("tokens").path("cache_read_input").asLong());
        assertEquals("Fix the failing checkout test", meta.attribution.path("title").asText());
        assertEquals("/home/dev/shop", meta.attribution.path("working_dir").asText());

        // the sidechain is a child session of the Task call that started it
        assertEquals(1, r.children().size());
        SessionMeta child = store.meta(r.children().get(0));
        assertEquals(r.sessionId(), child.parentSessionId);
        assertEquals(1, child.depth);
        assertEquals(only(events, "tool_call", "toolu_03Task").eventId(), child.parentEventId);
        List<TraceEvent> childEvents = store.readEvents(child.sessionId).events();
        assertEquals("Grep", only(childEvents, "tool_call", "toolu_s1Grep").data().path("tool_name").asText());
        assertEquals("claude-haiku-4-5", child.attribution.path("model").asText());
        assertTrue(events.stream().noneMatch(e -> "toolu_s1Grep".equals(e.data().path("tool_use_id").asText())),
                "the subagent's calls are not the parent's");

        // secrets in results are redacted like every other write
        try (Stream<Path> files = Files.walk(store.dir())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertFalse(Files.readString(f, StandardCharsets.ISO_8859_1).contains("ghp_R4nd0m"), f + " holds the token");
            }
        }
    }

    @Test
    void importingTwiceChangesNothingAndATranscriptThatGrewIsUpdatedInPlace() throws Exception {
        TraceStore store = TraceStore.at(tmp.resolve("traces"));
        Path transcript = tmp.resolve("3b1c7a52-9d0e-4f6a-8b21-5c4e2f1a9d77.jsonl");
        Files.copy(fixture(), transcript);
        ClaudeTranscriptImporter.Result first = importer(store).importFile(transcript);
        byte[] before = Files.readAllBytes(store.sessionDir(first.sessionId()).resolve("events.ndjson"));

        ClaudeTranscriptImporter.Result again = importer(store).importFile(transcript);
        assertEquals("unchanged", again.status());
        assertEquals(first.sessionId(), again.sessionId());
        assertEquals(2, store.listSessions().size(), "the session and its subagent, once each");
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(store.sessionDir(first.sessionId()).resolve("events.ndjson"))));

        Files.writeString(transcript, "{\"type\":\"user\",\"sessionId\":\"3b1c7a52-9d0e-4f6a-8b21-5c4e2f1a9d77\",\"uuid\":\"grown-1\","
                + "\"timestamp\":\"2026-11-20T10:05:00.000Z\",\"isSidechain\":false,\"message\":{\"role\":\"user\",\"content\":\"now commit it\"}}\n"
                + "{\"type\":\"assistant\",\"sessionId\":\"3b1c7a52-9d0e-4f6a-8b21-5c4e2f1a9d77\",\"uuid\":\"grown-2\",\"timestamp\":\"2026-11-20T10:05:02.000Z\","
                + "\"isSidechain\":false,\"message\":{\"id\":\"msg_07\",\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[{\"type\":\"tool_use\","
                + "\"id\":\"toolu_07Bash\",\"name\":\"Bash\",\"input\":{\"command\":\"git commit -am fix\"}}],\"usage\":{\"input_tokens\":10,\"output_tokens\":5}}}\n",
                java.nio.file.StandardOpenOption.APPEND);
        ClaudeTranscriptImporter.Result grown = importer(store).importFile(transcript);
        assertEquals("updated", grown.status());
        assertEquals(first.sessionId(), grown.sessionId());
        assertEquals(first.children(), grown.children());
        assertEquals(2, store.listSessions().size());
        List<TraceEvent> events = store.readEvents(grown.sessionId()).events();
        assertEquals(7, store.meta(grown.sessionId()).toolCalls);
        assertEquals(1, events.stream().filter(e -> e.eventType().equals("user_prompt") && e.data().path("prompt").asText().equals("now commit it")).count());
        assertEquals(1, events.stream().filter(e -> "toolu_01Read1".equals(e.data().path("tool_use_id").asText())
                && e.eventType().equals("tool_call")).count(), "no call twice");
        // the events that were there keep their ids
        assertEquals(only(store.readEvents(first.sessionId()).events(), "tool_call", "toolu_01Read1").eventId(),
                new String(before, StandardCharsets.UTF_8).lines().filter(l -> l.contains("toolu_01Read1") && l.contains("tool_call"))
                        .findFirst().map(l -> l.replaceAll(".*\"event_id\":\"([0-9a-f]+)\".*", "$1")).orElseThrow());
    }

    @Test
    void hostileLinesAreReportedWithFileAndLineAndSkippedNeverACrash() throws Exception {
        TraceStore store = TraceStore.at(tmp.resolve("traces"));
        Path transcript = tmp.resolve("hostile.jsonl");
        String ok = "{\"type\":\"user\",\"sessionId\":\"hostile-session-0001\",\"uuid\":\"u1\",\"timestamp\":\"2026-11-20T10:00:00Z\","
                + "\"message\":{\"role\":\"user\",\"content\":\"hello\"}}";
        StringBuilder huge = new StringBuilder("{\"type\":\"user\",\"message\":{\"content\":\"");
        huge.append("x".repeat(TranscriptLines.MAX_LINE_BYTES + 10)).append("\"}}");
        String text = ok + "\n"
                + "{not json at all\n"                                                   // line 2
                + "[1,2,3]\n"                                                            // line 3
                + huge + "\n"                                                            // line 4
                + "{\"type\":\"assistant\",\"message\":{\"content\":42,\"usage\":\"lots\"}}\n"   // odd types: nothing to record
                + "{\"type\":\"assistant\",\"timestamp\":\"yesterday\",\"message\":{\"content\":[{\"type\":\"tool_use\",\"name\":\"Bash\"},"
                + "{\"type\":\"tool_use\",\"id\":7,\"name\":null,\"input\":\"rm\"}]}}\n"
                + "{\"type\":\"user\",\"message\":{\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_never_called\",\"content\":{\"a\":1}}]}}\n"
                + "{\"type\":\"user\",\"message\":{\"content\":\"torn";                   // line 8, no newline
        Files.writeString(transcript, text);
        ClaudeTranscriptImporter.Result r = importer(store).importFile(transcript);
        String w = String.join("\n", r.warnings());
        assertTrue(w.contains(transcript + ":2: not JSON"), w);
        assertTrue(w.contains(transcript + ":3: not a JSON object"), w);
        assertTrue(w.contains(transcript + ":4: a line of "), w);
        assertTrue(w.contains(transcript + ":8: not JSON"), w);
        assertEquals(4, r.warnings().size(), w);
        List<TraceEvent> events = store.readEvents(r.sessionId()).events();
        assertEquals("hello", events.stream().filter(e -> e.eventType().equals("user_prompt")).findFirst().orElseThrow().data().path("prompt").asText());
        TraceEvent orphan = events.stream().filter(e -> e.eventType().equals("tool_result")).findFirst().orElseThrow();
        assertNotNull(orphan.parentId(), "a result whose call is missing gets its call recorded first");
        assertEquals(ClaudeTranscriptImporter.sessionIdFor("hostile-session-0001"), r.sessionId());
        assertTrue(Files.size(store.sessionDir(r.sessionId()).resolve("events.ndjson")) < 100_000, "the huge line was not stored");
    }
}
