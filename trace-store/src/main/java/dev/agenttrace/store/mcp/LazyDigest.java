package dev.agenttrace.store.mcp;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ValueNode;
import dev.agenttrace.store.Payloads;
import java.io.IOException;

/**
 * The SHA-256 (lowercase hex) of an over-limit message, as a JSON string computed the first time
 * it is read. Classified inline (an inline watch), the event holding it is made on the thread
 * that forwards the message, and a megabyte's digest there took milliseconds of every such call;
 * nothing the watch reads needs it, so it is computed when the writer stores the event. Reading it
 * from several threads is safe; the bytes are let go once it is known.
 */
final class LazyDigest extends ValueNode {
    private static final long serialVersionUID = 1L;
    private transient byte[] bytes;
    private volatile String hex;

    /** @param bytes the message, not changed afterwards */
    LazyDigest(byte[] bytes) {
        this.bytes = bytes;
    }

    @Override
    public String textValue() {
        String h = hex;
        if (h == null) {
            synchronized (this) {
                if (hex == null) {
                    hex = Payloads.sha256Hex(bytes, 0, bytes.length);
                    bytes = null;
                }
                h = hex;
            }
        }
        return h;
    }

    @Override
    public JsonNodeType getNodeType() {
        return JsonNodeType.STRING;
    }

    @Override
    public JsonToken asToken() {
        return JsonToken.VALUE_STRING;
    }

    @Override
    public String asText() {
        return textValue();
    }

    @Override
    public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
        g.writeString(textValue());
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        return o instanceof com.fasterxml.jackson.databind.JsonNode n && n.isTextual() && textValue().equals(n.textValue());
    }

    @Override
    public int hashCode() {
        return textValue().hashCode();
    }
}
