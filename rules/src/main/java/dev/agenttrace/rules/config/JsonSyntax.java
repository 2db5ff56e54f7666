package dev.agenttrace.rules.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;

/** Jackson's syntax errors as a problem and a fix a user can act on, at the spot they concern. */
public final class JsonSyntax {
    private JsonSyntax() {
    }

    /** Where, what and how to fix it. Line and column are one-based, 0 when unknown. */
    public record Explained(int line, int column, String problem, String fix) {
    }

    /**
     * @param text       the text that was parsed (to see what precedes the error)
     * @param keyExample a key of this kind of file, for the "quote your keys" advice
     */
    public static Explained explain(JsonProcessingException e, CharSequence text, String keyExample) {
        JsonLocation at = e.getLocation();
        int line = at == null ? 0 : at.getLineNr();
        int column = at == null ? 0 : at.getColumnNr();
        String original = e.getOriginalMessage() == null ? "invalid JSON" : e.getOriginalMessage();
        String firstLine = original.lines().findFirst().orElse(original).trim();
        char previous = previousNonBlank(text, at == null ? -1 : at.getCharOffset());
        String problem = "invalid JSON: " + firstLine;
        String fix;
        if (firstLine.startsWith("Duplicate field")) {
            String name = firstLine.replaceFirst("^Duplicate field '(.*)'.*$", "$1");
            problem = "key \"" + name + "\" appears twice in the same object";
            fix = "keep one of them (JSON readers silently use only one)";
        } else if (firstLine.contains("comment")) {
            fix = "remove the comment; JSON has no comments";
        } else if ((firstLine.contains("'}'") || firstLine.contains("']'")) && previous == ',') {
            fix = "remove the comma before the closing bracket; JSON allows no trailing comma";
        } else if (firstLine.contains("(''' (code 39))")) {
            fix = "use double quotes (\") around keys and strings";
        } else if (firstLine.contains("was expecting double-quote to start field name")) {
            fix = "put the key in double quotes, e.g. \"" + keyExample + "\"";
        } else if (firstLine.contains("was expecting comma")) {
            fix = "add a comma between the two entries";
        } else if (firstLine.contains("end-of-input")) {
            fix = "close every { with } and every [ with ]";
        } else if (firstLine.startsWith("Unrecognized token")) {
            fix = "quote strings with \"; only true, false, null and numbers go unquoted";
        } else {
            fix = "check the JSON syntax at this point";
        }
        return new Explained(line, column, problem, fix);
    }

    private static char previousNonBlank(CharSequence text, long offset) {
        if (offset < 0 || text == null) {
            return 0;
        }
        for (int i = (int) Math.min(offset, text.length()) - 1; i >= 0; i--) {
            char c = text.charAt(i);
            if (!Character.isWhitespace(c)) {
                return c;
            }
        }
        return 0;
    }
}
