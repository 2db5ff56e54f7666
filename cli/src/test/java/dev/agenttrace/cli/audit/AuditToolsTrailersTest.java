package dev.agenttrace.cli.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which agents a {@code git log} names, from the text git prints (the real git is run in AuditToolsCommandTest). */
class AuditToolsTrailersTest {

    private static String commit(String hash, String author, String message) {
        return hash + "\0" + author + "\0" + message + "\u001e\n";
    }

    @Test
    void eachAgentsSignatureIsRecognisedAndAPersonNamedClaudeIsNot() {
        String log = commit("a1", "Jane <jane@example.com>", "fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>")
                + commit("a2", "Jane <jane@example.com>", "ui\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>")
                + commit("a3", "Jane (aider) <jane@example.com>", "refactor")
                + commit("a4", "Jane <jane@example.com>", "tests\n\nCo-authored-by: aider (anthropic/claude-sonnet-4) <noreply@aider.chat>")
                + commit("a5", "copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>", "Copilot's PR")
                + commit("a6", "Jane <jane@example.com>", "docs\n\n\uD83E\uDD16 Generated with [Claude Code](https://claude.com/claude-code)")
                + commit("a7", "Claude Monet <claude@example.com>", "water lilies\n\nSigned-off-by: Claude Monet <claude@example.com>")
                + commit("a8", "Jane <jane@example.com>", "mention claude and cursor in the README")
                + commit("a9", "Jane <jane@example.com>", "x\n\nGenerated-by: Gemini CLI\nAssisted-by: Codex \u001b[31m<codex@openai.com>");
        CommitTrailers.Result r = CommitTrailers.parse(log);
        assertEquals(9, r.read());
        assertEquals(List.of(
                new CommitTrailers.Found("aider", 2, "a3 author Jane (aider) <jane@example.com>"),
                new CommitTrailers.Found("claude-code", 2, "a1 Co-Authored-By: Claude <noreply@anthropic.com>"),
                new CommitTrailers.Found("cursor", 1, "a2 Co-authored-by: Cursor Agent <cursoragent@cursor.com>"),
                new CommitTrailers.Found("copilot", 1, "a5 author copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>"),
                new CommitTrailers.Found("codex", 1, "a9 Assisted-by: Codex  [31m<codex@openai.com>"),
                new CommitTrailers.Found("gemini", 1, "a9 Generated-by: Gemini CLI")), r.found());
    }
}
