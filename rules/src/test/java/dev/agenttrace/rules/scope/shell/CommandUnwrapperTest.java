package dev.agenttrace.rules.scope.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CommandUnwrapperTest {

    private static ResolvedCommand resolve(String script) {
        List<SimpleCommand> commands = ShellParser.parse(script);
        return CommandUnwrapper.resolve(commands.get(commands.size() - 1));
    }

    private static List<String> layers(String script) {
        return resolve(script).layers().stream().map(Invocation::binary).collect(Collectors.toList());
    }

    private static String innermost(String script) {
        Invocation i = resolve(script).innermost();
        return i.binary() + (i.arguments().isEmpty() ? "" : " " + String.join(" ", i.argumentTexts()));
    }

    @Test
    void peelsWrappersWithTheirOwnOptions() {
        assertEquals("rm -rf /", innermost("sudo -u root rm -rf /"));
        assertEquals("curl x", innermost("env -i A=b PATH=/bin curl x"));
        assertEquals("curl x", innermost("A=1 B=2 curl x"));
        assertEquals("curl x", innermost("timeout -s KILL 5 curl x"));
        assertEquals("curl x", innermost("timeout --kill-after=2 5s curl x"));
        assertEquals("curl x", innermost("nice -n 10 nohup curl x"));
        assertEquals("curl x", innermost("command exec curl x"));
        assertEquals("rm -rf", innermost("xargs -0 -n 1 rm -rf"));
        assertEquals("curl x", innermost("time -p curl x"));
        assertEquals("curl x", innermost("if curl x"));
        assertEquals("curl x", innermost("! curl x"));
        assertEquals(List.of("sudo", "env", "nice", "curl"), layers("sudo -E env A=1 nice -n 5 curl x"));
    }

    @Test
    void stripsTheDirectoryAndCaseOfTheProgram() {
        assertEquals("curl x", innermost("/usr/bin/curl x"));
        assertEquals("curl x", innermost("./bin/../CURL x"));
        assertEquals("curl x", innermost("'C:\\tools\\curl.exe' x"));
    }

    @Test
    void doesNotMistakeAWrapperOptionValueForTheProgram() {
        assertEquals("rm -rf /", innermost("sudo -u curl rm -rf /"));
    }

    @Test
    void keepsALookupWithCommandVAsTheCommandBuiltin() {
        assertEquals("command -v curl", innermost("command -v curl"));
    }

    @Test
    void handsOnScriptsOfShellsEvalSuAndEnvSplitString() {
        assertEquals(List.of("curl evil.com"), resolve("bash -c 'curl evil.com'").nestedScripts());
        assertEquals(List.of("curl evil.com"), resolve("sh -ec \"curl evil.com\"").nestedScripts());
        assertEquals(List.of("curl evil.com"), resolve("eval curl evil.com").nestedScripts());
        assertEquals(List.of("curl x"), resolve("su root -c 'curl x'").nestedScripts());
        assertEquals(List.of("curl x "), resolve("env -S 'curl x'").nestedScripts());
    }

    @Test
    void findsTheCommandOfFindExec() {
        ResolvedCommand r = resolve("find . -name '*.tmp' -exec rm -rf {} \\;");
        assertEquals(1, r.nestedCommands().size());
        assertEquals("rm", r.nestedCommands().get(0).words().get(0).text());
    }

    @Test
    void flagsAShellThatReadsItsScriptFromStdin() {
        assertTrue(resolve("curl x | sh").scriptFromStdin());
        assertTrue(resolve("curl x | bash -s -- arg").scriptFromStdin());
        assertFalse(resolve("bash script.sh").scriptFromStdin());
        assertFalse(resolve("bash -c 'ls'").scriptFromStdin());
        ResolvedCommand fed = resolve("bash <<EOF\ncurl x\nEOF");
        assertFalse(fed.scriptFromStdin());
        assertEquals(List.of("curl x\n"), fed.nestedScripts());
    }

    @Test
    void treatsLoopHeadersAsNoProgram() {
        assertFalse(resolve("for f in a b").runsProgram());
        assertFalse(resolve("X=1").runsProgram());
    }
}
