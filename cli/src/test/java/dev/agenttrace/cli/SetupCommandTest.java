package dev.agenttrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.cli.CliTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code setup} tells the user beside the file it changed. */
class SetupCommandTest {
    @TempDir
    Path tmp;

    @Test
    void geminiProjectHooksWarnThatSkipTrustInAnUntrustedFolderRunsNone() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Result r = CliTest.run("setup", "gemini", "--project", "--dir", project.toString(), "--command", "/opt/at/bin/agent-trace");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(project.resolve(".gemini/settings.json")), r.out());
        assertTrue(r.out().contains("gemini --skip-trust in an untrusted folder runs its tools with NO project hooks"), r.out());
        assertTrue(r.out().contains("agent-trace setup gemini --user"), "it says what guards such runs: " + r.out());

        // the user's hooks are the ones such a run does use: no warning there (a dry run writes nothing in the real home)
        Result user = CliTest.run("setup", "gemini", "--user", "--dry-run", "--command", "/opt/at/bin/agent-trace");
        assertEquals(0, user.code(), user.err());
        assertFalse(user.out().contains("--skip-trust"), user.out());
    }
}
