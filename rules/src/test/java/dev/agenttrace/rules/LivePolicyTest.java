package dev.agenttrace.rules;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.rules.scope.Decision;
import dev.agenttrace.rules.scope.JudgeContext;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A live reload applies tighter edits at once and refuses looser ones unless the user opted in. */
class LivePolicyTest {
    @TempDir
    Path root;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private int edits;

    private void edit(Path file, String json) throws Exception {
        Files.writeString(file, json);
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000L * ++edits));
    }

    private Decision judge(LivePolicy live, String command) throws Exception {
        return live.firewall().judge("Bash", new ObjectMapper().readTree("{\"command\":" + new ObjectMapper().writeValueAsString(command) + "}"));
    }

    @Test
    void refusesAnEditThatLoosensThePolicyAndSaysWhy() throws Exception {
        Path file = root.resolve(".agent-scope.json");
        Files.writeString(file, "{\"files\":{\"read\":{\"deny\":[\".env\"]}},\"commands\":{\"deny\":[\"curl\"]}}");
        LivePolicy live = LivePolicy.load(file, new JudgeContext(root, root), new PrintStream(err, true), 0);
        edit(file, "{}");
        assertFalse(live.reloadIfChanged(), "an emptied policy is not taken while the session runs");
        assertTrue(judge(live, "cat .env").blocked());
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("would loosen") && text.contains("files.read.deny loses \".env\"")
                && text.contains("commands.deny loses \"curl\"") && text.contains("--allow-live-loosening"), text);
    }

    @Test
    void appliesATighterEditAtOnce() throws Exception {
        Path file = root.resolve("p.json");
        Files.writeString(file, "{\"commands\":{\"deny\":[\"curl\"]}}");
        LivePolicy live = LivePolicy.load(file, new JudgeContext(root, root), new PrintStream(err, true), 0);
        edit(file, "{\"commands\":{\"deny\":[\"curl\",\"wget\"]}}");
        assertTrue(live.reloadIfChanged());
        assertTrue(judge(live, "wget x").blocked());
    }

    @Test
    void appliesALooserEditWhenStartedWithAllowLiveLoosening() throws Exception {
        Path file = root.resolve("p.json");
        Files.writeString(file, "{\"commands\":{\"deny\":[\"curl\"]}}");
        LivePolicy live = LivePolicy.load(file, new JudgeContext(root, root), new PrintStream(err, true), 0, true);
        edit(file, "{\"commands\":{\"deny\":[\"wget\"]}}");
        assertTrue(live.reloadIfChanged());
        assertFalse(judge(live, "curl x").blocked());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("loosened: commands.deny loses \"curl\""), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void protectsThePolicyFileInForceWhateverItIsCalled() throws Exception {
        Path file = root.resolve("my-rules.json");
        Files.writeString(file, "{\"files\":{\"write\":{\"allow\":[\"**\"]}}}");
        LivePolicy live = LivePolicy.load(file, new JudgeContext(root, root), new PrintStream(err, true), 0);
        Decision d = judge(live, "echo '{}' > my-rules.json");
        assertTrue(d.blocked(), d.toString());
        assertTrue(d.reason().contains("protects"), d.reason());
        assertFalse(judge(live, "echo x > notes.txt").blocked());
    }
}
