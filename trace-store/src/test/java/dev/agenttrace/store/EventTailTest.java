package dev.agenttrace.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventTailTest {
    @TempDir
    Path tmp;

    private static final String E1 = "{\"event_type\":\"tool_call\",\"timestamp\":1.0,\"data\":{\"n\":1}}";
    private static final String E2 = "{\"event_type\":\"tool_result\",\"timestamp\":2.0,\"data\":{\"n\":2}}";

    @Test
    void aLineStillBeingWrittenWaitsForItsNewline() throws IOException {
        Path file = Files.createDirectories(tmp.resolve("store/s")).resolve("events.ndjson");
        EventTail tail = TraceStore.at(tmp.resolve("store")).tail("s");
        List<TraceEvent> seen = new ArrayList<>();
        assertEquals(List.of(), tail.poll(seen::add), "a file not created yet is not an error");
        Files.writeString(file, E1 + "\n" + E2.substring(0, 20));
        assertEquals(List.of(), tail.poll(seen::add));
        assertEquals(1, seen.size());
        Files.writeString(file, E2.substring(20) + "\n", StandardOpenOption.APPEND);
        assertEquals(List.of(), tail.poll(seen::add));
        assertEquals(2, seen.size());
        assertEquals(2, seen.get(1).data().get("n").asInt());
        assertEquals(Files.size(file), tail.offset());
    }

    @Test
    void reportsBadLinesWithTheirNumbersAcrossPolls() throws IOException {
        Path file = Files.createDirectories(tmp.resolve("store/s")).resolve("events.ndjson");
        EventTail tail = TraceStore.at(tmp.resolve("store")).tail("s");
        Files.writeString(file, E1 + "\n" + E1 + "\n");
        tail.poll(e -> { });
        Files.writeString(file, "oops\n" + E2 + "\n", StandardOpenOption.APPEND);
        List<TraceEvent> seen = new ArrayList<>();
        List<String> w = tail.poll(seen::add);
        assertEquals(1, seen.size());
        assertEquals(1, w.size());
        assertTrue(w.get(0).contains("events.ndjson:3:"), w.get(0));
    }

    @Test
    void aFileThatShrankIsReadAgain() throws IOException {
        Path file = Files.createDirectories(tmp.resolve("store/s")).resolve("events.ndjson");
        EventTail tail = TraceStore.at(tmp.resolve("store")).tail("s");
        Files.writeString(file, E1 + "\n" + E2 + "\n");
        tail.poll(e -> { });
        Files.writeString(file, E2 + "\n");
        List<TraceEvent> seen = new ArrayList<>();
        List<String> w = tail.poll(seen::add);
        assertEquals(1, seen.size());
        assertTrue(w.get(0).contains("shrank"), w.toString());
    }
}
