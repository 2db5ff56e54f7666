package dev.agenttrace.rules.suggest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes agent-strace shaped sessions (meta.json + events.ndjson) with known tool calls. */
final class RecordedSessions {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path store;
    private int sessions;

    RecordedSessions(Path store) {
        this.store = store;
    }

    /** A session recorded in {@code workingDir}; each call is {tool, arguments JSON}. */
    String session(String agent, Path workingDir, String[]... calls) {
        String id = String.format("%016x", 0xabc000L + ++sessions);
        try {
            Path dir = Files.createDirectories(store.resolve(id));
            ObjectNode meta = JSON.createObjectNode();
            meta.put("session_id", id);
            meta.put("started_at", 1_800_000_000.0 + sessions * 100);
            meta.put("agent_name", agent);
            meta.putObject("attribution").put("working_dir", workingDir.toString());
            Files.writeString(dir.resolve("meta.json"), meta.toPrettyString());
            List<String> lines = new ArrayList<>();
            int n = 0;
            for (String[] call : calls) {
                ObjectNode e = JSON.createObjectNode();
                e.put("event_type", "tool_call");
                e.put("timestamp", 1_800_000_000.0 + sessions * 100 + n);
                e.put("event_id", String.format("%012x", sessions * 1000L + n++));
                e.put("session_id", id);
                ObjectNode data = e.putObject("data");
                data.put("tool_name", call[0]);
                data.set("arguments", JSON.readTree(call[1]));
                lines.add(JSON.writeValueAsString(e));
            }
            Files.writeString(dir.resolve("events.ndjson"), String.join("\n", lines) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return id;
    }

    static String[] bash(String command) {
        ObjectNode a = JSON.createObjectNode().put("command", command);
        return new String[] {"Bash", a.toString()};
    }

    static String[] call(String tool, String key, String value) {
        return new String[] {tool, JSON.createObjectNode().put(key, value).toString()};
    }
}
