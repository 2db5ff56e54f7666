package dev.agenttrace.rules.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Semantics decisions that the hostile corpus does not pin down on its own. */
class ScopeEvaluatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    private Decision judge(String policy, String tool, String args) throws Exception {
        JsonNode a = args == null ? null : JSON.readTree(args);
        return new ScopeEvaluator(ScopePolicyParser.parse(policy, "test")).judge(tool, a, new JudgeContext(root, root.resolve("home")));
    }

    private static String arguments(String key, String value) throws IOException {
        return JSON.writeValueAsString(JSON.createObjectNode().put(key, value));
    }

    @Test
    void anAbsoluteAllowPatternAdmitsAPathOutsideTheRootButARelativeOneNever() throws Exception {
        Path scratch = Files.createTempDirectory("scratch").toRealPath();
        String policy = "{\"files\": {\"write\": {\"allow\": [\"src/**\", \"" + scratch + "/**\"]}}}";
        assertTrue(judge(policy, "Write", arguments("file_path", scratch + "/out.txt")).allowed());
        Decision outside = judge("{\"files\": {\"write\": {\"allow\": [\"**\"]}}}", "Write", arguments("file_path", "/tmp/x"));
        assertTrue(outside.blocked());
        assertEquals("files.write.allow (no match)", outside.rule().display());
        Files.delete(scratch);
    }

    @Test
    void aDenyOnAWrapperBlocksEverythingItWraps() throws Exception {
        String policy = "{\"commands\": {\"deny\": [\"sudo\"]}}";
        Decision d = judge(policy, "Bash", "{\"command\": \"sudo -u root ls\"}");
        assertEquals("commands.deny \"sudo\"", d.rule().display());
        assertTrue(judge(policy, "Bash", "{\"command\": \"ls\"}").allowed());
    }

    @Test
    void theAllowListJudgesTheProgramThroughWrappersAndShellStrings() throws Exception {
        String policy = "{\"commands\": {\"allow\": [\"pytest\", \"git status\"]}}";
        assertTrue(judge(policy, "Bash", "{\"command\": \"env CI=1 timeout 60 pytest -q\"}").allowed());
        assertTrue(judge(policy, "Bash", "{\"command\": \"bash -c 'pytest && git status'\"}").allowed());
        Decision d = judge(policy, "Bash", "{\"command\": \"bash -c 'pytest; make'\"}");
        assertEquals("commands.allow (no match)", d.rule().display());
        assertEquals("make", d.value());
    }

    @Test
    void denyBeatsAllowInEverySection() throws Exception {
        String policy = "{\"commands\": {\"allow\": [\"git\"], \"deny\": [\"git push --force\"]},"
                + " \"files\": {\"read\": {\"allow\": [\"**\"], \"deny\": [\"*.key\"]}}}";
        assertEquals("commands.deny \"git push --force\"", judge(policy, "Bash", "{\"command\": \"git push -f\"}").rule().display());
        assertTrue(judge(policy, "Bash", "{\"command\": \"git push\"}").allowed());
        assertEquals("files.read.deny \"*.key\"", judge(policy, "Read", "{\"file_path\": \"a/b.KEY\"}").rule().display());
    }

    @Test
    void networkAllowWithoutDenyAllRestrictsNothing() throws Exception {
        assertTrue(judge("{\"network\": {\"allow\": [\"localhost\"]}}", "WebFetch", "{\"url\": \"http://evil.com\"}").allowed());
    }

    @Test
    void missingOrNonObjectArgumentsAreJudgedAsNoArguments() throws Exception {
        String policy = "{\"files\": {\"read\": {\"allow\": [\"src/**\"]}}}";
        assertTrue(judge(policy, "Read", null).allowed());
        assertTrue(judge(policy, "Read", "[\"/etc/passwd\"]").allowed());
        assertTrue(judge(policy, "Read", "{\"file_path\": 42}").allowed());
    }

    @Test
    void anAllowedCallNamesTheAllowRuleThatAdmittedIt() throws Exception {
        Decision d = judge("{\"files\": {\"read\": {\"allow\": [\"src/**\"]}}}", "read_file", "{\"path\": \"src/a.py\"}");
        assertTrue(d.allowed());
        assertEquals("files.read.allow \"src/**\"", d.rule().display());
        assertNull(d.note());
    }

    @Test
    void theEmptyPolicyAllowsEverythingButWritingTheFirewallsOwnFiles() throws Exception {
        assertTrue(judge("{}", "anything", "{\"command\": \"cat /etc/shadow\", \"path\": \"/etc/shadow\"}").allowed());
        Decision tamper = judge("{}", "Bash", "{\"command\": \"echo {} > .agent-scope.json\"}");
        assertTrue(tamper.blocked(), tamper.toString());
        assertEquals("built-in \"protected file\"", tamper.rule().display());
        Decision wipe = judge("{}", "anything", "{\"command\": \"rm -rf /\"}");
        assertTrue(wipe.blocked(), wipe.toString());
    }

    @Test
    void theConfigFilesThatChooseTheModeAndTheDefaultPolicyAreProtectedToo() throws Exception {
        // a project's .agent-trace.json can say policy_mode: shadow; ~/.config/agent-trace holds the default policy and config
        String[][] tampers = {
                {"Write", "{\"file_path\": \".agent-trace.json\", \"content\": \"{\\\"policy_mode\\\": \\\"shadow\\\"}\"}"},
                {"Bash", "{\"command\": \"echo '{\\\"policy_mode\\\":\\\"shadow\\\"}' > .agent-trace.json\"}"},
                {"Bash", "{\"command\": \"rm -rf " + root.resolve("home") + "/.config/agent-trace\"}"},
                {"Edit", "{\"file_path\": \"" + root.resolve("home") + "/.config/agent-trace/agent-scope.json\"}"},
                {"Write", "{\"file_path\": \"sub/.watch-rules.json\", \"content\": \"{}\"}"},
                {"Write", "{\"file_path\": \".windsurf/hooks.json\", \"content\": \"{}\"}"},
        };
        for (String[] t : tampers) {
            Decision d = judge("{}", t[0], t[1]);
            assertTrue(d.blocked(), t[1] + " -> " + d);
            assertEquals("built-in \"protected file\"", d.rule().display(), t[1]);
        }
        assertTrue(judge("{}", "Read", "{\"file_path\": \".agent-trace.json\"}").allowed(), "reading them is not tampering");
    }

    @Test
    void protectFalseAllowsEverythingWithoutLookingAtTheCall() throws Exception {
        Decision d = judge("{\"protect\": false}", "anything", "{\"command\": \"rm -rf /\", \"path\": \"/etc/shadow\"}");
        assertTrue(d.allowed());
        assertTrue(d.reason().contains("policy is empty"));
    }

    @Test
    void blocksAWriteThroughADanglingSymlinkToOutsideTheRoot() throws Exception {
        Path outside = Files.createTempDirectory("outside").toRealPath();
        Files.createSymbolicLink(root.resolve("out"), outside.resolve("planted"));
        Decision d = judge("{\"files\": {\"write\": {\"allow\": [\"**\"]}}}", "write_file", "{\"path\": \"out\", \"content\": \"x\"}");
        assertTrue(d.blocked());
        assertEquals(outside + "/planted", d.value());
        Files.delete(outside);
    }

    @Test
    void judgesBothTheKernelsAndTheServersReadingOfDotDotAfterASymlink() throws Exception {
        Path deep = Files.createDirectories(Files.createTempDirectory("deep").toRealPath().resolve("a/b"));
        Files.createDirectories(root.resolve("src"));
        Files.createSymbolicLink(root.resolve("src/link"), deep);
        // The kernel reads deep/a/.env; Node's path.resolve (the filesystem server) reads src/.env.
        Decision d = judge("{\"files\": {\"read\": {\"deny\": [\"src/.env\"]}}}", "read_file", "{\"path\": \"src/link/../.env\"}");
        assertTrue(d.blocked(), d.toString());
        assertEquals("src/.env", d.value());
    }

    @Test
    void aDecisionIsOneLineAndReadsAsAnExplanation() throws Exception {
        Decision d = judge("{\"files\": {\"read\": {\"deny\": [\".env\"]}}}", "Bash", "{\"command\": \"echo ok &&\\n cat src/../.env\"}");
        assertEquals("command \"cat src/../.env\" would read .env (written \"src/../.env\"), denied by files.read.deny \".env\"", d.reason());
        assertEquals("command", d.argument());
    }
}
