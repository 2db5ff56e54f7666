package dev.agenttrace.cli.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.rules.config.ConfigException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The TOML reader audit-tools reads Codex's config.toml with: what it accepts and where it says a file is wrong. */
class AuditToolsTomlTest {

    @Test
    void readsTheShapesAgentConfigsUse() throws Exception {
        Map<String, Object> root = Toml.parse("config.toml", """
                \uFEFFmodel = "o3"  # a comment after a value
                approval_policy = 'never'
                [mcp_servers.docs]
                command = "npx"
                args = ["-y", 'C:\\tools\\docs', "tab\\there \\u00e9\\U0001F600", ]
                env = { "API_KEY" = "k", nested.deep = true }
                timeout = 1_000
                ratio = -1.5e3
                when = 1979-05-27 07:32:00Z
                [mcp_servers."with space".env]
                X = \"""
                two
                lines\\
                   joined\"""
                [profiles.fast]
                a.b.c = 0x1F
                [[hooks]]
                name = "one"
                [[hooks]]
                name = "two"
                """);
        assertEquals("o3", root.get("model"));
        assertEquals("never", root.get("approval_policy"));
        Map<?, ?> servers = (Map<?, ?>) root.get("mcp_servers");
        Map<?, ?> docs = (Map<?, ?>) servers.get("docs");
        assertEquals(List.of("-y", "C:\\tools\\docs", "tab\there é\uD83D\uDE00"), docs.get("args"));
        assertEquals(Map.of("API_KEY", "k", "nested", Map.of("deep", true)), docs.get("env"));
        assertEquals(new Toml.Scalar("1_000"), docs.get("timeout"));
        assertEquals(new Toml.Scalar("1979-05-27 07:32:00Z"), docs.get("when"));
        assertEquals("two\nlinesjoined", ((Map<?, ?>) ((Map<?, ?>) servers.get("with space")).get("env")).get("X"));
        assertEquals(List.of(Map.of("name", "one"), Map.of("name", "two")), root.get("hooks"));
    }

    @Test
    void namesTheLineAndColumnOfWhatTomlForbids() {
        assertError("a = 1\na = 2\n", 2, 1, "key \"a\" is defined twice");
        assertError("[t]\nx = 1\n[t]\n", 3, 1, "table [t] is defined twice");
        assertEquals("put a string in double quotes: \"npx\"",
                assertThrows(ConfigException.class, () -> Toml.parse("c.toml", "command = npx\n")).fix(), "the fix comes with the problem");
        assertError("command = npx\n", 1, 11, "'npx' is not a TOML value");
        assertError("x = \"open\n", 1, 10, "the string is not closed on its line");
        assertError("x = \"a\" \"b\"\n", 1, 9, "expected the end of the line");
        assertError("x = \"\\q\"\n", 1, 6, "\\q is not a TOML escape");
        assertError("args = [\"a\" \"b\"]\n", 1, 13, "expected ',' or ']' in the array");
        assertError("[mcp_servers.fs\ncommand = \"x\"\n", 1, 16, "expected ']' to close the table header");
        assertError("x = [1]\n[x.y]\n", 2, 1, "\"x\" is already a value, not a table");
        assertError("x = \"bell\u0007\"\n", 1, 10, "control character U+0007");
        assertError("x = " + "[".repeat(100) + "]".repeat(100) + "\n", 1, 5 + 64, "arrays and inline tables nested deeper than 64");
    }

    private static void assertError(String toml, int line, int column, String problem) {
        ConfigException e = assertThrows(ConfigException.class, () -> Toml.parse("config.toml", toml), toml);
        assertTrue(e.getMessage().startsWith("config.toml:" + line + ":" + column + ": "), e.getMessage());
        assertTrue(e.problem().startsWith(problem), toml + " -> " + e.getMessage());
        assertEquals(line + ":" + column, e.line() + ":" + e.column(), toml + " -> " + e.getMessage());
    }
}
