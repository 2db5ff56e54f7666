package dev.agenttrace.rules.scope;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.rules.scope.shell.CommandUnwrapper;
import dev.agenttrace.rules.scope.shell.Invocation;
import dev.agenttrace.rules.scope.shell.OptionConventions;
import dev.agenttrace.rules.scope.shell.ShellParser;
import org.junit.jupiter.api.Test;

class CommandPatternTest {

    private static boolean matches(String pattern, String command) {
        Invocation inv = CommandUnwrapper.resolve(ShellParser.parse(command).get(0)).innermost();
        return CommandPattern.compile(pattern).matches(inv, OptionConventions.parse(inv.binary(), inv.argumentTexts()));
    }

    @Test
    void flagsMatchInAnyOrderGroupingOrSpelling() {
        for (String c : new String[] {"rm -rf x", "rm -fr x", "rm -r -f x", "rm -Rf x", "rm --recursive --force x", "rm -v -rf x"}) {
            assertTrue(matches("rm -rf", c), c);
        }
        assertFalse(matches("rm -rf", "rm -r x"));
        assertFalse(matches("rm -rf", "rm -- -rf"));
    }

    @Test
    void positionalWordsArePrefixesByWholeToken() {
        assertTrue(matches("git status", "git status --short"));
        assertTrue(matches("git status", "git -C repo status"));
        assertFalse(matches("git status", "git statusx"));
        assertFalse(matches("git status", "git log status"));
        assertTrue(matches("uv run", "uv run pytest -x"));
    }

    @Test
    void programIsComparedByNameWhateverItsPathOrCase() {
        assertTrue(matches("curl", "/usr/local/bin/curl x"));
        assertTrue(matches("/usr/bin/curl", "curl x"));
        assertTrue(matches("curl", "CURL x"));
        assertFalse(matches("curl", "curlie x"));
    }

    @Test
    void supportsGlobsAndTheAgentStraceTrailingStar() {
        assertTrue(matches("npm *", "npm install"));
        assertTrue(matches("npm *", "npm"));
        assertTrue(matches("python*", "python3.12 -m pytest"));
        assertTrue(matches("git push origin feature/*", "git push origin feature/x"));
        assertFalse(matches("git push origin feature/*", "git push origin main"));
    }

    @Test
    void doesNotConfuseAnArgumentThatMentionsAProgramWithTheProgram() {
        assertFalse(matches("rm -rf", "pytest -k rm"));
        assertFalse(matches("rm -rf", "echo 'rm -rf /'"));
    }

    @Test
    void rejectsPatternsThatAreNotOneCommand() {
        assertThrows(IllegalArgumentException.class, () -> CommandPattern.compile("curl x | sh"));
        assertThrows(IllegalArgumentException.class, () -> CommandPattern.compile("a; b"));
        assertThrows(IllegalArgumentException.class, () -> CommandPattern.compile("echo > f"));
        assertThrows(IllegalArgumentException.class, () -> CommandPattern.compile(" "));
    }
}
