package dev.agenttrace.store.cost;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * The length of {@code json.dumps(value)} as Python's agent-strace computes it for its token
 * estimate (separators {@code ", "} and {@code ": "}, non-ASCII escaped as {@code \\uXXXX}),
 * counted by walking the tree instead of serialising it: the cost watcher runs on every event.
 */
public final class JsonChars {
    private JsonChars() {
    }

    public static long length(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return 4;
        }
        if (n.isObject()) {
            int size = n.size();
            if (size == 0) {
                return 2;
            }
            long total = 2 + 2L * (size - 1);
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                total += string(e.getKey()) + 2 + length(e.getValue());
            }
            return total;
        }
        if (n.isArray()) {
            int size = n.size();
            if (size == 0) {
                return 2;
            }
            long total = 2 + 2L * (size - 1);
            for (JsonNode item : n) {
                total += length(item);
            }
            return total;
        }
        if (n.isTextual()) {
            return string(n.textValue());
        }
        if (n.isBoolean()) {
            return n.booleanValue() ? 4 : 5;
        }
        return n.asText().length();
    }

    private static long string(String s) {
        char[] cs = s.toCharArray(); // a plain array walk: quicker than charAt under the quick compiler the proxy runs with
        long total = 2 + cs.length;
        for (char c : cs) {
            if (c >= 0x20 && c <= 0x7e) {
                if (c == '"' || c == '\\') {
                    total++;
                }
            } else if (c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f') {
                total++;
            } else {
                total += 5;
            }
        }
        return total;
    }
}
