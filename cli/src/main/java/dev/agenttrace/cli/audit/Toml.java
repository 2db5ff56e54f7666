package dev.agenttrace.cli.audit;

import dev.agenttrace.rules.config.ConfigException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A strict reader of the TOML agents write their configs in (Codex's {@code config.toml}): tables
 * and arrays of tables with dotted and quoted headers, dotted keys, basic and literal strings
 * (single- and multi-line, every TOML 1.0 escape), arrays, inline tables, booleans, and numbers and
 * dates checked for shape and kept as their text. What TOML forbids (a key or a table defined
 * twice, a bad escape, a control character, text after a value) is an error at its
 * line and column ({@link ConfigException}, as every config error of ours): a config the audit
 * cannot read must not pass for one without servers.
 *
 * <p>Tables are {@code Map<String, Object>} in file order; values are {@code String}, {@code
 * Boolean}, {@code List<Object>}, a nested map, or {@link Scalar} for a number or a date.
 */
public final class Toml {
    /** A number or a date, kept as written: the audit never needs its value. */
    public record Scalar(String text) {
    }

    private static final int MAX_DEPTH = 64;
    private static final Pattern NUMBER = Pattern.compile(
            "[+-]?(0|[1-9](_?[0-9])*)(\\.[0-9](_?[0-9])*)?([eE][+-]?[0-9](_?[0-9])*)?|[+-]?(inf|nan)|0x[0-9A-Fa-f](_?[0-9A-Fa-f])*"
                    + "|0o[0-7](_?[0-7])*|0b[01](_?[01])*");
    private static final Pattern DATE = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}([Tt ]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})?)?|\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?");

    private final String source;
    private final String s;
    private int pos;
    private int depth;
    /** Tables given a [header] or filled by key = value: a second [header] for them is an error. */
    private final Set<Map<String, Object>> defined = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Arrays made by [[header]]: only those may be appended to. */
    private final Set<List<Object>> tableArrays = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Inline tables and arrays are complete where they are written. */
    private final Set<Object> sealed = Collections.newSetFromMap(new IdentityHashMap<>());

    private Toml(String source, String s) {
        this.source = source;
        this.s = s;
    }

    /** The document's root table; {@code source} names the file in errors. */
    public static Map<String, Object> parse(String source, String text) throws ConfigException {
        return new Toml(source, text.startsWith("\uFEFF") ? text.substring(1) : text).document();
    }

    private Map<String, Object> document() throws ConfigException {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> current = root;
        while (true) {
            skipBlankLinesAndComments();
            if (pos >= s.length()) {
                return root;
            }
            if (peek() == '[') {
                current = header(root);
            } else {
                keyValue(current);
            }
            endOfLine();
        }
    }

    private Map<String, Object> header(Map<String, Object> root) throws ConfigException {
        int start = pos;
        boolean array = s.startsWith("[[", pos);
        pos += array ? 2 : 1;
        skipSpaces();
        List<String> path = key();
        skipSpaces();
        if (!s.startsWith(array ? "]]" : "]", pos)) {
            throw error("expected '" + (array ? "]]" : "]") + "' to close the table header; quote a key that holds other characters");
        }
        pos += array ? 2 : 1;
        Map<String, Object> table = root;
        for (int i = 0; i < path.size() - 1; i++) {
            table = descend(table, path.get(i), start);
        }
        String last = path.get(path.size() - 1);
        Object existing = table.get(last);
        if (array) {
            List<Object> list;
            if (existing == null) {
                list = new ArrayList<>();
                tableArrays.add(list);
                table.put(last, list);
            } else if (existing instanceof List<?> l && tableArrays.contains(l)) {
                @SuppressWarnings("unchecked")
                List<Object> cast = (List<Object>) l;
                list = cast;
            } else {
                throw errorAt(start, "[[" + String.join(".", path) + "]]: \"" + last + "\" is already defined as something else");
            }
            Map<String, Object> t = new LinkedHashMap<>();
            defined.add(t);
            list.add(t);
            return t;
        }
        if (existing == null) {
            Map<String, Object> t = new LinkedHashMap<>();
            table.put(last, t);
            defined.add(t);
            return t;
        }
        if (existing instanceof Map<?, ?> m && !defined.contains(m) && !sealed.contains(m)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> t = (Map<String, Object>) m;
            defined.add(t);
            return t;
        }
        throw errorAt(start, "table [" + String.join(".", path) + "] is defined twice; merge the two into one");
    }

    /** The table {@code key} of {@code table}, made when absent; through an array of tables, its last element. */
    private Map<String, Object> descend(Map<String, Object> table, String key, int at) throws ConfigException {
        Object next = table.get(key);
        if (next == null) {
            Map<String, Object> t = new LinkedHashMap<>();
            table.put(key, t);
            return t;
        }
        if (next instanceof List<?> l && tableArrays.contains(l)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> t = (Map<String, Object>) l.get(l.size() - 1);
            return t;
        }
        if (next instanceof Map<?, ?> m && !sealed.contains(m)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> t = (Map<String, Object>) m;
            return t;
        }
        throw errorAt(at, "\"" + key + "\" is already a value, not a table");
    }

    private void keyValue(Map<String, Object> table) throws ConfigException {
        int start = pos;
        List<String> path = key();
        skipSpaces();
        if (pos >= s.length() || peek() != '=') {
            throw error("expected '=' after the key " + String.join(".", path));
        }
        pos++;
        skipSpaces();
        Map<String, Object> t = table;
        for (int i = 0; i < path.size() - 1; i++) {
            t = descend(t, path.get(i), start);
            defined.add(t);
        }
        String last = path.get(path.size() - 1);
        if (t.containsKey(last)) {
            throw errorAt(start, "key \"" + String.join(".", path) + "\" is defined twice; keep one of them");
        }
        t.put(last, value());
    }

    /** A dotted key: bare, "basic" or 'literal' parts. */
    private List<String> key() throws ConfigException {
        List<String> parts = new ArrayList<>();
        while (true) {
            skipSpaces();
            if (pos >= s.length()) {
                throw error("expected a key");
            }
            char c = peek();
            if (c == '"') {
                if (s.startsWith("\"\"\"", pos)) {
                    throw error("a key cannot be a multi-line string");
                }
                parts.add(basicString());
            } else if (c == '\'') {
                if (s.startsWith("'''", pos)) {
                    throw error("a key cannot be a multi-line string");
                }
                parts.add(literalString());
            } else {
                int from = pos;
                while (pos < s.length() && isBare(peek())) {
                    pos++;
                }
                if (from == pos) {
                    throw error("expected a key (letters, digits, '_' or '-', or a quoted string), found " + shown(c));
                }
                parts.add(s.substring(from, pos));
            }
            skipSpaces();
            if (pos < s.length() && peek() == '.') {
                pos++;
                continue;
            }
            return parts;
        }
    }

    private Object value() throws ConfigException {
        if (pos >= s.length()) {
            throw error("expected a value after '='");
        }
        char c = peek();
        if (c == '"') {
            return s.startsWith("\"\"\"", pos) ? multiLineBasic() : basicString();
        }
        if (c == '\'') {
            return s.startsWith("'''", pos) ? multiLineLiteral() : literalString();
        }
        if (c == '[' || c == '{') {
            if (++depth > MAX_DEPTH) {
                throw error("arrays and inline tables nested deeper than " + MAX_DEPTH);
            }
            Object v = c == '[' ? array() : inlineTable();
            depth--;
            sealed.add(v);
            return v;
        }
        int from = pos;
        while (pos < s.length() && (isBare(peek()) || peek() == '+' || peek() == '.' || peek() == ':')) {
            pos++;
        }
        // a date and time may be written with a space between them
        if (pos + 1 < s.length() && peek() == ' ' && Character.isDigit(s.charAt(pos + 1)) && s.substring(from, pos).matches("\\d{4}-\\d{2}-\\d{2}")) {
            pos++;
            while (pos < s.length() && (isBare(peek()) || peek() == '+' || peek() == '.' || peek() == ':')) {
                pos++;
            }
        }
        String token = s.substring(from, pos);
        if (token.equals("true") || token.equals("false")) {
            return Boolean.valueOf(token);
        }
        if (NUMBER.matcher(token).matches() || DATE.matcher(token).matches()) {
            return new Scalar(token);
        }
        pos = from;
        throw error(token.isEmpty() ? "expected a value, found " + shown(c)
                : "'" + token + "' is not a TOML value; put a string in double quotes: \"" + token + "\"");
    }

    private List<Object> array() throws ConfigException {
        List<Object> out = new ArrayList<>();
        pos++; // [
        while (true) {
            skipBlankLinesAndComments();
            if (pos >= s.length()) {
                throw error("the array is not closed; add ']'");
            }
            if (peek() == ']') {
                pos++;
                return out;
            }
            out.add(value());
            skipBlankLinesAndComments();
            if (pos < s.length() && peek() == ',') {
                pos++;
            } else if (pos < s.length() && peek() == ']') {
                pos++;
                return out;
            } else {
                throw error("expected ',' or ']' in the array");
            }
        }
    }

    private Map<String, Object> inlineTable() throws ConfigException {
        Map<String, Object> out = new LinkedHashMap<>();
        pos++; // {
        skipBlankLinesAndComments();
        if (pos < s.length() && peek() == '}') {
            pos++;
            return out;
        }
        while (true) {
            skipBlankLinesAndComments();
            keyValue(out);
            skipBlankLinesAndComments();
            if (pos >= s.length()) {
                throw error("the inline table is not closed; add '}'");
            }
            char c = peek();
            pos++;
            if (c == '}') {
                return out;
            }
            if (c != ',') {
                pos--;
                throw error("expected ',' or '}' in the inline table");
            }
        }
    }

    private String basicString() throws ConfigException {
        pos++; // "
        StringBuilder b = new StringBuilder();
        while (true) {
            if (pos >= s.length() || peek() == '\n' || peek() == '\r') {
                throw error("the string is not closed on its line; add '\"' (or use \"\"\" for several lines)");
            }
            char c = s.charAt(pos);
            if (c == '"') {
                pos++;
                return b.toString();
            }
            if (c == '\\') {
                escape(b);
            } else {
                control(c);
                b.append(c);
                pos++;
            }
        }
    }

    private String multiLineBasic() throws ConfigException {
        pos += 3;
        skipNewline();
        StringBuilder b = new StringBuilder();
        while (true) {
            if (pos >= s.length()) {
                throw error("the multi-line string is not closed; add '\"\"\"'");
            }
            if (s.startsWith("\"\"\"", pos)) {
                // up to two quotes may stand right before the closing three
                int q = 3;
                while (q < 5 && pos + q < s.length() && s.charAt(pos + q) == '"') {
                    q++;
                }
                b.append("\"".repeat(q - 3));
                pos += q;
                return b.toString();
            }
            char c = s.charAt(pos);
            if (c == '\\') {
                int after = pos + 1;
                while (after < s.length() && (s.charAt(after) == ' ' || s.charAt(after) == '\t')) {
                    after++;
                }
                if (after < s.length() && (s.charAt(after) == '\n' || s.charAt(after) == '\r')) {
                    // a line-ending backslash trims the newline and the whitespace after it
                    pos = after;
                    while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                        pos++;
                    }
                    continue;
                }
                escape(b);
            } else {
                if (c != '\n' && c != '\r') {
                    control(c);
                }
                b.append(c);
                pos++;
            }
        }
    }

    private String literalString() throws ConfigException {
        int from = ++pos;
        while (true) {
            if (pos >= s.length() || peek() == '\n' || peek() == '\r') {
                throw error("the literal string is not closed on its line; add \"'\"");
            }
            char c = s.charAt(pos);
            if (c == '\'') {
                return s.substring(from, pos++);
            }
            control(c);
            pos++;
        }
    }

    private String multiLineLiteral() throws ConfigException {
        pos += 3;
        skipNewline();
        int from = pos;
        int end = s.indexOf("'''", pos);
        if (end < 0) {
            throw error("the multi-line literal string is not closed; add \"'''\"");
        }
        for (int extra = 0; extra < 2 && end + 3 < s.length() && s.charAt(end + 3) == '\''; extra++) {
            end++; // up to two quotes may stand right before the closing three
        }
        for (; pos < end; pos++) {
            char c = s.charAt(pos);
            if (c != '\n' && c != '\r') {
                control(c);
            }
        }
        pos = end + 3;
        return s.substring(from, end);
    }

    private void escape(StringBuilder b) throws ConfigException {
        if (pos + 1 >= s.length()) {
            throw error("a backslash ends the text; write \\\\ for a backslash");
        }
        char e = s.charAt(pos + 1);
        switch (e) {
            case 'b' -> b.append('\b');
            case 't' -> b.append('\t');
            case 'n' -> b.append('\n');
            case 'f' -> b.append('\f');
            case 'r' -> b.append('\r');
            case 'e' -> b.append('\u001b');
            case '"' -> b.append('"');
            case '\\' -> b.append('\\');
            case 'u', 'U' -> {
                int n = e == 'u' ? 4 : 8;
                String hex = pos + 2 + n <= s.length() ? s.substring(pos + 2, pos + 2 + n) : "";
                if (!hex.matches("[0-9A-Fa-f]{" + n + "}")) {
                    throw error("\\" + e + " needs " + n + " hexadecimal digits; write \\\\ for a backslash, or use a 'literal string' for Windows paths");
                }
                int cp = (int) Long.parseLong(hex, 16);
                if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                    throw error("\\" + e + hex + " is not a Unicode scalar value");
                }
                b.appendCodePoint(cp);
                pos += n;
            }
            default -> throw error("\\" + (Character.isISOControl(e) ? "" : String.valueOf(e))
                    + " is not a TOML escape; write \\\\ for a backslash, or use a 'literal string' for Windows paths");
        }
        pos += 2;
    }

    private void control(char c) throws ConfigException {
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            throw error(String.format("control character U+%04X in a string; write it as an escape", (int) c));
        }
    }

    private void endOfLine() throws ConfigException {
        skipSpaces();
        if (pos < s.length() && peek() == '#') {
            skipComment();
        }
        if (pos >= s.length()) {
            return;
        }
        if (peek() == '\n') {
            pos++;
        } else if (s.startsWith("\r\n", pos)) {
            pos += 2;
        } else {
            throw error("expected the end of the line, found " + shown(peek()) + "; one key = value or [table] per line");
        }
    }

    private void skipBlankLinesAndComments() {
        while (pos < s.length()) {
            char c = peek();
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                pos++;
            } else if (c == '#') {
                skipComment();
            } else {
                return;
            }
        }
    }

    private void skipComment() {
        while (pos < s.length() && peek() != '\n' && peek() != '\r') {
            pos++;
        }
    }

    private void skipSpaces() {
        while (pos < s.length() && (peek() == ' ' || peek() == '\t')) {
            pos++;
        }
    }

    private void skipNewline() {
        if (s.startsWith("\r\n", pos)) {
            pos += 2;
        } else if (pos < s.length() && peek() == '\n') {
            pos++;
        }
    }

    private char peek() {
        return s.charAt(pos);
    }

    private static boolean isBare(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }

    private static String shown(char c) {
        return Character.isISOControl(c) ? String.format("U+%04X", (int) c) : "'" + c + "'";
    }

    private ConfigException error(String problem) {
        return errorAt(pos, problem);
    }

    /** {@code problem} may end in "; " and its fix. */
    private ConfigException errorAt(int at, String problem) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < Math.min(at, s.length()); i++) {
            if (s.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        int fix = problem.indexOf("; ");
        return new ConfigException(source, line, at - lineStart + 1, fix < 0 ? problem : problem.substring(0, fix),
                fix < 0 ? null : problem.substring(fix + 2));
    }
}
