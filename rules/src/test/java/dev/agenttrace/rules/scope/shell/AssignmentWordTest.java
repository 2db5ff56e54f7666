package dev.agenttrace.rules.scope.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The assignment test that replaced a regex says what the regex said, on every word tried. */
class AssignmentWordTest {
    private static final Pattern REGEX = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*(\\[[^\\]]*\\])?\\+?=.*", Pattern.DOTALL);

    @Test
    void assignmentsAndNot() {
        for (String yes : new String[] {"a=1", "_x=", "PATH+=:/x", "a[0]=.env", "arr[$i]+=x", "A9=b=c", "x=\nline"}) {
            assertTrue(CommandUnwrapper.isAssignment(yes), yes);
        }
        for (String no : new String[] {"", "=x", "9a=1", "a", "a[0=1", "a[0]", "a+", "a+b=1", "-a=1", "a.b=1", "a[x]y=1", "a++=1"}) {
            assertFalse(CommandUnwrapper.isAssignment(no), no);
        }
    }

    @Test
    void agreesWithTheRegexOnRandomWords() {
        Random random = new Random(16);
        String alphabet = "aZ_09[]+=.-\n $x";
        for (int n = 0; n < 200_000; n++) {
            StringBuilder b = new StringBuilder();
            int length = random.nextInt(9);
            for (int i = 0; i < length; i++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String word = b.toString();
            assertEquals(REGEX.matcher(word).matches(), CommandUnwrapper.isAssignment(word), word);
        }
    }
}
