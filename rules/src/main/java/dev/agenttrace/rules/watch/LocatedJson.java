package dev.agenttrace.rules.watch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.agenttrace.rules.config.JsonSyntax;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON document read into a small tree that remembers the line and column of every key and
 * value, so the config parser can validate with ordinary tree code and still point a user at the
 * exact spot. Duplicate keys and syntax errors are reported here, with a fix.
 */
final class LocatedJson {

    /** Any value, with where it starts (one-based). */
    abstract static class Node {
        final int line;
        final int column;

        Node(int line, int column) {
            this.line = line;
            this.column = column;
        }

        /** "an object", "a string", "a number", ... for messages. */
        abstract String describe();
    }

    /** One {@code "key": value} of an object. */
    record Field(String key, int line, int column, Node value) {
    }

    static final class Obj extends Node {
        final List<Field> fields = new ArrayList<>();

        Obj(int line, int column) {
            super(line, column);
        }

        Field field(String key) {
            for (Field f : fields) {
                if (f.key.equals(key)) {
                    return f;
                }
            }
            return null;
        }

        Node get(String key) {
            Field f = field(key);
            return f == null ? null : f.value;
        }

        @Override
        String describe() {
            return "an object";
        }
    }

    static final class Arr extends Node {
        final List<Node> items = new ArrayList<>();

        Arr(int line, int column) {
            super(line, column);
        }

        @Override
        String describe() {
            return "an array";
        }
    }

    /** A string, number, boolean or null. */
    static final class Val extends Node {
        final JsonToken token;
        final String text;

        Val(int line, int column, JsonToken token, String text) {
            super(line, column);
            this.token = token;
            this.text = text;
        }

        boolean isString() {
            return token == JsonToken.VALUE_STRING;
        }

        boolean isNumber() {
            return token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT;
        }

        boolean isBoolean() {
            return token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE;
        }

        @Override
        String describe() {
            return switch (token) {
                case VALUE_STRING -> "a string";
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
                case VALUE_TRUE, VALUE_FALSE -> "a boolean";
                default -> "null";
            };
        }
    }

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final String source;
    private final String text;
    private JsonParser p;

    private LocatedJson(String source, String text) {
        this.source = source;
        this.text = text;
    }

    /** Parses one JSON value; blank text is null (the caller decides what an empty file means). */
    static Node parse(String text, String source) throws WatchConfigException {
        String content = text.startsWith("\uFEFF") ? text.substring(1) : text;
        if (content.isBlank()) {
            return null;
        }
        return new LocatedJson(source, content).run();
    }

    private Node run() throws WatchConfigException {
        try (JsonParser parser = JSON.createParser(text)) {
            p = parser;
            p.nextToken();
            Node root = read();
            if (p.nextToken() != null) {
                JsonLocation at = p.currentTokenLocation();
                throw new WatchConfigException(source, at.getLineNr(), at.getColumnNr(),
                        "there is more JSON after the configuration object", "remove it; the file holds exactly one { } object");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw syntaxError(e);
        } catch (IOException e) {
            throw new WatchConfigException(source, 0, 0, "cannot be read (" + e.getMessage() + ")", "check the file");
        }
    }

    private Node read() throws IOException {
        JsonToken t = p.currentToken();
        JsonLocation at = p.currentTokenLocation();
        int line = at.getLineNr();
        int column = at.getColumnNr();
        if (t == JsonToken.START_OBJECT) {
            Obj o = new Obj(line, column);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonLocation k = p.currentTokenLocation();
                p.nextToken();
                o.fields.add(new Field(key, k.getLineNr(), k.getColumnNr(), read()));
            }
            return o;
        }
        if (t == JsonToken.START_ARRAY) {
            Arr a = new Arr(line, column);
            while (p.nextToken() != JsonToken.END_ARRAY) {
                a.items.add(read());
            }
            return a;
        }
        return new Val(line, column, t, t == JsonToken.VALUE_NULL ? null : p.getText());
    }

    /** Jackson's syntax errors as a problem and a fix a user can act on (as the policy parser does). */
    private WatchConfigException syntaxError(JsonProcessingException e) {
        JsonSyntax.Explained x = JsonSyntax.explain(e, text, "watchers");
        return new WatchConfigException(source, x.line(), x.column(), x.problem(), x.fix());
    }
}
