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
 * The issue-16 corpora ({@code tests/fixtures/firewall}): every hostile call is refused (blocked,
 * or undetermined) and every benign one allowed, judged in the fixture the corpus file describes
 * (project, home and outside directories with real files and symlinks). The same files are run
 * end to end through {@code record} by the tests module.
 */
class FirewallCorporaTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path base;
    private static JudgeContext context;
    private static final Map<String, JsonNode> CORPORA = new HashMap<>();

    /** Builds the fixture of the hostile corpus file under a fresh directory; returns @ROOT@, @HOME@, @BASE@. */
    static Map<String, Path> buildFixture(JsonNode fixture, Path base) throws IOException {
        Path root = Files.createDirectories(base.resolve("proj"));
        Path home = Files.createDirectories(base.resolve("home"));
        Path outside = Files.createDirectories(base.resolve("outside"));
        write(root, fixture.get("files"));
        write(home, fixture.get("home_files"));
        write(outside, fixture.get("outside_files"));
        for (Map.Entry<String, JsonNode> e : fixture.get("symlinks").properties()) {
            Path link = root.resolve(e.getKey());
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, Path.of(substitute(e.getValue().asText(), root, home, base)));
        }
        return Map.of("root", root, "home", home, "base", base);
    }

    private static void write(Path dir, JsonNode files) throws IOException {
        for (Map.Entry<String, JsonNode> e : files.properties()) {
            Path f = dir.resolve(e.getKey());
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue().asText());
        }
    }

    static String substitute(String text, Path root, Path home, Path base) {
        return text.replace("@ROOT@", root.toString()).replace("@HOME@", home.toString()).replace("@BASE@", base.toString());
    }

    private static synchronized JsonNode corpus(String name) throws IOException {
        if (base == null) {
            base = Files.createTempDirectory("firewall-corpora").toRealPath();
            Map<String, Path> dirs = buildFixture(read("hostile-corpus.json").get("fixture"), base);
            context = new JudgeContext(dirs.get("root"), dirs.get("home"));
        }
        JsonNode c = CORPORA.get(name);
        if (c == null) {
            String text = substitute(JSON.writeValueAsString(read(name)), context.root(), context.home(), base);
            c = JSON.readTree(text);
            CORPORA.put(name, c);
        }
        return c;
    }

    private static JsonNode read(String name) throws IOException {
        try (InputStream in = FirewallCorporaTest.class.getResourceAsStream("/fixtures/firewall/" + name)) {
            assertNotNull(in, name + " is missing from tests/fixtures/firewall");
            return JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
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

    private static Decision judge(JsonNode corpus, JsonNode c) throws Exception {
        JsonNode policyJson = corpus.get("policies").get(c.get("policy").asText());
        assertNotNull(policyJson, "unknown policy " + c.get("policy"));
        ScopePolicy policy = ScopePolicyParser.parse(JSON.writeValueAsString(policyJson), ".agent-scope.json");
        return new ScopeEvaluator(policy).judge(c.get("tool").asText(), c.get("args"), context);
    }

    private List<DynamicTest> cases(String name) throws IOException {
        JsonNode corpus = corpus(name);
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : corpus.get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("id").asText() + ": " + c.get("tool").asText() + " " + c.get("args"), () -> {
                Decision d = judge(corpus, c);
                boolean hostile = c.get("expect").asText().equals("block");
                assertEquals(hostile, d.blocked(), () -> (hostile ? "BYPASS " : "FALSE BLOCK ") + c.get("class").asText() + ": " + d);
                if (d.blocked()) {
                    assertTrue(d.reason().indexOf('\n') < 0 && !d.reason().isBlank(), "one-line reason: " + d.reason());
                    assertTrue(d.blockedMessage().contains("NOT executed"));
                }
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> everyHostileCallIsRefused() throws IOException {
        return cases("hostile-corpus.json");
    }

    @TestFactory
    List<DynamicTest> everyBenignCallIsAllowedUnderTheDefaultPolicy() throws IOException {
        return cases("benign-corpus.json");
    }

    @Test
    void theCorporaAreBigEnoughAndEveryHostileCaseNamesItsClass() throws IOException {
        Map<String, Integer> perClass = new TreeMap<>();
        for (JsonNode c : corpus("hostile-corpus.json").get("cases")) {
            assertTrue(c.hasNonNull("class") && !c.get("class").asText().isBlank(), "class of " + c.get("id"));
            perClass.merge(c.get("class").asText(), 1, Integer::sum);
        }
        assertTrue(perClass.values().stream().mapToInt(Integer::intValue).sum() >= 300, "hostile cases: " + perClass);
        assertTrue(perClass.size() >= 6, "classes: " + perClass.keySet());
        assertTrue(corpus("benign-corpus.json").get("cases").size() >= 150);
    }
}
