package dev.agenttrace.rules.scope.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The scheme test that replaced a regex finds what the regex found, on every text tried. */
class SchemeTest {
    private static final Pattern REGEX = Pattern.compile("(?i)^[a-z][a-z0-9+.\\-]{0,30}://");

    private static int regexEnd(String text) {
        Matcher m = REGEX.matcher(text);
        return m.find() ? m.end() : -1;
    }

    @Test
    void schemes() {
        assertEquals(7, UrlHosts.schemeEnd("http://evil.com"));
        assertEquals(14, UrlHosts.schemeEnd("git+SSH.x-1://h"));
        assertEquals(-1, UrlHosts.schemeEnd("//evil.com"));
        assertEquals(-1, UrlHosts.schemeEnd("1http://x"));
        assertEquals(-1, UrlHosts.schemeEnd("evil.com:80"));
        String thirty = "a" + "b".repeat(30);
        assertEquals(34, UrlHosts.schemeEnd(thirty + "://x"));
        assertEquals(-1, UrlHosts.schemeEnd(thirty + "b://x"));
    }

    @Test
    void agreesWithTheRegexOnRandomTexts() {
        Random random = new Random(16);
        String alphabet = "aZ9+.-:/@ \u212A";
        for (int n = 0; n < 200_000; n++) {
            StringBuilder b = new StringBuilder();
            int length = random.nextInt(12);
            for (int i = 0; i < length; i++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String text = b.toString();
            assertEquals(regexEnd(text), UrlHosts.schemeEnd(text), text);
        }
        for (int length = 28; length <= 34; length++) {
            String text = "h" + "t".repeat(length) + "://x";
            assertEquals(regexEnd(text), UrlHosts.schemeEnd(text), text);
        }
    }
}
