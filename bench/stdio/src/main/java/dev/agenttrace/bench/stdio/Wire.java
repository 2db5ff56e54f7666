package dev.agenttrace.bench.stdio;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The exact bytes of the benchmark's echo exchange. The driver builds each request here and the
 * echo server builds each answer here, so the driver knows, byte for byte, what the server wrote
 * and the server knows what the driver sent: any byte a proxy adds, drops or rewrites in either
 * direction shows up as a mismatch, not only a wrong echo text.
 */
final class Wire {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();
    /** What the server puts in {@code _meta.request}: did the request arrive as the driver wrote it. */
    static final String INTACT = "intact";
    static final String ALTERED = "altered";

    private Wire() {
    }

    /** {@code id} is a Long or a String. */
    static byte[] echoRequest(Object id, String text) {
        return write(64 + text.length() * 3 / 2, g -> {
            g.writeStartObject();
            g.writeStringField("jsonrpc", "2.0");
            writeId(g, id);
            g.writeStringField("method", "tools/call");
            g.writeObjectFieldStart("params");
            g.writeStringField("name", "echo");
            g.writeObjectFieldStart("arguments");
            g.writeStringField("text", text);
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    static byte[] echoResponse(Object id, String text, String request) {
        return write(96 + text.length() * 3 / 2, g -> {
            g.writeStartObject();
            g.writeStringField("jsonrpc", "2.0");
            writeId(g, id);
            g.writeObjectFieldStart("result");
            g.writeArrayFieldStart("content");
            g.writeStartObject();
            g.writeStringField("type", "text");
            g.writeStringField("text", text);
            g.writeEndObject();
            g.writeEndArray();
            g.writeObjectFieldStart("_meta");
            g.writeStringField("request", request);
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    static byte[] initializeRequest(String client) {
        return write(200, g -> {
            g.writeStartObject();
            g.writeStringField("jsonrpc", "2.0");
            g.writeNumberField("id", 0);
            g.writeStringField("method", "initialize");
            g.writeObjectFieldStart("params");
            g.writeStringField("protocolVersion", "2025-06-18");
            g.writeObjectFieldStart("capabilities");
            g.writeEndObject();
            g.writeObjectFieldStart("clientInfo");
            g.writeStringField("name", client);
            g.writeStringField("version", "1.0");
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    static byte[] initializedNotification() {
        return "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The text of a call: its id first, so that a shuffled answer cannot pass for another one. */
    static String text(long id, int size) {
        StringBuilder b = new StringBuilder(Math.max(size, 9) + 36);
        b.append(String.format("%08d:", id));
        while (b.length() < size) b.append("abcdefghijklmnopqrstuvwxyz0123456789");
        b.setLength(Math.max(size, 9));
        return b.toString();
    }

    private static void writeId(JsonGenerator g, Object id) throws IOException {
        if (id instanceof Long) g.writeNumberField("id", (Long) id);
        else g.writeStringField("id", (String) id);
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] write(int sizeHint, Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(sizeHint);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
