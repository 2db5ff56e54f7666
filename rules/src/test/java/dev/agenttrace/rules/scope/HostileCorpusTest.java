package dev.agenttrace.rules.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The hostile corpus: {@code hostile-corpus.json} beside this class holds named policies and, per
 * case, a tool call, the expected verdict, and a fragment of the rule (and optionally the value and
 * note) the decision must name. Paths {@code @ROOT@}, {@code @HOME@} and {@code @BASE@} are the
 * project, home and parent directories of the fixture built here, with real symlinks:
 * <pre>
 * BASE/proj (ROOT)  src/main.py  src/app/util.py  tests/test_main.py  .env  src/.env  README.md
 *                   .github/workflows/ci.yml  certs/server.pem  .git/config
 *                   link-to-outside -&gt; BASE/outside        src/innocent.txt -&gt; ../.env
 *                   src/keys -&gt; HOME/.ssh                  dangling -&gt; BASE/outside/new-file
 * BASE/outside/secret.txt
 * BASE/home (HOME)  .ssh/id_rsa  .aws/credentials
 * </pre>
 */
class HostileCorpusTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path base;
    private static JsonNode corpus;
    private static final Map<String, ScopePolicy> POLICIES = new HashMap<>();
    private static JudgeContext context;

    private static synchronized void load() throws IOException {
        if (corpus != null) {
            return;
        }
        base = Files.createTempDirectory("hostile-corpus").toRealPath();
        Path root = Files.createDirectories(base.resolve("proj"));
        Path home = Files.createDirectories(base.resolve("home"));
        Path outside = Files.createDirectories(base.resolve("outside"));
        for (String f : List.of("src/main.py", "src/app/util.py", "tests/test_main.py", ".env", "src/.env", "README.md",
                ".github/workflows/ci.yml", "certs/server.pem", ".git/config")) {
            Files.createDirectories(root.resolve(f).getParent());
            Files.writeString(root.resolve(f), "x");
        }
        Files.writeString(outside.resolve("secret.txt"), "secret");
        Files.createDirectories(home.resolve(".ssh"));
        Files.createDirectories(home.resolve(".aws"));
        Files.writeString(home.resolve(".ssh/id_rsa"), "key");
        Files.writeString(home.resolve(".aws/credentials"), "key");
        Files.createSymbolicLink(root.resolve("link-to-outside"), outside);
        Files.createSymbolicLink(root.resolve("src/innocent.txt"), Path.of("../.env"));
        Files.createSymbolicLink(root.resolve("src/keys"), home.resolve(".ssh"));
        Files.createSymbolicLink(root.resolve("dangling"), outside.resolve("new-file"));
        context = new JudgeContext(root, home);

        String text;
        try (InputStream in = HostileCorpusTest.class.getResourceAsStream("hostile-corpus.json")) {
            assertNotNull(in, "hostile-corpus.json is missing");
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        text = text.replace("@ROOT@", root.toString()).replace("@HOME@", home.toString()).replace("@BASE@", base.toString());
        corpus = JSON.readTree(text);
        for (Map.Entry<String, JsonNode> e : corpus.get("policies").properties()) {
            try {
                POLICIES.put(e.getKey(), ScopePolicyParser.parse(JSON.writeValueAsString(e.getValue()), e.getKey()));
            } catch (PolicyException ex) {
                throw new AssertionError("corpus policy " + e.getKey() + " does not parse: " + ex.getMessage(), ex);
            }
        }
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (base == null) {
            return;
        }
        try (var walk = Files.walk(base)) {
            walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        }
    }

    @TestFactory
    List<DynamicTest> everyCaseGetsItsExpectedDecision() throws IOException {
        load();
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : corpus.get("cases")) {
            String name = c.get("id").asText() + ": " + c.get("tool").asText() + " " + c.get("args");
            tests.add(DynamicTest.dynamicTest(name, () -> check(c)));
        }
        return tests;
    }

    private static void check(JsonNode c) {
        ScopePolicy policy = POLICIES.get(c.get("policy").asText());
        assertNotNull(policy, "unknown policy " + c.get("policy"));
        Decision d = new ScopeEvaluator(policy).judge(c.get("tool").asText(), c.get("args"), context);
        String expect = c.get("expect").asText();
        assertEquals(expect, d.blocked() ? "block" : "allow", () -> "decision: " + d);
        String rule = c.path("rule").asText("");
        if (!rule.isEmpty()) {
            assertNotNull(d.rule(), () -> "no rule in " + d);
            assertTrue(d.rule().display().contains(rule), () -> "expected rule " + rule + " in " + d.rule().display() + "; " + d);
        }
        if (c.has("value")) {
            assertEquals(c.get("value").asText(), d.value(), () -> "value of " + d);
        }
        if (c.has("note")) {
            assertNotNull(d.note(), () -> "no note in " + d);
            assertTrue(d.note().contains(c.get("note").asText()), () -> "note " + d.note());
        }
        if (d.blocked()) {
            assertTrue(d.reason() != null && !d.reason().isBlank() && d.reason().indexOf('\n') < 0, "one-line reason");
        }
    }

    @Test
    void coversAtLeastEightyCasesAcrossHostileAndBenignCategories() throws IOException {
        load();
        Map<String, Integer> perCategory = new TreeMap<>();
        for (JsonNode c : corpus.get("cases")) {
            perCategory.merge(c.get("category").asText(), 1, Integer::sum);
        }
        int total = perCategory.values().stream().mapToInt(Integer::intValue).sum();
        assertTrue(total >= 80, "corpus has " + total + " cases");
        assertTrue(perCategory.getOrDefault("benign", 0) >= 30, "benign look-alikes: " + perCategory);
    }
}
