package dev.agenttrace.mcp;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The input and output JSON schemas of the tools, kept as resources
 * ({@code dev/agenttrace/mcp/schemas/<tool>.input.json} and {@code .output.json}) so that they read
 * as documentation and tests can validate answers against the very files the server declares.
 */
public final class ToolSchemas {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ToolSchemas() {
    }

    public static Map<String, Object> input(String tool) {
        return load(tool + ".input.json");
    }

    public static Map<String, Object> output(String tool) {
        return load(tool + ".output.json");
    }

    private static Map<String, Object> load(String name) {
        String path = "/dev/agenttrace/mcp/schemas/" + name;
        try (InputStream in = ToolSchemas.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is missing from the mcp-server jar");
            }
            return JSON.readValue(in, new TypeReference<Map<String, Object>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}
