package dev.agenttrace.hooks.setup;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;

/**
 * Adds an entry to {@code hooks.<event>[]} of a JSON configuration by inserting text, so that
 * everything already in the file (its formatting, comments, key order, keys agent-trace does not
 * know) stays byte for byte. Containers that are missing ({@code hooks}, the event's array) are
 * created at the end of their parent, indented the way the file is.
 */
final class JsonSplice {
    private static final JsonFactory FACTORY = JsonFactory.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA).build();

    private JsonSplice() {
    }

    /** Where a container is: the offset of its opening and closing character, and whether it has members. */
    private record Span(int open, int close, boolean empty) {
    }

    private record Found(Span root, Span hooks, Span array) {
    }

    /**
     * @param text       the file (blank: a new file)
     * @param hooksKey   the member that holds the events ({@code hooks})
     * @param event      the event's key
     * @param entryJson  the entry, as compact JSON
     * @param rootExtras members a new file, or one without {@code hooksKey}, must also have ({@code "version": 1}), as JSON text
     *                   {@code "\"version\": 1"}; null for none
     */
    static String addEntry(String text, String hooksKey, String event, String entryJson, String rootExtras) throws IOException {
        String unit = indentUnit(text);
        if (text.isBlank()) {
            String nl = "\n";
            StringBuilder b = new StringBuilder("{").append(nl);
            if (rootExtras != null) {
                b.append(unit).append(rootExtras).append(",").append(nl);
            }
            b.append(unit).append(quote(hooksKey)).append(": {").append(nl)
                    .append(unit.repeat(2)).append(quote(event)).append(": [").append(nl)
                    .append(unit.repeat(3)).append(entryJson).append(nl)
                    .append(unit.repeat(2)).append("]").append(nl)
                    .append(unit).append("}").append(nl).append("}").append(nl);
            return b.toString();
        }
        Found f = find(text, hooksKey, event);
        if (f.root == null) {
            throw new IOException("the file does not hold a JSON object");
        }
        if (f.hooks == null) {
            String member = (rootExtras == null ? "" : rootExtras + ",\n" + unit) + quote(hooksKey) + ": {\n" + unit.repeat(2) + quote(event)
                    + ": [\n" + unit.repeat(3) + entryJson + "\n" + unit.repeat(2) + "]\n" + unit + "}";
            return insertMember(text, f.root, member, unit, 0);
        }
        if (f.array == null) {
            String member = quote(event) + ": [\n" + unit.repeat(3) + entryJson + "\n" + unit.repeat(2) + "]";
            return insertMember(text, f.hooks, member, unit, 1);
        }
        return insertMember(text, f.array, entryJson, unit, 2);
    }

    /** Inserts after the container's last member (or right after its opening character when it is empty). */
    private static String insertMember(String text, Span c, String member, String unit, int depth) {
        String inner = unit.repeat(depth + 1);
        if (c.empty) {
            return text.substring(0, c.open + 1) + "\n" + inner + member + "\n" + unit.repeat(depth) + text.substring(c.close);
        }
        int at = c.close;
        while (at > c.open && Character.isWhitespace(text.charAt(at - 1))) {
            at--;
        }
        // a trailing comma (allowed by some agents' parsers) is already the separator
        String sep = text.charAt(at - 1) == ',' ? "" : ",";
        return text.substring(0, at) + sep + "\n" + inner + member + text.substring(at);
    }

    private static Found find(String text, String hooksKey, String event) throws IOException {
        Span root = null;
        Span hooks = null;
        Span array = null;
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                return new Found(null, null, null);
            }
            int rootOpen = offset(p);
            boolean rootEmpty = true;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                rootEmpty = false;
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals(hooksKey) && v == JsonToken.START_OBJECT) {
                    int hooksOpen = offset(p);
                    boolean hooksEmpty = true;
                    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                        hooksEmpty = false;
                        String ev = p.currentName();
                        JsonToken a = p.nextToken();
                        if (ev.equals(event) && a == JsonToken.START_ARRAY) {
                            int arrOpen = offset(p);
                            boolean arrEmpty = p.nextToken() == JsonToken.END_ARRAY;
                            if (!arrEmpty) {
                                p.skipChildren();
                                while (p.nextToken() != JsonToken.END_ARRAY) {
                                    p.skipChildren();
                                }
                            }
                            array = new Span(arrOpen, offset(p), arrEmpty);
                        } else {
                            p.skipChildren();
                        }
                    }
                    hooks = new Span(hooksOpen, offset(p), hooksEmpty);
                } else {
                    p.skipChildren();
                }
            }
            root = new Span(rootOpen, offset(p), rootEmpty);
        }
        return new Found(root, hooks, array);
    }

    private static int offset(JsonParser p) {
        return (int) p.currentTokenLocation().getCharOffset();
    }

    /** The file's indentation unit: the leading whitespace of its first indented line (default two spaces). */
    static String indentUnit(String text) {
        for (String line : text.split("\n", -1)) {
            int i = 0;
            while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                i++;
            }
            if (i > 0 && i < line.length()) {
                return line.substring(0, i);
            }
        }
        return "  ";
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
