package dev.agenttrace.mcp;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What {@code agent-trace mcp} says about itself in its answer to {@code initialize}: the one source
 * the SDK server is built from ({@link TraceMcpServer}) and the fast answer is written from
 * ({@link #fastAnswer}), so that the two cannot say different things.
 *
 * <p>The fast answer lets a client have its first answer without waiting for the SDK server to be
 * built (its reactor pipeline, Jackson's view of the schema records): it uses jackson-core alone.
 * It is given only to a first line that is plainly an {@code initialize} request; anything else
 * ({@code null}) goes to the SDK as it came.
 */
final class Handshake {
    static final String NAME = "agent-trace";
    static final String INSTRUCTIONS = "Recorded MCP sessions of AI agents (agent-trace). Start with list_sessions or"
            + " search_events; session ids may be shortened to a unique prefix, and 'latest' is the newest session."
            + " get_session_summary explains one session; diff_sessions compares two.";
    /** The tools capability's {@code listChanged}: the tool list never changes. */
    static final boolean TOOLS_LIST_CHANGED = false;
    /**
     * The protocol versions the server speaks, oldest first; the SDK's transport is given this list
     * ({@link TraceMcpServer}). HandshakeTest checks it is the SDK's own.
     */
    static final List<String> PROTOCOL_VERSIONS = List.of("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25");

    /** The first line must fit in this to be answered here; a longer one goes to the SDK. */
    static final int MAX_FIRST_LINE = 64 << 10;

    private static final JsonFactory JSON = new JsonFactory();

    private final String version;

    Handshake(String version) {
        this.version = version;
    }

    String version() {
        return version;
    }

    /** The version the SDK answers a client asking for {@code requested}: the same, or the newest it speaks. */
    static String negotiate(String requested) {
        return PROTOCOL_VERSIONS.contains(requested) ? requested : PROTOCOL_VERSIONS.get(PROTOCOL_VERSIONS.size() - 1);
    }

    /**
     * The answer line (with its newline) the SDK server would write to {@code line}, an
     * {@code initialize} request; {@code null} when the line is anything else or anything about it
     * is unusual (then the SDK answers it: an id other than a string or an integer that fits a long, a missing or
     * non-string protocolVersion, repeated members, a jsonrpc other than "2.0", malformed JSON).
     */
    Answer fastAnswer(byte[] line, int length) {
        try (JsonParser p = JSON.createParser(line, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String jsonrpc = null;
            String method = null;
            String protocolVersion = null;
            JsonToken idKind = null;
            String id = null;
            boolean params = false;
            Set<String> seen = new HashSet<>();
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String name = p.currentName();
                if (!seen.add(name)) {
                    return null;
                }
                JsonToken v = p.nextToken();
                switch (name) {
                    case "jsonrpc":
                        if (v != JsonToken.VALUE_STRING) {
                            return null;
                        }
                        jsonrpc = p.getText();
                        break;
                    case "method":
                        if (v != JsonToken.VALUE_STRING) {
                            return null;
                        }
                        method = p.getText();
                        break;
                    case "id":
                        // the SDK takes a string or an integer that fits a long (and drops the
                        // connection on any other id)
                        if (v != JsonToken.VALUE_STRING && (v != JsonToken.VALUE_NUMBER_INT
                                || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER)) {
                            return null;
                        }
                        idKind = v;
                        id = p.getText();
                        break;
                    case "params":
                        if (v != JsonToken.START_OBJECT) {
                            return null;
                        }
                        params = true;
                        protocolVersion = readParams(p);
                        if (protocolVersion == null) {
                            return null;
                        }
                        break;
                    default:
                        p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                return null;
            }
            if (!"2.0".equals(jsonrpc) || !"initialize".equals(method) || id == null || !params) {
                return null;
            }
            return answer(idKind, id, negotiate(protocolVersion));
        } catch (IOException | RuntimeException malformed) {
            return null;
        }
    }

    /** The protocolVersion in initialize's params, or null when the params look unusual. */
    private static String readParams(JsonParser p) throws IOException {
        String protocolVersion = null;
        Set<String> seen = new HashSet<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String name = p.currentName();
            if (!seen.add(name)) {
                return null;
            }
            JsonToken v = p.nextToken();
            switch (name) {
                case "protocolVersion":
                    if (v != JsonToken.VALUE_STRING) {
                        return null;
                    }
                    protocolVersion = p.getText();
                    break;
                case "capabilities":
                case "clientInfo":
                    if (v != JsonToken.START_OBJECT) {
                        return null;
                    }
                    p.skipChildren();
                    break;
                default:
                    p.skipChildren();
            }
        }
        return protocolVersion;
    }

    /** The fast answer: the line to write, and how the SDK's own answer to the same id begins. */
    record Answer(byte[] line, byte[] sdkPrefix) {
    }

    /** The answer as the SDK's stdio transport writes it: its members in the SDK's order, then a newline. */
    Answer answer(JsonToken idKind, String id, String protocolVersion) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        byte[] prefix;
        try (JsonGenerator g = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("jsonrpc", "2.0");
            g.writeFieldName("id");
            if (idKind == JsonToken.VALUE_STRING) {
                g.writeString(id);
            } else {
                g.writeNumber(Long.parseLong(id));
            }
            g.flush();
            // {"jsonrpc":"2.0","id":<id>, begins the SDK's answer to this id, a result or an error
            // (JSONRPCResponse's order); its requests to the client put "method" second
            prefix = Arrays.copyOf(bytes.toByteArray(), bytes.size() + 1);
            prefix[prefix.length - 1] = ',';
            g.writeObjectFieldStart("result");
            g.writeStringField("protocolVersion", protocolVersion);
            g.writeObjectFieldStart("capabilities");
            // the SDK adds the logging capability to every server's
            g.writeObjectFieldStart("logging");
            g.writeEndObject();
            g.writeObjectFieldStart("tools");
            g.writeBooleanField("listChanged", TOOLS_LIST_CHANGED);
            g.writeEndObject();
            g.writeEndObject();
            g.writeObjectFieldStart("serverInfo");
            g.writeStringField("name", NAME);
            g.writeStringField("version", version);
            g.writeEndObject();
            g.writeStringField("instructions", INSTRUCTIONS);
            g.writeEndObject();
            g.writeEndObject();
        }
        bytes.write('\n');
        return new Answer(bytes.toByteArray(), prefix);
    }
}
