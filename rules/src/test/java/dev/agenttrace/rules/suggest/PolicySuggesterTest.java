package dev.agenttrace.rules.suggest;

import static dev.agenttrace.rules.suggest.RecordedSessions.bash;
import static dev.agenttrace.rules.suggest.RecordedSessions.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.rules.SessionAudit;
import dev.agenttrace.rules.scope.PolicyLoosening;
import dev.agenttrace.rules.scope.ScopePolicy;
import dev.agenttrace.rules.scope.ScopePolicyParser;
import dev.agenttrace.rules.scope.SecretPaths;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicySuggesterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    Path project;
    Path home;
    TraceStore store;
    RecordedSessions recorded;

    @BeforeEach
    void setUp() throws Exception {
        project = Files.createDirectories(tmp.resolve("proj"));
        home = Files.createDirectories(tmp.resolve("home"));
        store = TraceStore.at(Files.createDirectories(tmp.resolve("traces")));
        recorded = new RecordedSessions(store.dir());
    }

    private PolicySuggester.Suggestion suggest(ScopePolicy base, JsonNode baseTree) {
        PolicySuggester s = new PolicySuggester(home, null, base, baseTree);
        for (SessionMeta m : store.listSessions()) {
            s.add(store, m);
        }
        return s.suggest();
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private void twoCodingSessions() {
        recorded.session("claude-code", project,
                bash("git status"), bash("git diff src/a.py"), bash("npm test"),
                call("Read", "file_path", project + "/src/a/x.py"), call("Read", "file_path", "src/a/y.py"),
                call("Read", "file_path", "src/a/z.py"), call("Read", "file_path", "README.md"),
                call("Edit", "file_path", "src/a/x.py"), call("WebFetch", "url", "https://api.example.com/v1/x"),
                call("Read", "file_path", ".env"),
                call("PowerShell", "command", "Get-ChildItem env:"));
        recorded.session("claude-code", project, call("Write", "file_path", "docs/x.md"),
                bash("git diff HEAD~1 -- src"), bash("git status --short"), call("Read", "file_path", "src/b/w.py"),
                bash("cat config/.env.local"));
    }

    @Test
    void learnsSubcommandsPathsAndHostsOnlyAsFarAsTheCallsShow() throws Exception {
        twoCodingSessions();
        PolicySuggester.Suggestion s = suggest(null, null);
        JsonNode p = JSON.readTree(s.json());
        List<String> commands = strings(p.at("/commands/allow"));
        assertTrue(commands.contains("git status"), commands.toString());
        assertTrue(commands.contains("git diff *"), commands.toString());
        assertTrue(commands.contains("npm test"), commands.toString());
        assertFalse(commands.contains("git") || commands.contains("git *"), "never git * from its subcommands: " + commands);
        assertEquals(List.of("cat", "git diff *", "git status", "npm test"), commands, "an undetermined call supports no rule");
        List<String> reads = strings(p.at("/files/read/allow"));
        assertTrue(reads.contains("src/a/**"), "three files under src/a: " + reads);
        assertTrue(reads.contains("src/b/w.py"), "one file under src/b stays exact: " + reads);
        assertTrue(reads.contains("README.md"), reads.toString());
        assertFalse(reads.contains("src/**") || reads.contains("**"), reads.toString());
        assertFalse(reads.stream().anyMatch(r -> r.contains(".env")), "secrets are never allowed: " + reads);
        assertTrue(strings(p.at("/files/read/deny")).containsAll(SecretPaths.GLOBS));
        assertEquals(List.of("docs/x.md", "src/a/x.py"), strings(p.at("/files/write/allow")));
        assertTrue(p.at("/network/deny_all").asBoolean());
        assertEquals(List.of("api.example.com"), strings(p.at("/network/allow")));
        assertEquals("2 calls in 2 sessions, 2 distinct commands", p.at("/commands/$comment").get("git status").asText());
        assertTrue(p.at("/files/read/$comment").get("src/a/**").asText().startsWith("3 calls in 1 session"), s.json());
        assertTrue(p.at("/files/read/$comment").get(".env").asText().contains("the agent read it in 1 call in 1 session"), s.json());
        assertEquals(1, s.forAPerson().size(), s.forAPerson().toString());
        assertTrue(s.forAPerson().get(0).why().contains("undetermined"), s.forAPerson().toString());
        assertTrue(strings(p.get("$comment")).stream().anyMatch(l -> l.startsWith("For a person to decide") && l.contains("PowerShell")));
    }

    @Test
    void theSuggestionParsesAndBlocksNoneOfItsSessionsCallsButTheSecretsAndTheUndetermined() throws Exception {
        twoCodingSessions();
        PolicySuggester.Suggestion s = suggest(null, null);
        ScopePolicy policy = ScopePolicyParser.parse(s.json(), "suggestion.json");
        List<String> blocked = new ArrayList<>();
        for (SessionMeta m : store.listSessions()) {
            for (SessionAudit.Violation v : SessionAudit.audit(store, m, policy, null, home).violations()) {
                blocked.add(v.tool() + " " + v.arguments());
            }
        }
        assertEquals(3, blocked.size(), blocked.toString());
        assertTrue(blocked.stream().anyMatch(b -> b.contains("\".env\"")), blocked.toString());
        assertTrue(blocked.stream().anyMatch(b -> b.contains("config/.env.local")), blocked.toString());
        assertTrue(blocked.stream().anyMatch(b -> b.startsWith("PowerShell")), blocked.toString());
        assertEquals(2, s.secrets().size(), s.secrets().toString());
    }

    @Test
    void aDirectoryNeedsThreeDistinctPathsAndNeverTheRootOrShallowAbsoluteOnes() {
        recorded.session("a", project, call("Read", "file_path", "docs/one.md"), call("Read", "file_path", "docs/one.md"),
                call("Read", "file_path", "docs/two.md"), call("Read", "file_path", "a.txt"), call("Read", "file_path", "b.txt"),
                call("Read", "file_path", "c.txt"), call("Read", "file_path", "/usr/x"), call("Read", "file_path", "/usr/y"),
                call("Read", "file_path", "/usr/z"));
        PolicySuggester.Suggestion s = suggest(null, null);
        List<String> reads = s.policy().read().allow().stream().map(g -> g.text()).toList();
        assertTrue(reads.containsAll(List.of("docs/one.md", "docs/two.md", "a.txt", "b.txt", "c.txt", "/usr/x", "/usr/y", "/usr/z")),
                "two paths in docs, root files and /usr stay exact: " + reads);
        assertEquals(8, reads.size(), reads.toString());
    }

    @Test
    void nothingSeenMeansDeniedNotUnrestricted() throws Exception {
        recorded.session("a", project, call("Read", "file_path", "src/a.py"));
        JsonNode p = JSON.readTree(suggest(null, null).json());
        assertTrue(strings(p.at("/files/write/deny")).contains("**"), p.toPrettyString());
        assertTrue(strings(p.at("/commands/deny")).contains("*"), p.toPrettyString());
        assertTrue(p.at("/network/deny_all").asBoolean());
        ScopePolicy policy = ScopePolicyParser.parse(p.toString(), "x");
        assertTrue(new dev.agenttrace.rules.ScopeFirewall(policy, new dev.agenttrace.rules.scope.JudgeContext(project, home))
                .judge("Bash", JSON.readTree("{\"command\":\"ls\"}")).blocked());
    }

    @Test
    void mergeKeepsEveryDenyAndAddsTheAllowsTheCallsNeed() throws Exception {
        twoCodingSessions();
        String existing = """
                {"files": {"read": {"deny": ["src/a/z.py", "**/*.sqlite"]}, "write": {"allow": ["docs/**"], "deny": [".github/**"]}},
                 "commands": {"allow": ["make"], "deny": ["git push", "curl"], "trust": ["tmux"]},
                 "network": {"deny_all": true, "allow": ["localhost"]},
                 "tools": {"my_reader": {"kind": "file_read", "args": ["target"]}}}
                """;
        ScopePolicy base = ScopePolicyParser.parse(existing, "old.json");
        PolicySuggester.Suggestion s = suggest(base, JSON.readTree(existing));
        ScopePolicy merged = ScopePolicyParser.parse(s.json(), "new.json");
        for (String line : PolicyLoosening.of(base, merged)) {
            assertFalse(line.contains("deny") || line.contains("protect") || line.contains("tools"), "merge loosened: " + line);
        }
        JsonNode p = JSON.readTree(s.json());
        assertTrue(strings(p.at("/files/read/deny")).containsAll(List.of("src/a/z.py", "**/*.sqlite")));
        assertTrue(strings(p.at("/commands/deny")).containsAll(List.of("git push", "curl")));
        assertEquals(List.of("tmux"), strings(p.at("/commands/trust")));
        assertTrue(strings(p.at("/commands/allow")).containsAll(List.of("make", "git status", "npm test")));
        assertTrue(strings(p.at("/files/write/allow")).containsAll(List.of("docs/**", "src/a/x.py")));
        assertTrue(strings(p.at("/network/allow")).containsAll(List.of("localhost", "api.example.com")));
        assertTrue(merged.tools().lookup("my_reader").isPresent());
        assertFalse(strings(p.at("/files/write/allow")).contains("docs/x.md"), "what the old allows admit is not learned again");
        // the kept deny still wins over what the agent did: its read of src/a/z.py is blocked and said so
        assertTrue(s.forAPerson().stream().anyMatch(r -> r.why().contains("src/a/z.py")), s.forAPerson().toString());
    }

    @Test
    void learnsFromTheAgentStraceHookSessionAndKeepsItsEnvReadOut() throws Exception {
        Path fixtures = Path.of(getClass().getResource("/fixtures/agent-strace/.agent-traces").toURI());
        TraceStore agentStrace = TraceStore.at(fixtures);
        PolicySuggester s = new PolicySuggester(home, null, null, null);
        s.add(agentStrace, agentStrace.resolve("7f3e9a10-hooks-s"));
        PolicySuggester.Suggestion out = s.suggest();
        JsonNode p = JSON.readTree(out.json());
        assertEquals(List.of("src/auth.py"), strings(p.at("/files/read/allow")), "absolute hook paths made relative to working_dir");
        assertEquals(List.of("src/auth.py"), strings(p.at("/files/write/allow")));
        List<String> commands = strings(p.at("/commands/allow"));
        assertTrue(commands.contains("uv run pytest *") || commands.contains("uv run *"), commands.toString());
        assertEquals(1, out.secrets().size(), "the .env read is the one call it blocks: " + out.secrets());
        assertTrue(out.forAPerson().isEmpty(), out.forAPerson().toString());
    }

    @Test
    void commandPatternsKeepFlagsBeforeASubcommandButNeverOptionValues() {
        recorded.session("a", project, bash("git -C sub status"), bash("python -m pytest tests/unit"), bash("mysql -pHunter2secret --batch"),
                bash("git --version"), bash("make"), bash("npm run build && npm run lint"),
                bash("npm test -- --grep login"), bash("grep -rn TODO src"), bash("grep -l fixme docs"));
        List<String> commands = suggest(null, null).policy().commands().allow().stream().map(c -> c.text()).toList();
        assertEquals(List.of("git --version", "git status", "grep", "make", "mysql", "npm run build", "npm run lint", "npm test *",
                "python -m pytest *"),
                commands, "the password given with -p is in no pattern; mysql has no subcommand, so the files rules restrict it");
    }

    @Test
    void learnsFromMcpServerToolsAsFromAgentTools() throws Exception {
        recorded.session("mcp", project, call("read_file", "path", "docs/a.md"), call("read_text_file", "path", "docs/b.md"),
                call("read_multiple_files", "paths", "docs/c.md"), call("write_file", "path", "out/report.md"),
                call("fetch", "url", "https://pypi.org/simple/requests/"), call("run_command", "command", "cargo build --release"),
                call("read_file", "path", "/home/nobody/.ssh/id_ed25519"));
        PolicySuggester.Suggestion s = suggest(null, null);
        JsonNode p = JSON.readTree(s.json());
        assertEquals(List.of("docs/**"), strings(p.at("/files/read/allow")), s.json());
        assertEquals(List.of("out/report.md"), strings(p.at("/files/write/allow")));
        assertEquals(List.of("pypi.org"), strings(p.at("/network/allow")));
        assertEquals(List.of("cargo build"), strings(p.at("/commands/allow")), "its flags need no mention: cargo build matches cargo build --release");
        assertEquals(1, s.secrets().size(), "the private key read: " + s.secrets());
    }
}
