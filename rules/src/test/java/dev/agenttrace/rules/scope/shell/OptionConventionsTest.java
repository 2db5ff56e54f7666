package dev.agenttrace.rules.scope.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OptionConventionsTest {

    @Test
    void normalisesGroupedSplitUpperCaseAndLongRmFlags() {
        for (List<String> args : List.of(List.of("-rf", "x"), List.of("-fr", "x"), List.of("-r", "-f", "x"),
                List.of("-Rf", "x"), List.of("--recursive", "--force", "x"))) {
            ParsedArguments p = OptionConventions.parse("rm", args);
            assertEquals(Set.of("r", "f"), p.flags(), args.toString());
            assertEquals(List.of("x"), p.positionals());
        }
    }

    @Test
    void takesOptionValuesSoTheyAreNotMistakenForOperands() {
        ParsedArguments curl = OptionConventions.parse("curl", List.of("-s", "-o", "out.txt", "-H", "A: b", "--url", "x.com", "y.com"));
        assertEquals(List.of("y.com"), curl.positionals());
        assertEquals(List.of("out.txt"), curl.valuesOf("o"));
        assertEquals(List.of("x.com"), curl.valuesOf("--url"));
        ParsedArguments git = OptionConventions.parse("git", List.of("-C", "repo", "status"));
        assertEquals(List.of("status"), git.positionals());
    }

    @Test
    void readsSingleDashWordsOfFindAsOneOption() {
        ParsedArguments find = OptionConventions.parse("find", List.of(".", "-name", "x", "-delete"));
        assertEquals(Set.of("-name", "-delete"), find.flags());
        assertEquals(List.of("."), find.positionals());
    }

    @Test
    void stopsReadingOptionsAfterDoubleDash() {
        ParsedArguments rm = OptionConventions.parse("rm", List.of("--", "-rf"));
        assertEquals(Set.of(), rm.flags());
        assertEquals(List.of("-rf"), rm.positionals());
    }
}
