package dev.agenttrace.hooks.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.hooks.event.HookInputException;
import dev.agenttrace.store.TraceJson;
import java.io.IOException;

/** Reading hook payload fields with errors that name the field and what was expected. */
final class Payloads {
    private Payloads() {
    }

    static String text(ObjectNode p, String key) throws HookInputException {
        JsonNode n = p.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new HookInputException("hook field \"" + key + "\" must be a string, not " + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        return n.asText();
    }

    static String required(ObjectNode p, String key, String agent) throws HookInputException {
        String v = text(p, key);
        if (v == null || v.isBlank()) {
            throw new HookInputException("the " + agent + " hook JSON has no \"" + key + "\"; send the payload the agent gives the hook, unchanged");
        }
        return v;
    }

    /** An object argument; a JSON string holding an object (Cursor's and Copilot's arguments) is parsed. */
    static JsonNode object(ObjectNode p, String key) throws HookInputException {
        JsonNode n = p.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            try {
                JsonNode parsed = TraceJson.mapper().readTree(n.asText());
                if (parsed != null && parsed.isObject()) {
                    return parsed;
                }
            } catch (IOException e) {
                // falls through
            }
            throw new HookInputException("hook field \"" + key + "\" holds a string that is not a JSON object");
        }
        if (!n.isObject()) {
            throw new HookInputException("hook field \"" + key + "\" must be an object, not " + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        return n;
    }

    static Double number(ObjectNode p, String key) {
        JsonNode n = p.get(key);
        return n != null && n.isNumber() ? n.asDouble() : null;
    }

    static ObjectNode node() {
        return JsonNodeFactory.instance.objectNode();
    }

    static byte[] bytes(JsonNode n) {
        try {
            return TraceJson.mapper().writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise a hook answer", e);
        }
    }
}
