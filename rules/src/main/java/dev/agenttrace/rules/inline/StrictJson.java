package dev.agenttrace.rules.inline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Is a client message one clean JSON-RPC value: exactly one JSON object or array, in UTF-8, with
 * no key repeated and nothing after it? Under {@code enforce} anything else is refused, because
 * the server's parser may read it differently from the firewall: a streaming reader joins a
 * {@code tools/call} split over two lines, a lenient one skips a leading scalar, a UTF-16 body is
 * invisible to a byte search for {@code tools/call}, and parsers disagree on which copy of a
 * repeated key wins. Reads tokens only (no tree), so checking a message that holds no tool call
 * stays cheap.
 */
final class StrictJson {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private StrictJson() {
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            default -> t.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** Null when {@code body} is one clean JSON object or array; else what is wrong with it, for the client. */
    static String problem(byte[] body) {
        if (body.length == 0) {
            return "it is empty";
        }
        if (body.length >= 2 && ((body[0] & 0xff) == 0xfe || (body[0] & 0xff) == 0xff)
                || body.length >= 3 && (body[0] & 0xff) == 0xef && (body[1] & 0xff) == 0xbb && (body[2] & 0xff) == 0xbf) {
            return "it starts with a byte order mark (JSON-RPC messages are UTF-8 without one)";
        }
        for (byte b : body) {
            if (b == 0) {
                return "it holds a NUL byte (UTF-16 or UTF-32 text? JSON-RPC messages are UTF-8)";
            }
        }
        try (JsonParser p = FACTORY.createParser(body)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT && first != JsonToken.START_ARRAY) {
                return first == null ? "it holds no JSON value" : "it is not a JSON object or array (it starts with a " + describe(first) + ")";
            }
            p.skipChildren();
            if (p.nextToken() != null) {
                return "it holds more than one JSON value (something follows the first at offset "
                        + p.currentTokenLocation().getByteOffset() + ")";
            }
            return null;
        } catch (IOException e) {
            String why = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            return "it is not valid JSON (" + why + ")";
        }
    }
}
