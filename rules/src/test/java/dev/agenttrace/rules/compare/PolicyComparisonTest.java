package dev.agenttrace.rules.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.rules.scope.ScopePolicy;
import dev.agenttrace.rules.scope.ScopePolicyParser;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyComparisonTest {
    private static ScopePolicy parse(String json) throws Exception {
        return ScopePolicyParser.parse(json, "p.json");
    }

    @Test
    void listsEveryRuleAddedRemovedAndSwitchedAndWhatLoosens() throws Exception {
        ScopePolicy before = parse("""
                {"files": {"read": {"allow": ["src/**"], "deny": [".env"]}},
                 "commands": {"allow": ["git status"], "deny": ["curl"]},
                 "network": {"deny_all": true, "allow": ["localhost"]},
                 "tools": {"my_reader": {"kind": "file_read", "args": ["target"]}}}
                """);
        ScopePolicy after = parse("""
                {"files": {"read": {"allow": ["src/**", "docs/**"]}, "write": {"deny": [".github/**"]}},
                 "commands": {"allow": ["git status"], "deny": ["curl", "wget"], "trust": ["tmux"]},
                 "network": {"deny_all": false},
                 "protect": false,
                 "tools": {"my_reader": {"kind": "none"}}}
                """);
        List<String> changes = PolicyComparison.rules(before, after).stream().map(PolicyComparison.RuleChange::display).toList();
        assertEquals(List.of("+ files.read.allow \"docs/**\"", "- files.read.deny \".env\"", "+ files.write.deny \".github/**\"",
                "+ commands.deny \"wget\"", "+ commands.trust \"tmux\"", "~ network.deny_all true -> false", "- network.allow \"localhost\"",
                "~ protect true -> false", "~ tools \"my_reader\" changed"), changes);
        List<String> loosens = PolicyComparison.loosening(before, after);
        assertTrue(loosens.contains("files.read.deny loses \".env\""), loosens.toString());
        assertTrue(loosens.contains("network.deny_all is turned off"), loosens.toString());
        assertTrue(loosens.stream().anyMatch(l -> l.startsWith("\"protect\": false")), loosens.toString());
    }

    @Test
    void identicalPoliciesHaveNoChangesWhateverTheirComments() throws Exception {
        ScopePolicy a = parse("{\"commands\": {\"allow\": [\"npm test\"]}}");
        ScopePolicy b = parse("{\"$comment\": [\"learned\"], \"commands\": {\"allow\": [\"npm test\"], \"$comment\": {\"npm test\": \"3 calls\"}}}");
        assertEquals(List.of(), PolicyComparison.rules(a, b));
        assertEquals(List.of(), PolicyComparison.loosening(a, b));
    }
}
