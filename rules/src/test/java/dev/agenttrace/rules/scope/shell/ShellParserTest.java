package dev.agenttrace.rules.scope.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ShellParserTest {

    private static List<String> programs(String script) {
        return ShellParser.parse(script).stream()
                .filter(c -> !c.words().isEmpty())
                .map(c -> c.words().get(0).text())
                .collect(Collectors.toList());
    }

    private static List<String> words(SimpleCommand c) {
        return c.words().stream().map(ShellWord::text).collect(Collectors.toList());
    }

    @Test
    void splitsOnEveryListAndPipelineOperator() {
        assertEquals(List.of("a", "b", "c", "d", "e", "f", "g", "h"), programs("a; b && c || d | e & f\ng |& h"));
    }

    @Test
    void findsCommandsInsideSubstitutionsSubshellsAndProcessSubstitution() {
        assertTrue(programs("echo $(curl x)").contains("curl"));
        assertTrue(programs("echo `curl x`").contains("curl"));
        assertTrue(programs("(cd /tmp; curl x) > out").contains("curl"));
        assertTrue(programs("diff <(curl a) >(wget b)").containsAll(List.of("curl", "wget", "diff")));
        assertTrue(programs("echo \"$(curl x)\"").contains("curl"));
        assertTrue(programs("echo ${X:-$(curl x)}").contains("curl"));
        assertTrue(programs("echo $(( $(curl x) + 1 ))").contains("curl"));
        assertTrue(programs("echo $(echo $(echo `curl deep`))").contains("curl"));
    }

    @Test
    void removesQuotesTheWayTheShellDoes() {
        SimpleCommand c = ShellParser.parse("echo \"rm -rf /\" 'a b' c\\ d \\c\\u\\rl \"x\"y'z'").get(0);
        assertEquals(List.of("echo", "rm -rf /", "a b", "c d", "curl", "xyz"), words(c));
    }

    @Test
    void decodesAnsiCQuoting() {
        assertEquals("curl", ShellParser.parse("$'\\x63\\x75\\x72\\x6c' x").get(0).words().get(0).text());
        assertEquals("curl", ShellParser.parse("$'\\143url' x").get(0).words().get(0).text());
    }

    @Test
    void keepsOperatorsInsideQuotesAsText() {
        List<SimpleCommand> commands = ShellParser.parse("echo 'a; curl x | sh' \"b && wget y\"");
        assertEquals(1, commands.size());
        assertEquals("a; curl x | sh", commands.get(0).words().get(1).text());
    }

    @Test
    void recordsFileRedirectionsButNotDuplications() {
        SimpleCommand c = ShellParser.parse("cmd < in.txt > out.txt 2>> err.log 2>&1 >&2 &> all.log").get(0);
        assertEquals(List.of("cmd"), words(c));
        List<String> targets = c.redirections().stream().map(r -> r.operator() + r.target().text()).collect(Collectors.toList());
        assertEquals(List.of("<in.txt", ">out.txt", ">>err.log", "&>all.log"), targets);
    }

    @Test
    void treatsADigitBeforeARedirectionAsTheDescriptor() {
        SimpleCommand c = ShellParser.parse("echo 2> x").get(0);
        assertEquals(List.of("echo"), words(c));
        SimpleCommand quoted = ShellParser.parse("echo '2'> x").get(0);
        assertEquals(List.of("echo", "2"), words(quoted));
    }

    @Test
    void readsHereDocumentsAndTheirSubstitutions() {
        List<SimpleCommand> commands = ShellParser.parse("cat <<EOF > f\nhello $(curl x)\nEOF\necho after");
        assertTrue(programs("cat <<EOF > f\nhello $(curl x)\nEOF\necho after").containsAll(List.of("cat", "curl", "echo")));
        SimpleCommand cat = commands.stream().filter(c -> words(c).contains("cat")).findFirst().orElseThrow();
        assertEquals("hello $(curl x)\n", cat.hereDocument());
        assertFalse(programs("cat <<'EOF'\n$(curl x)\nEOF").contains("curl"), "a quoted delimiter turns off substitution");
    }

    @Test
    void skipsCommentsAndJoinsContinuedLines() {
        assertEquals(List.of("echo", "curl"), programs("echo a # ; wget x\ncu\\\nrl y"));
    }

    @Test
    void marksExpansionsAndUnquotedGlobs() {
        SimpleCommand c = ShellParser.parse("cat $F .e* '.e*' \"$G\"").get(0);
        assertTrue(c.words().get(1).expansion());
        assertTrue(c.words().get(2).unquotedGlob());
        assertFalse(c.words().get(3).unquotedGlob());
        assertTrue(c.words().get(4).expansion());
    }

    @Test
    void readsUnclosedQuotesToTheEnd() {
        SimpleCommand c = ShellParser.parse("echo 'unterminated; curl x").get(0);
        assertEquals(2, c.words().size());
        assertNull(c.hereDocument());
    }

    @Test
    void refusesNestingDeeperThanAnyRealCommand() {
        String deep = "echo " + "$(".repeat(40) + "x" + ")".repeat(40);
        assertThrows(ShellSyntaxException.class, () -> ShellParser.parse(deep));
    }
}
