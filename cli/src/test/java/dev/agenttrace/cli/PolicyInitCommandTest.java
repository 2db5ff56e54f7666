package dev.agenttrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.cli.CliTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agent-trace policy init}, as a user runs it in a project. */
class PolicyInitCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path project() throws Exception {
        Path root = tmp.resolve("proj");
        Files.createDirectories(root.resolve(".git"));
        Files.createDirectories(root.resolve("src/app"));
        return root.toRealPath();
    }

    @Test
    void writesAStarterPolicyInShadowModeAtTheGitRootThatPassesCheckAndDeniesSecrets() throws Exception {
        Path root = project();
        Result r = CliTest.run("policy", "init", "--dir", root.resolve("src/app").toString());
        assertEquals(0, r.code(), r.err());
        Path policy = root.resolve(".agent-scope.json");
        assertTrue(r.out().contains("wrote " + policy), r.out());
        assertTrue(r.out().contains("policy_mode shadow"), r.out());
        assertTrue(r.out().contains("agent-trace audit --all --policy " + policy), r.out());
        assertFalse(Files.exists(root.resolve("src/app/.agent-scope.json")));
        assertEquals("shadow", JSON.readTree(root.resolve(".agent-trace.json").toFile()).path("policy_mode").asText());

        Result check = CliTest.run("policy", "check", policy.toString());
        assertEquals(0, check.code(), check.err());
        assertTrue(check.out().contains("network: deny_all"), check.out());

        Result env = CliTest.run("policy", "explain", "--root", root.toString(), "--tool", "Read", "--args",
                "{\"file_path\":\"" + root + "/.env.production\"}", policy.toString());
        assertEquals(3, env.code(), "policy explain: blocked: " + env.out() + env.err());
        assertTrue(env.out().contains("files.read.deny \".env.*\""), env.out());
        Result test = CliTest.run("policy", "explain", "--root", root.toString(), "--tool", "Bash", "--args", "{\"command\":\"npm test\"}",
                policy.toString());
        assertEquals(0, test.code(), test.out() + test.err());
    }

    @Test
    void refusesToReplaceAPolicyWithoutForceAndSwitchesToEnforceWithIt() throws Exception {
        Path root = project();
        Path policy = root.resolve(".agent-scope.json");
        Files.writeString(policy, "{\"files\": {\"read\": {\"deny\": [\"mine\"]}}}");
        Result refused = CliTest.run("policy", "init", "--dir", root.toString());
        assertEquals(2, refused.code(), refused.out());
        assertTrue(refused.err().contains("exists; pass --force"), refused.err());
        assertEquals("{\"files\": {\"read\": {\"deny\": [\"mine\"]}}}", Files.readString(policy));
        assertFalse(Files.exists(root.resolve(".agent-trace.json")), "nothing written when refused");

        Result forced = CliTest.run("policy", "init", "--dir", root.toString(), "--force", "--enforce");
        assertEquals(0, forced.code(), forced.err());
        assertTrue(Files.readString(policy).contains("\"$comment\""));
        assertEquals("enforce", JSON.readTree(root.resolve(".agent-trace.json").toFile()).path("policy_mode").asText());
    }

    @Test
    void keepsTheOtherSettingsOfTheProjectConfigAndDoesNotSilentlyDowngradeEnforce() throws Exception {
        Path root = project();
        Path config = root.resolve(".agent-trace.json");
        Files.writeString(config, "{\"redact\": true, \"policy_mode\": \"enforce\"}");
        Result refused = CliTest.run("policy", "init", "--dir", root.toString());
        assertEquals(2, refused.code(), refused.out());
        assertTrue(refused.err().contains("sets policy_mode \"enforce\""), refused.err());
        assertFalse(Files.exists(root.resolve(".agent-scope.json")), "nothing written when refused");

        Result kept = CliTest.run("policy", "init", "--dir", root.toString(), "--enforce");
        assertEquals(0, kept.code(), kept.err());
        assertTrue(kept.out().contains("kept " + config), kept.out());
        assertEquals("{\"redact\": true, \"policy_mode\": \"enforce\"}", Files.readString(config));

        Files.writeString(config, "{\"redact\": true}");
        Result added = CliTest.run("policy", "init", "--dir", root.toString(), "--force");
        assertEquals(0, added.code(), added.err());
        JsonNode c = JSON.readTree(config.toFile());
        assertTrue(c.path("redact").asBoolean(), c.toString());
        assertEquals("shadow", c.path("policy_mode").asText());
    }
}
