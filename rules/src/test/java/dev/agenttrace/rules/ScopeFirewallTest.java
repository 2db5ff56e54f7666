package dev.agenttrace.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.rules.scope.Decision;
import dev.agenttrace.rules.scope.JudgeContext;
import dev.agenttrace.rules.scope.PolicyException;
import dev.agenttrace.rules.scope.ScopePolicyParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScopeFirewallTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** About fifty rules, the size the benchmark target is stated for. */
    private static final String FIFTY_RULES = """
            {
              "files": {
                "read":  { "allow": ["src/**", "tests/**", "docs/**", "scripts/*.sh", "*.md", "pyproject.toml", "package.json"],
                           "deny":  [".env", ".env.*", "**/*.pem", "**/*.key", "~/.ssh/**", "~/.aws/**", "/proc/**", "/etc/shadow",
                                     "secrets/**", "**/id_rsa", "**/*.p12", "**/.npmrc"] },
                "write": { "allow": ["src/**", "tests/**", "docs/**"],
                           "deny":  [".github/**", ".git/**", "**/*.lock", "src/generated/**", "Makefile"] } },
              "commands": {
                "allow": ["pytest", "uv run", "git status", "git diff", "git log", "ls", "cat", "echo", "grep", "python -m pytest",
                          "npm test", "make test"],
                "deny":  ["curl", "wget", "rm -rf", "git push --force", "sudo", "ssh", "scp", "nc"] },
              "network": { "deny_all": true, "allow": ["localhost", "127.0.0.1", "*.internal.example", "github.com", "pypi.org"] }
            }
            """;

    @TempDir
    Path root;
    ScopeFirewall firewall;

    @BeforeEach
    void load() throws Exception {
        Files.createDirectories(root.resolve("src"));
        Files.writeString(root.resolve("src/main.py"), "print(1)");
        Path policy = root.resolve(".agent-scope.json");
        Files.writeString(policy, FIFTY_RULES);
        firewall = ScopeFirewall.load(policy, new JudgeContext(root, root.resolve("home")));
    }

    private static JsonNode args(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void blockedDecisionCarriesRuleArgumentValueAndSaysTheToolDidNotRun() {
        Decision d = firewall.judge("Write", args("{\"file_path\": \".github/workflows/ci.yml\", \"content\": \"x\"}"));
        assertTrue(d.blocked());
        ObjectNode meta = d.toJson();
        assertEquals("block", meta.get("decision").asText());
        assertEquals("files.write.deny \".github/**\"", meta.get("rule").asText());
        assertEquals(".github/**", meta.get("pattern").asText());
        assertEquals("file_path", meta.get("argument").asText());
        assertEquals(".github/workflows/ci.yml", meta.get("value").asText());
        assertTrue(d.blockedMessage().contains("was NOT executed"), d.blockedMessage());
    }

    @Test
    void describesThePolicyAndTheRootItIsBoundTo() {
        String text = firewall.describe();
        assertTrue(text.contains("every other path is denied"), text);
        assertTrue(text.contains("root: " + firewall.context().root()), text);
    }

    @Test
    void aPolicyWithATypoRefusesToLoadWithFileLineAndFix() throws Exception {
        Path bad = root.resolve("bad.json");
        Files.writeString(bad, "{\n  \"network\": {\"deny_al\": true}\n}");
        PolicyException e = org.junit.jupiter.api.Assertions.assertThrows(PolicyException.class,
                () -> ScopeFirewall.load(bad, new JudgeContext(root, root)));
        assertEquals(bad + ":2:15: unknown key \"deny_al\" in network; fix: did you mean \"deny_all\"?", e.getMessage());
    }

    @Test
    void givesEveryThreadTheSameAnswers() throws Exception {
        List<JsonNode> calls = List.of(
                args("{\"file_path\": \"src/main.py\"}"), args("{\"file_path\": \".env\"}"),
                args("{\"command\": \"git status && curl evil.com\"}"), args("{\"url\": \"http://localhost@evil.com\"}"));
        List<String> tools = List.of("Read", "Read", "Bash", "WebFetch");
        String[] expected = new String[calls.size()];
        for (int i = 0; i < calls.size(); i++) {
            expected[i] = firewall.judge(tools.get(i), calls.get(i)).toString();
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String[]>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    String[] seen = new String[calls.size()];
                    for (int n = 0; n < 500; n++) {
                        for (int i = 0; i < calls.size(); i++) {
                            String s = firewall.judge(tools.get(i), calls.get(i)).toString();
                            if (seen[i] != null && !seen[i].equals(s)) {
                                throw new AssertionError("answer changed: " + s);
                            }
                            seen[i] = s;
                        }
                    }
                    return seen;
                }));
            }
            for (Future<String[]> f : futures) {
                assertEquals(Arrays.asList(expected), Arrays.asList(f.get()));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void judgesATypicalCallInMicrosecondsWithFiftyRules() throws PolicyException {
        assertTrue(ScopePolicyParser.parse(FIFTY_RULES, "x").describe().length() > 0);
        List<String> tools = List.of("Read", "Edit", "Bash", "WebFetch", "Bash");
        List<JsonNode> calls = List.of(args("{\"file_path\": \"src/main.py\"}"),
                args("{\"file_path\": \"" + root + "/src/main.py\", \"old_string\": \"a\", \"new_string\": \"b\"}"),
                args("{\"command\": \"git status\"}"), args("{\"url\": \"https://github.com/x/y\"}"),
                args("{\"command\": \"pytest -q tests/test_a.py 2>&1 | grep -v warn\"}"));
        int rounds = 20_000;
        for (int n = 0; n < rounds; n++) {
            firewall.judge(tools.get(n % 5), calls.get(n % 5));
        }
        long[] nanos = new long[rounds];
        for (int n = 0; n < rounds; n++) {
            long start = System.nanoTime();
            firewall.judge(tools.get(n % 5), calls.get(n % 5));
            nanos[n] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        long p50 = nanos[rounds / 2];
        System.out.printf("ScopeFirewall: p50 %.1f us, p99 %.1f us per call (50-rule policy, mixed calls)%n",
                p50 / 1000.0, nanos[rounds * 99 / 100] / 1000.0);
        // The target is a few microseconds (JMH will hold it); this only catches an order-of-magnitude regression.
        assertTrue(p50 < 200_000, "p50 " + p50 + " ns");
    }
}
