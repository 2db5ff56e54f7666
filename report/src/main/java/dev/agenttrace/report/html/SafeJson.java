package dev.agenttrace.report.html;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import java.io.IOException;
import java.io.OutputStream;

/**
 * JSON that can sit inside an HTML {@code <script>} element whatever the event data holds: {@code <},
 * {@code >} and {@code &} are written as {@code \u003c} escapes, so no string in the data (a tool
 * result saying {@code </script><script>...}) can end the element or open a comment. The
 * browser's {@code JSON.parse} reads the escapes back to the original text.
 */
public final class SafeJson {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final CharacterEscapes ESCAPES = new HtmlEscapes();

    private SafeJson() {
    }

    public static JsonGenerator generator(OutputStream out) throws IOException {
        JsonGenerator g = FACTORY.createGenerator(out);
        g.setCharacterEscapes(ESCAPES);
        return g;
    }

    private static final class HtmlEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] escapes;

        HtmlEscapes() {
            escapes = CharacterEscapes.standardAsciiEscapesForJSON();
            escapes['<'] = CharacterEscapes.ESCAPE_STANDARD;
            escapes['>'] = CharacterEscapes.ESCAPE_STANDARD;
            escapes['&'] = CharacterEscapes.ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return escapes;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return null; // ESCAPE_STANDARD: \\uXXXX; U+2028/2029 are harmless in a JSON data block, which is never run as script
        }
    }
}
