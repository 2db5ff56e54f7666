package dev.agenttrace.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttributionTest {
    private static final String SHA_A = "3f786850e387550fdab836ed7e6dc881de23001b";
    private static final String SHA_B = "89e6c98d92887913cadf06b2adb97f26cde4849b";

    @TempDir
    Path tmp;

    private Path repo(String head) throws IOException {
        Path git = Files.createDirectories(tmp.resolve("repo/.git"));
        Files.writeString(git.resolve("HEAD"), head + "\n");
        Files.writeString(git.resolve("config"), "[core]\n\tbare = false\n[remote \"upstream\"]\n\turl = https://example.com/other.git\n"
                + "[remote \"origin\"]\n\turl = https://ann:ghp_secret123@github.com/acme/app.git\n"
                + "\tfetch = +refs/heads/*:refs/remotes/origin/*\n");
        return git;
    }

    @Test
    void aProxySessionSaysWhoRanItAndWhatGuardsItInTheMetaAgentStraceReads() throws IOException {
        SessionMeta bare = SessionMeta.ofProxy("s1", 1.5, "fs", "npx server-filesystem .");
        SessionMeta guarded = SessionMeta.ofProxy("s2", 2.5, "fs", "npx server-filesystem .")
                .guardedBy("/p/.agent-scope.json", "shadow", java.util.List.of("/p/.agent-watch.json", "/p/w2.json"), 4242);
        SessionMeta read = TraceJson.parseMeta(TraceJson.metaJson(guarded));
        assertEquals("s2", read.sessionId);
        assertEquals("npx server-filesystem .", read.command);
        assertEquals(ProcessHandle.current().pid(), read.attribution.path("proxy_pid").asLong());
        assertEquals("/p/.agent-scope.json", read.attribution.path("policy").asText());
        assertEquals("shadow", read.attribution.path("policy_mode").asText());
        assertEquals("/p/.agent-watch.json, /p/w2.json", read.attribution.path("watch").asText());
        assertEquals(4242, read.attribution.path("agent_pid").asLong());
        assertTrue(read.attribution.has("working_dir"), read.attribution.toString());
        // nothing guards it: nothing claimed
        bare.guardedBy(null, "enforce", null, 0);
        assertFalse(bare.attribution.has("policy") || bare.attribution.has("policy_mode") || bare.attribution.has("watch")
                || bare.attribution.has("agent_pid"), bare.attribution.toString());
    }

    @Test
    void describesThisProcess() {
        ObjectNode a = Attribution.collect(tmp);
        assertEquals(ProcessHandle.current().pid(), a.get("pid").asLong());
        assertEquals(System.getProperty("user.name"), a.get("os_user").asText());
        assertEquals(tmp.toAbsolutePath().normalize().toString(), a.get("working_dir").asText());
        assertFalse(a.has("git_repo"), "no checkout around a temp dir: git fields are left out");
        if (Files.exists(Path.of("/proc/self/stat"))) {
            assertTrue(a.get("ppid").asLong() > 0);
            assertTrue(a.get("process_ancestry").size() >= 1);
            assertEquals(a.get("process_name").asText(),
                    a.get("process_ancestry").get(a.get("process_ancestry").size() - 1).asText());
        }
    }

    @Test
    void readsBranchCommitAndOriginWithoutCredentials() throws IOException {
        Path git = repo("ref: refs/heads/feature/login");
        Files.createDirectories(git.resolve("refs/heads/feature"));
        Files.writeString(git.resolve("refs/heads/feature/login"), SHA_A + "\n");
        Path sub = Files.createDirectories(tmp.resolve("repo/src/main"));
        ObjectNode a = Attribution.collect(sub);
        assertEquals("feature/login", a.get("git_branch").asText());
        assertEquals(SHA_A, a.get("git_commit").asText());
        assertEquals("https://github.com/acme/app.git", a.get("git_repo").asText());
    }

    @Test
    void readsPackedRefsAndDetachedHeads() throws IOException {
        Path git = repo("ref: refs/heads/main");
        Files.writeString(git.resolve("packed-refs"), "# pack-refs with: peeled fully-peeled sorted\n"
                + SHA_B + " refs/heads/dev\n" + SHA_A + " refs/heads/main\n^" + SHA_B + "\n");
        ObjectNode a = Attribution.collect(tmp.resolve("repo"));
        assertEquals("main", a.get("git_branch").asText());
        assertEquals(SHA_A, a.get("git_commit").asText());

        Files.writeString(git.resolve("HEAD"), SHA_B + "\n");
        ObjectNode detached = Attribution.collect(tmp.resolve("repo"));
        assertFalse(detached.has("git_branch"));
        assertEquals(SHA_B, detached.get("git_commit").asText());
    }

    @Test
    void followsAWorktreeWhoseGitIsAFile() throws IOException {
        Path main = repo("ref: refs/heads/main");
        Path wtGit = Files.createDirectories(main.resolve("worktrees/wt"));
        Files.writeString(wtGit.resolve("HEAD"), "ref: refs/heads/topic\n");
        Files.writeString(wtGit.resolve("commondir"), "../..\n");
        Files.createDirectories(main.resolve("refs/heads"));
        Files.writeString(main.resolve("refs/heads/topic"), SHA_B + "\n");
        Path wt = Files.createDirectories(tmp.resolve("wt"));
        Files.writeString(wt.resolve(".git"), "gitdir: " + wtGit + "\n");
        ObjectNode a = Attribution.collect(wt);
        assertEquals("topic", a.get("git_branch").asText());
        assertEquals(SHA_B, a.get("git_commit").asText());
        assertEquals("https://github.com/acme/app.git", a.get("git_repo").asText());
    }

    @Test
    void stripsOnlyTheUserinfoOfUrls() {
        assertEquals("https://github.com/a/b", Attribution.stripCredentials("https://x:y@github.com/a/b"));
        assertEquals("ssh://github.com/a/b", Attribution.stripCredentials("ssh://git@github.com/a/b"));
        assertEquals("git@github.com:a/b.git", Attribution.stripCredentials("git@github.com:a/b.git"));
        assertEquals("https://github.com/a/b@c", Attribution.stripCredentials("https://github.com/a/b@c"));
    }

    @Test
    void isFastEnoughToRunWhileTheClientWaits() throws IOException {
        repo("ref: refs/heads/main");
        Attribution.collect(tmp.resolve("repo")); // warm up class loading
        int runs = 20;
        long t0 = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            Attribution.collect(tmp.resolve("repo"));
        }
        long avgMicros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t0) / runs;
        assertTrue(avgMicros < 5000, "collect took " + avgMicros + " us on average");
    }
}
