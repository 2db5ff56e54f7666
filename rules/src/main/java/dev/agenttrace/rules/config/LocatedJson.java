package dev.agenttrace.rules.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The one strict reader of agent-trace's own configuration files (the policy, the watch files, the
 * config file): a JSON document read into a small tree that remembers the line and column of every
 * key and value, so each parser validates with ordinary tree code and still points a user at the
 * exact spot. A byte-order mark is skipped; duplicate keys, syntax errors and text after the one
 * value are reported here, as the caller's {@link ConfigException} with a fix.
 */
public final class LocatedJson {

    /** Makes the caller's kind of {@link ConfigException} ({@code FILE:LINE:COLUMN: PROBLEM; fix: FIX}). */
    @FunctionalInterface
    public interface Errors<E extends ConfigException> {
        E at(String source, int line, int column, String problem, String fix);
    }

    /** What the file is called in messages and how to fix it, per kind of file. */
    public record Kind<E extends ConfigException>(Errors<E> errors, String keyExample, String trailing, String trailingFix) {
    }

    /** Any value, with where it starts (one-based). */
    public abstract static class Node {
        public final int line;
        public final int column;

        Node(int line, int column) {
            this.line = line;
            this.column = column;
        }

        /** "an object", "a string", "a number", ... for messages. */
        public abstract String describe();
    }

    /** One {@code "key": value} of an object. */
    public record Field(String key, int line, int column, Node value) {
    }

    public static final class Obj extends Node {
        public final List<Field> fields = new ArrayList<>();

        Obj(int line, int column) {
            super(line, column);
        }

        public Field field(String key) {
            for (Field f : fields) {
                if (f.key.equals(key)) {
                    return f;
                }
            }
            return null;
        }

        public Node get(String key) {
            Field f = field(key);
            return f == null ? null : f.value;
        }

        @Override
        public String describe() {
            return "an object";
        }
    }

    public static final class Arr extends Node {
        public final List<Node> items = new ArrayList<>();

        Arr(int line, int column) {
            super(line, column);
        }

        @Override
        public String describe() {
            return "an array";
        }
    }

    /** A string, number, boolean or null. */
    public static final class Val extends Node {
        public final JsonToken token;
        /** The value as written (a number's digits), null for null. */
        public final String text;

        Val(int line, int column, JsonToken token, String text) {
            super(line, column);
            this.token = token;
            this.text = text;
        }

        public boolean isString() {
            return token == JsonToken.VALUE_STRING;
        }

        public boolean isNumber() {
            return token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT;
        }

        public boolean isBoolean() {
            return token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE;
        }

        @Override
        public String describe() {
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
    private final Kind<?> kind;
    private JsonParser p;

    private LocatedJson(String source, String text, Kind<?> kind) {
        this.source = source;
        this.text = text;
        this.kind = kind;
    }

    /**
     * Parses one JSON value; blank text (after a byte-order mark) is null, and the caller decides
     * what an empty file means.
     */
    public static <E extends ConfigException> Node parse(String text, String source, Kind<E> kind) throws E {
        String content = text.startsWith("\uFEFF") ? text.substring(1) : text;
        if (content.isBlank()) {
            return null;
        }
        return new LocatedJson(source, content, kind).run(kind.errors());
    }

    private <E extends ConfigException> Node run(Errors<E> errors) throws E {
        try (JsonParser parser = JSON.createParser(text)) {
            p = parser;
            p.nextToken();
            Node root = read();
            if (p.nextToken() != null) {
                JsonLocation at = p.currentTokenLocation();
                throw errors.at(source, at.getLineNr(), at.getColumnNr(), kind.trailing(), kind.trailingFix());
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonSyntax.Explained x = JsonSyntax.explain(e, text, kind.keyExample());
            throw errors.at(source, x.line(), x.column(), x.problem(), x.fix());
        } catch (IOException e) {
            throw errors.at(source, 0, 0, "cannot be read (" + e.getMessage() + ")", "check the file");
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
}
