package dev.agenttrace.hooks.transcript;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.TraceJson;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads a JSONL transcript one object a line, whatever is in it: a line that is not a JSON object
 * is reported as {@code file:line: problem} and skipped, a line longer than {@link #MAX_LINE_BYTES}
 * is skipped without being held in memory, and a torn last line (the agent is still writing) is
 * reported like any other bad line.
 */
final class TranscriptLines {
    /** 8 MiB: a transcript line holds one message; a whole pasted file or image stays under this. */
    static final int MAX_LINE_BYTES = 8 << 20;

    /** One parsed line. */
    record Line(Path file, long number, ObjectNode json) {
    }

    private TranscriptLines() {
    }

    /**
     * @param warnings gets {@code file:line: problem} for each line skipped
     * @throws IOException the file cannot be read at all
     */
    static void read(Path file, Consumer<Line> each, List<String> warnings) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(4096);
            long number = 1;
            boolean tooLong = false;
            long length = 0;
            int b;
            while (true) {
                b = in.read();
                if (b == '\n' || b < 0) {
                    if (tooLong) {
                        warnings.add(file + ":" + number + ": a line of " + length + " bytes, longer than " + MAX_LINE_BYTES
                                + ", skipped");
                    } else if (line.size() > 0) {
                        parse(file, number, line.toByteArray(), each, warnings);
                    }
                    if (b < 0) {
                        return;
                    }
                    number++;
                    line.reset();
                    tooLong = false;
                    length = 0;
                    continue;
                }
                length++;
                if (tooLong) {
                    continue;
                }
                if (line.size() >= MAX_LINE_BYTES) {
                    tooLong = true;
                    line.reset();
                    continue;
                }
                line.write(b);
            }
        }
    }

    private static void parse(Path file, long number, byte[] bytes, Consumer<Line> each, List<String> warnings) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            return;
        }
        JsonNode node;
        try {
            node = TraceJson.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            warnings.add(file + ":" + number + ": not JSON (" + e.getOriginalMessage() + "), skipped");
            return;
        }
        if (!(node instanceof ObjectNode o)) {
            warnings.add(file + ":" + number + ": not a JSON object, skipped");
            return;
        }
        each.accept(new Line(file, number, o));
    }
}
