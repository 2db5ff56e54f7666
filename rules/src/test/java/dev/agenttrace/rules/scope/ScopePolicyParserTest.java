package dev.agenttrace.rules.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScopePolicyParserTest {
    private static final String FILE = ".agent-scope.json";

    private static PolicyException rejects(String json) {
        return assertThrows(PolicyException.class, () -> ScopePolicyParser.parse(json, FILE));
    }

    private static void assertAt(PolicyException e, int line, int column) {
        assertEquals(line + ":" + column, e.line() + ":" + e.column(), e.getMessage());
        assertTrue(e.getMessage().startsWith(FILE + ":" + line + ":" + column + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("; fix: "), e.getMessage());
    }

    @Test
    void emptyFileAndEmptyObjectAreValidPoliciesThatAllowEverythingAndSaySo() throws PolicyException {
        for (String empty : List.of("", "  \n", "{}", "\uFEFF{ }")) {
            ScopePolicy p = ScopePolicyParser.parse(empty, FILE);
            assertTrue(p.allowsEverything(), empty);
            assertTrue(p.describe().contains("every tool call is allowed"), p.describe());
        }
    }

    @Test
    void readsTheDesignExample() throws PolicyException {
        ScopePolicy p = ScopePolicyParser.parse("""
                {
                  "files":    { "read":  { "allow": ["src/**", "tests/**"], "deny": [".env", "**/*.pem"] },
                                "write": { "allow": ["src/**"], "deny": [".github/**"] } },
                  "commands": { "allow": ["pytest", "uv run", "git status"], "deny": ["curl", "wget", "rm -rf"] },
                  "network":  { "deny_all": true, "allow": ["localhost", "*.internal.example"] }
                }
                """, FILE);
        assertEquals(2, p.read().allow().size());
        assertEquals(".github/**", p.write().deny().get(0).text());
        assertEquals(3, p.commands().deny().size());
        assertTrue(p.network().denyAll());
        assertTrue(p.describe().contains("only \"src/**\", \"tests/**\" (every other path is denied)"), p.describe());
        assertTrue(p.warnings().isEmpty());
    }

    @Test
    void unknownKeyNamesLineAndColumnAndSuggestsTheNearestKey() {
        PolicyException e = rejects("""
                {
                  "files": {
                    "read": { "denny": [".env"] }
                  }
                }
                """);
        assertAt(e, 3, 15);
        assertTrue(e.problem().contains("unknown key \"denny\" in files.read"), e.problem());
        assertEquals("did you mean \"deny\"?", e.fix());
        assertEquals("did you mean \"deny_all\"?", rejects("{\"network\": {\"denyAll\": true}}").fix());
        assertEquals("did you mean \"commands\"?", rejects("{\"comands\": {}}").fix());
    }

    @Test
    void keyInTheWrongSectionSaysWhereItBelongs() {
        PolicyException e = rejects("{\"commands\": {\"deny_all\": true}}");
        assertAt(e, 1, 15);
        assertTrue(e.fix().contains("\"deny_all\" belongs in \"network\""), e.fix());
        assertTrue(rejects("{\"read\": {}}").fix().contains("belongs in \"files\""));
    }

    @Test
    void unknownKeyWithNoNearNeighbourListsTheKnownKeys() {
        PolicyException e = rejects("{\"files\": {\"execute\": {}}}");
        assertEquals("remove it; the keys here are \"read\", \"write\"", e.fix());
    }

    @Test
    void wrongTypeSaysWhatToWriteInstead() {
        PolicyException single = rejects("{\"files\": {\"read\": {\"deny\": \".env\"}}}");
        assertAt(single, 1, 29);
        assertTrue(single.problem().contains("files.read.deny must be an array of strings, not a string"));
        assertEquals("write [\".env\"]", single.fix());

        PolicyException quotedBoolean = rejects("{\"network\": {\n  \"deny_all\": \"true\"}}");
        assertAt(quotedBoolean, 2, 15);
        assertEquals("write true without quotes", quotedBoolean.fix());

        PolicyException number = rejects("{\"commands\": {\"allow\": [\"make\", 42]}}");
        assertTrue(number.problem().contains("commands.allow[1] must be a string"), number.problem());
        assertEquals("quote it: \"42\"", number.fix());

        assertTrue(rejects("{\"files\": []}").problem().contains("files must be an object, not an array"));
        assertTrue(rejects("[]").problem().contains("the policy must be a JSON object"));
        assertTrue(rejects("{\"files\": {\"read\": {\"allow\": null}}}").fix().contains("write [] for no rules"));
    }

    @Test
    void badGlobPointsAtTheOffendingCharacter() {
        PolicyException e = rejects("{\"files\": {\"read\": {\"allow\": [\"src/[abc\"]}}}");
        // the string starts at column 31; '[' is its fifth character
        assertAt(e, 1, 36);
        assertTrue(e.problem().contains("bad glob \"src/[abc\" in files.read.allow"), e.problem());
        assertTrue(e.fix().contains("close the character class"), e.fix());

        PolicyException star = rejects("{\"files\": {\"write\": {\"deny\": [\"**.key\"]}}}");
        assertTrue(star.fix().contains("**/*.key"), star.fix());
    }

    @Test
    void badCommandAndHostPatternsSayHowToWriteThem() {
        PolicyException pipe = rejects("{\"commands\": {\"deny\": [\"curl | sh\"]}}");
        assertAt(pipe, 1, 24);
        assertTrue(pipe.fix().contains("one pattern per program"), pipe.fix());

        PolicyException url = rejects("{\"network\": {\"deny_all\": true, \"allow\": [\"https://api.example.com/v1\"]}}");
        assertTrue(url.fix().contains("write \"api.example.com\""), url.fix());
        PolicyException port = rejects("{\"network\": {\"deny_all\": true, \"allow\": [\"localhost:3000\"]}}");
        assertTrue(port.fix().contains("write \"localhost\""), port.fix());
    }

    @Test
    void invalidJsonIsReportedWithAFixForTheCommonMistakes() {
        PolicyException trailing = rejects("{\n  \"files\": {\"read\": {\"deny\": [\".env\"],}}\n}");
        assertEquals(2, trailing.line());
        assertTrue(trailing.fix().contains("trailing comma"), trailing.fix());

        assertTrue(rejects("{\n  // no comments\n}").fix().contains("no comments"));
        assertTrue(rejects("{'files': {}}").fix().contains("double quotes"));
        assertTrue(rejects("{files: {}}").fix().contains("double quotes"));
        assertTrue(rejects("{\"files\": {} \"commands\": {}}").fix().contains("add a comma"));
        assertTrue(rejects("{\"files\": {\"read\": {}").fix().contains("close every {"));
        assertTrue(rejects("{\"network\": {\"deny_all\": tru}}").fix().contains("only true, false, null"));
        assertTrue(rejects("{} {}").fix().contains("exactly one"));
    }

    @Test
    void duplicateKeysAreAnErrorNotASilentOverride() {
        PolicyException e = rejects("{\"files\": {\"read\": {\"deny\": [\".env\"], \"deny\": []}}}");
        assertTrue(e.problem().contains("key \"deny\" appears twice"), e.problem());
        assertEquals(1, e.line());
    }

    @Test
    void toolsSectionAcceptsOneKindOrSeveralAndReplacesDefaults() throws PolicyException {
        ScopePolicy p = ScopePolicyParser.parse("""
                {"tools": {
                   "my_reader": {"kind": "file_read", "args": ["target"]},
                   "mover": [{"kind": "file_read", "args": ["from"]}, {"kind": "file_write", "args": ["from", "to"]}],
                   "Bash": {"kind": "none"},
                   "runner": {"kind": "command", "args": ["spec.script"]}
                }}
                """, FILE);
        assertEquals(List.of(new ArgumentBinding("target", ArgumentKind.FILE_READ)), p.tools().lookup("my_reader").orElseThrow().arguments());
        assertEquals(3, p.tools().lookup("MOVER").orElseThrow().arguments().size());
        assertTrue(p.tools().lookup("Bash").orElseThrow().arguments().isEmpty());
        assertTrue(p.tools().lookup("read_file").isPresent(), "defaults stay");
        assertTrue(p.describe().contains("tools: 4 tools added to the default table"), p.describe());
    }

    @Test
    void toolsSectionErrorsSayWhatIsMissing() {
        PolicyException kind = rejects("{\"tools\": {\"x\": {\"kind\": \"file-read\", \"args\": [\"p\"]}}}");
        assertAt(kind, 1, 26);
        assertTrue(kind.fix().startsWith("did you mean \"file_read\"?"), kind.fix());
        assertTrue(rejects("{\"tools\": {\"x\": {\"kind\": \"url\"}}}").fix().contains("add \"args\""));
        assertTrue(rejects("{\"tools\": {\"x\": {\"args\": [\"p\"]}}}").fix().contains("add \"kind\""));
        assertTrue(rejects("{\"tools\": {\"x\": {\"kind\": \"none\", \"args\": [\"p\"]}}}").fix().contains("remove \"args\""));
        assertEquals("did you mean \"args\"?", rejects("{\"tools\": {\"x\": {\"kind\": \"url\", \"arg\": [\"u\"]}}}").fix());
    }

    @Test
    void warnsAboutRulesThatParseButDoNothing() throws PolicyException {
        ScopePolicy p = ScopePolicyParser.parse("{\"network\": {\"allow\": [\"localhost\"]}}", FILE);
        assertTrue(p.describe().contains("network.allow has no effect without \"deny_all\": true"), p.describe());
        ScopePolicy backslash = ScopePolicyParser.parse("{\"files\": {\"read\": {\"deny\": [\"config\\\\secrets\"]}}}", FILE);
        assertFalse(backslash.warnings().isEmpty());
    }

    @Test
    void aMissingFileIsAnErrorThatNamesIt(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve(FILE);
        PolicyException e = assertThrows(PolicyException.class, () -> ScopePolicyParser.parse(missing));
        assertTrue(e.getMessage().startsWith(missing + ":0:0: the policy file does not exist"), e.getMessage());
        Files.writeString(missing, "{\n\"files\": {\"red\": {}}}");
        PolicyException typo = assertThrows(PolicyException.class, () -> ScopePolicyParser.parse(missing));
        assertTrue(typo.getMessage().startsWith(missing + ":2:11: unknown key \"red\" in files; fix: did you mean \"read\"?"), typo.getMessage());
    }

    @Test
    void commentKeysAreAcceptedAtEveryLevelWithAnyValueAndChangeNothing() throws PolicyException {
        ScopePolicy p = ScopePolicyParser.parse("""
                {"$comment": ["suggested from 3 sessions", "review before enforcing"],
                 "files": {"$comment": "files", "read": {"allow": ["src/**"], "deny": [".env"],
                                                          "$comment": {"src/**": "9 calls in 3 sessions", ".env": {"nested": [1, 2]}}},
                           "write": {"$comment": null, "allow": ["src/**"]}},
                 "commands": {"allow": ["git status"], "$comment": {"git status": "4 calls in 2 sessions"}},
                 "network": {"deny_all": true, "allow": ["localhost"], "$comment": 3},
                 "tools": {"$comment": "custom tools", "my_reader": {"kind": "file_read", "args": ["target"], "$comment": "x"}}}
                """, FILE);
        assertEquals(List.of("src/**"), p.read().allow().stream().map(g -> g.text()).toList());
        assertEquals(List.of(".env"), p.read().deny().stream().map(g -> g.text()).toList());
        assertEquals("git status", p.commands().allow().get(0).text());
        assertTrue(p.network().denyAll());
        assertTrue(p.tools().lookup("my_reader").isPresent());
        assertFalse(p.tools().lookup("$comment").isPresent(), "a comment in tools is not a tool");
        assertTrue(p.warnings().isEmpty(), p.warnings().toString());
    }

    @Test
    void aMisspeltCommentKeyIsStillAnUnknownKey() {
        PolicyException e = rejects("{\"$coment\": \"x\"}");
        assertTrue(e.getMessage().contains("unknown key \"$coment\""), e.getMessage());
    }
}
