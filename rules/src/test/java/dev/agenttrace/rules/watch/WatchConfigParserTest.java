package dev.agenttrace.rules.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatchConfigParserTest {
    private static final String FILE = ".agent-watch.json";

    @TempDir
    Path dir;

    @Test
    void aDirectorysWatchFilesAreFoundAndMergedInOrderTheLaterWinning() throws Exception {
        assertEquals(java.util.List.of(), WatchConfig.filesIn(dir));
        assertEquals(null, WatchConfig.load(java.util.List.of()));
        Files.writeString(dir.resolve(".watch-rules.json"), "{\"watchers\": {\"retry\": {\"max\": 7, \"alert\": \"terminal\"}}}");
        Files.createDirectory(dir.resolve(".agent-watch.json")); // a directory of that name is not a file
        assertEquals(java.util.List.of(dir.resolve(".watch-rules.json")), WatchConfig.filesIn(dir));
        Files.delete(dir.resolve(".agent-watch.json"));
        Files.writeString(dir.resolve(".agent-watch.json"), "{\"watchers\": {\"retry\": {\"max\": 2, \"alert\": \"block\"},"
                + " \"loop\": {\"max_repeats\": 4, \"alert\": \"terminal\"}}}");
        java.util.List<Path> files = WatchConfig.filesIn(dir);
        assertEquals(java.util.List.of(dir.resolve(".agent-watch.json"), dir.resolve(".watch-rules.json")), files);
        WatchConfig merged = WatchConfig.load(files);
        assertEquals(2, merged.rules().size(), merged.describe());
        assertTrue(merged.describe().contains("7"), merged.describe()); // .watch-rules.json came last: its retry wins
        Files.writeString(dir.resolve(".watch-rules.json"), "{\"watchers\": {\"retyr\": {}}}");
        WatchConfigException e = assertThrows(WatchConfigException.class, () -> WatchConfig.load(files));
        assertTrue(e.getMessage().startsWith(dir.resolve(".watch-rules.json") + ":"), e.getMessage());
    }

    private WatchConfig parse(String json) throws WatchConfigException {
        return WatchConfigParser.parse(json, FILE, dir);
    }

    private WatchConfigException rejects(String json) {
        return assertThrows(WatchConfigException.class, () -> parse(json));
    }

    private static void assertAt(WatchConfigException e, int line, int column) {
        assertEquals(line + ":" + column, e.line() + ":" + e.column(), e.getMessage());
        assertTrue(e.getMessage().startsWith(FILE + ":" + line + ":" + column + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("; fix: "), e.getMessage());
    }

    @Test
    void readsTheDesignExample() throws Exception {
        Files.writeString(dir.resolve(".agent-scope.json"), "{\"files\": {\"write\": {\"deny\": [\".github/**\"]}}}");
        WatchConfig c = parse("""
                { "watchers": {
                    "retry":    { "max": 3, "alert": "terminal" },
                    "cost":     { "max_dollars": 5.0, "alert": "terminal" },
                    "scope":    { "policy": ".agent-scope.json", "alert": "kill" },
                    "duration": { "max_minutes": 15, "alert": "terminal" },
                    "loop":     { "sequence_length": 3, "max_repeats": 3, "alert": "file" } },
                  "webhook": { "url": "https://hooks.example.com/services/x", "events": ["cost", "scope"] } }
                """);
        assertEquals(Set.of(ActionKind.KILL), c.rule("scope").actions());
        assertEquals(Severity.CRITICAL, c.rule("scope").severity());
        assertEquals(Severity.WARNING, c.rule("retry").severity());
        assertNotNull(c.rule("budget"), "cost brings its budget-proximity warning");
        assertEquals("https://hooks.example.com/services/x", c.webhook().url().toString());
        assertEquals(java.util.List.of("cost", "scope"), c.webhook().events());
        assertTrue(c.describe().contains("retry: a failing call retried with the same arguments more than 3 times -> terminal"), c.describe());
        assertTrue(c.warnings().isEmpty(), c.warnings().toString());
    }

    @Test
    void readsTheRulesFileGrammar() throws Exception {
        WatchConfig c = parse("""
                { "rules": [
                  { "name": "cost cap",      "condition": "cost_usd > 0.50",                         "action": "kill" },
                  { "name": "protected env", "condition": "file_path matches \\"**/production.env\\"", "action": "block" },
                  { "name": "large edit",    "condition": "files_modified >= 30",                    "action": "pause", "notify": "slack:#alerts" },
                  { "name": "slow",          "condition": "duration_minutes > 15" },
                  { "name": "red tests",     "condition": "consecutive_test_failures >= 3", "action": "alert" }
                ]}
                """);
        assertEquals(5, c.rules().size());
        assertEquals("cost_usd > 0.5", c.rule("cost cap").describe().replaceAll("^cost cap: (.*) -> .*$", "$1"));
        assertEquals(Set.of(ActionKind.TERMINAL), c.rule("red tests").actions());
        assertEquals("slack:#alerts", c.rule("large edit").notifyTarget());
        assertTrue(c.warnings().get(0).contains("posts through the webhook"), c.warnings().toString());
    }

    @Test
    void unknownKeyNamesLineColumnAndTheNearestKey() {
        WatchConfigException e = rejects("""
                {
                  "watchers": {
                    "retry": { "maxx": 3 }
                  }
                }
                """);
        assertAt(e, 3, 16);
        assertTrue(e.getMessage().contains("unknown key \"maxx\" in watchers.retry"), e.getMessage());
        assertTrue(e.fix().contains("did you mean \"max\""), e.fix());
    }

    @Test
    void unknownWatcherSuggestsTheRealOne() {
        WatchConfigException e = rejects("{\"watchers\": {\"retries\": {\"max\": 3}}}");
        assertAt(e, 1, 15);
        assertTrue(e.fix().contains("did you mean \"retry\""), e.fix());
    }

    @Test
    void aKeyInTheWrongSectionSaysWhereItBelongs() {
        WatchConfigException e = rejects("{\"watchers\": {\"retry\": {\"max_dollars\": 3}}}");
        assertTrue(e.fix().contains("belongs in watchers.cost"), e.fix());
        WatchConfigException flag = rejects("{\"max_retries\": 3}");
        assertTrue(flag.fix().contains("watchers.retry as \"max\""), flag.fix());
    }

    @Test
    void aQuotedNumberIsAWrongTypeWithTheFix() {
        WatchConfigException e = rejects("{\"watchers\": {\"retry\": {\"max\": \"3\"}}}");
        assertAt(e, 1, 32);
        assertTrue(e.problem().contains("watchers.retry.max must be a whole number, not a string"), e.problem());
        assertEquals("write 3 without quotes", e.fix());
        WatchConfigException dollars = rejects("{\"watchers\": {\"cost\": {\"max_dollars\": \"$5\"}}}");
        assertTrue(dollars.fix().contains("without the $"), dollars.fix());
    }

    @Test
    void outOfRangeAndFractionalValuesAreRejected() {
        assertTrue(rejects("{\"watchers\": {\"retry\": {\"max\": -1}}}").problem().contains("at least 0"));
        assertTrue(rejects("{\"watchers\": {\"retry\": {\"max\": 2.5}}}").problem().contains("whole number"));
        assertTrue(rejects("{\"watchers\": {\"cost\": {\"max_dollars\": 0}}}").problem().contains("more than 0"));
        assertTrue(rejects("{\"watchers\": {\"loop\": {\"window\": 5, \"max_same_calls\": 9}}}").problem().contains("can never trip"));
    }

    @Test
    void unknownActionIsRejectedWithTheList() {
        WatchConfigException e = rejects("{\"watchers\": {\"retry\": {\"alert\": \"kil\"}}}");
        assertAt(e, 1, 34);
        assertTrue(e.fix().startsWith("did you mean \"kill\"?"), e.fix());
        assertTrue(rejects("{\"rules\": [{\"name\": \"x\", \"condition\": \"errors > 1\", \"action\": \"require_approval\"}]}")
                .fix().contains("pause"));
    }

    @Test
    void actionsMayBeAList() throws Exception {
        WatchConfig c = parse("{\"watchers\": {\"retry\": {\"alert\": [\"terminal\", \"file\", \"block\"]}}}");
        assertEquals(Set.of(ActionKind.TERMINAL, ActionKind.FILE, ActionKind.BLOCK), c.rule("retry").actions());
        assertEquals(Severity.CRITICAL, c.rule("retry").severity());
    }

    @Test
    void conditionErrorsPointInsideTheString() {
        WatchConfigException metric = rejects("{\"rules\": [{\"name\": \"c\", \"condition\": \"cost_dollars > 1\"}]}");
        assertAt(metric, 1, 40);
        assertTrue(metric.problem().contains("unknown metric \"cost_dollars\""), metric.problem());
        assertTrue(metric.fix().contains("cost_usd"), metric.fix());

        WatchConfigException op = rejects("{\"rules\": [{\"name\": \"c\", \"condition\": \"cost_usd = 1\"}]}");
        assertAt(op, 1, 49);
        assertEquals("write == to compare", op.fix());

        WatchConfigException dollar = rejects("{\"rules\": [{\"name\": \"c\", \"condition\": \"cost_usd > $0.50\"}]}");
        assertEquals("write 0.50 without the $", dollar.fix());

        WatchConfigException unit = rejects("{\"rules\": [{\"name\": \"c\", \"condition\": \"duration_minutes > 15m\"}]}");
        assertTrue(unit.fix().contains("already in minutes"), unit.fix());

        WatchConfigException unquoted = rejects("{\"rules\": [{\"name\": \"c\", \"condition\": \"file_path matches **/.env\"}]}");
        assertTrue(unquoted.problem().contains("must be quoted"), unquoted.problem());
    }

    @Test
    void aRuleNeedsANameAndACondition() {
        assertTrue(rejects("{\"rules\": [{\"condition\": \"errors > 1\"}]}").problem().contains("has no \"name\""));
        assertTrue(rejects("{\"rules\": [{\"name\": \"x\"}]}").problem().contains("has no \"condition\""));
        WatchConfigException twice = rejects("{\"rules\": [{\"name\": \"x\", \"condition\": \"errors > 1\"},\n"
                + " {\"name\": \"x\", \"condition\": \"errors > 2\"}]}");
        assertAt(twice, 2, 3);
        assertTrue(twice.problem().contains("already defined at line 1"), twice.problem());
    }

    @Test
    void theReadmesBareArrayIsRejectedWithTheWrapping() {
        WatchConfigException e = rejects("[{\"condition\": \"cost_usd\", \"threshold\": 0.5}]");
        assertAt(e, 1, 1);
        assertTrue(e.fix().contains("{\"rules\": [ ... ]}"), e.fix());
    }

    @Test
    void syntaxErrorsGetAFix() {
        WatchConfigException trailing = rejects("{\"watchers\": {\"retry\": {\"max\": 3,}}}");
        assertTrue(trailing.fix().contains("trailing comma"), trailing.getMessage());
        WatchConfigException dup = rejects("{\"watchers\": {\"retry\": {\"max\": 3}, \"retry\": {}}}");
        assertTrue(dup.problem().contains("appears twice"), dup.getMessage());
        WatchConfigException empty = rejects("  \n");
        assertEquals("the file is empty", empty.problem());
    }

    @Test
    void yamlAndMissingFilesAreErrorsNotDefaults(@TempDir Path d) throws IOException {
        Path yaml = Files.writeString(d.resolve(".watch-rules.yaml"), "rules:\n  - name: x\n");
        assertTrue(assertThrows(WatchConfigException.class, () -> WatchConfigParser.parse(yaml)).problem().contains("YAML"));
        WatchConfigException missing = assertThrows(WatchConfigException.class, () -> WatchConfigParser.parse(d.resolve("nope.json")));
        assertTrue(missing.problem().contains("does not exist"), missing.getMessage());
    }

    @Test
    void theScopeWatchersPolicyMustExistAndParse() throws IOException {
        WatchConfigException missing = rejects("{\"watchers\": {\"scope\": {\"policy\": \"missing.json\"}}}");
        assertAt(missing, 1, 35);
        Files.writeString(dir.resolve("bad.json"), "{\"files\": {\"raed\": {}}}");
        WatchConfigException bad = rejects("{\"watchers\": {\"scope\": {\"policy\": \"bad.json\"}}}");
        assertTrue(bad.problem().contains("unknown key \"raed\""), bad.problem());
    }

    @Test
    void webhookEventsMustNameRules() {
        WatchConfigException e = rejects("{\"webhook\": {\"url\": \"https://x.example/h\", \"events\": [\"cots\"]}}");
        assertTrue(e.fix().startsWith("did you mean \"cost\"?"), e.fix());
        assertTrue(rejects("{\"webhook\": {\"url\": \"ftp://x\"}}").problem().contains("not an http(s) URL"));
    }

    @Test
    void errorKindsAreChecked() throws Exception {
        WatchConfigException e = rejects("{\"watchers\": {\"error_kind\": {\"kinds\": {\"permision\": 1}}}}");
        assertTrue(e.fix().contains("did you mean \"permission\""), e.fix());
        WatchConfig c = parse("{\"watchers\": {\"error_kind\": {\"kinds\": {\"rate_limited\": 2, \"timeout\": 3}}}}");
        assertTrue(c.rule("error_kind").describe().contains("2 rate_limited"), c.rule("error_kind").describe());
    }

    @Test
    void aDisabledWatcherIsOffAndAnEmptyConfigWarns() throws Exception {
        WatchConfig c = parse("{\"watchers\": {\"retry\": {\"enabled\": false}}}");
        assertNull(c.rule("retry"));
        assertFalse(c.warnings().isEmpty());
    }

    @Test
    void unknownCostModelIsRejected() throws Exception {
        WatchConfigException e = rejects("{\"watchers\": {\"cost\": {\"model\": \"sonet\"}}}");
        assertTrue(e.fix().startsWith("did you mean \"sonnet\"?"), e.fix());
        assertEquals("claude-opus-4-1", parse("{\"watchers\": {\"cost\": {\"model\": \"claude-opus-4-1\"}}}").costModel());
    }

    @Test
    void laterFilesReplaceRulesOfTheSameName() throws Exception {
        WatchConfig merged = WatchConfig.defaults().mergedWith(parse("{\"watchers\": {\"retry\": {\"max\": 1, \"alert\": \"kill\"}}}"));
        assertEquals(Set.of(ActionKind.KILL), merged.rule("retry").actions());
        assertNotNull(merged.rule("cost"));
    }
}
