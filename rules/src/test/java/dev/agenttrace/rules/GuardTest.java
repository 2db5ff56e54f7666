package dev.agenttrace.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.rules.scope.JudgeContext;
import dev.agenttrace.store.TraceJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GuardTest {
    @TempDir
    Path root;
    Path policyFile;
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void policy() throws Exception {
        policyFile = root.resolve(".agent-scope.json");
        Files.writeString(policyFile, "{\"files\":{\"read\":{\"deny\":[\".env\"]}},\"commands\":{\"deny\":[\"curl\"]}}");
    }

    Guard guard(PolicyMode mode) throws Exception {
        return new Guard(LivePolicy.load(policyFile, new JudgeContext(root, root), new PrintStream(err, true), 0), mode);
    }

    static Guard.Outcome inspect(Guard g, String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return g.inspect(b, 0, b.length);
    }

    static JsonNode json(byte[] b) throws Exception {
        return TraceJson.mapper().readTree(b);
    }

    @Test
    void passesMessagesThatAreNotToolCallsWithoutParsingThem() throws Exception {
        assertSame(Guard.PASS, inspect(guard(PolicyMode.ENFORCE), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}"));
        assertSame(Guard.PASS, inspect(guard(PolicyMode.ENFORCE), "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"Bash\",\"arguments\":{\"command\":\"ls\"}}}"));
    }

    @Test
    void answersABlockedCallWithAnIsErrorResultThatKeepsTheIdType() throws Exception {
        Guard.Outcome o = inspect(guard(PolicyMode.ENFORCE),
                "{\"jsonrpc\":\"2.0\",\"id\":\"req-7\",\"method\":\"tools/call\",\"params\":{\"name\":\"Read\",\"arguments\":{\"file_path\":\"src/../.env\"}}}");
        assertFalse(o.forward(), "never reaches the server");
        JsonNode reply = json(o.reply());
        assertTrue(reply.get("id").isTextual());
        assertEquals("req-7", reply.get("id").asText());
        assertNull(reply.get("error"), "a result, not a JSON-RPC error");
        assertTrue(reply.at("/result/isError").asBoolean());
        String text = reply.at("/result/content/0/text").asText();
        assertTrue(text.contains("NOT executed"), text);
        assertTrue(text.contains(".env"), text);
        assertEquals("block", reply.at("/result/_meta/dev.agenttrace~1policy/decision").asText());
        assertEquals(1, o.judged().size());
    }

    @Test
    void keepsANumericIdNumeric() throws Exception {
        Guard.Outcome o = inspect(guard(PolicyMode.ENFORCE),
                "{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"tools/call\",\"params\":{\"name\":\"Bash\",\"arguments\":{\"command\":\"curl x.io\"}}}");
        assertTrue(json(o.reply()).get("id").isIntegralNumber());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tools\\/call", "\\u0074ools/call", "tools\\u002fcall"})
    void cannotBeBypassedWithEscapesInTheMethod(String method) throws Exception {
        Guard.Outcome o = inspect(guard(PolicyMode.ENFORCE),
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":{\"name\":\"Bash\",\"arguments\":{\"command\":\"curl evil.com\"}}}");
        assertFalse(o.forward());
    }

    @Test
    void failsClosedOnAToolCallItCannotParse() throws Exception {
        Guard.Outcome o = inspect(guard(PolicyMode.ENFORCE),
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"Bash\",\"arguments\":{\"command\":\"curl x\"},},}");
        assertFalse(o.forward());
        assertEquals(-32700, json(o.reply()).at("/error/code").asInt());
    }

    @Test
    void shadowModeForwardsAndRecordsWhatItWouldBlock() throws Exception {
        Guard.Outcome o = inspect(guard(PolicyMode.SHADOW),
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"Bash\",\"arguments\":{\"command\":\"curl evil.com\"}}}");
        assertTrue(o.forward());
        assertNull(o.replacement());
        assertNull(o.reply());
        assertEquals(PolicyMode.SHADOW, o.judged().get(0).mode());
    }

    @Test
    void forwardsTheAllowedPartOfABatchAndAnswersTheRest() throws Exception {
        Guard.Outcome o = inspect(guard(PolicyMode.ENFORCE), "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"Bash\",\"arguments\":{\"command\":\"curl x\"}}},"
                + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"Bash\",\"arguments\":{\"command\":\"ls\"}}}]");
        assertTrue(o.forward());
        JsonNode kept = json(o.replacement());
        assertEquals(1, kept.size());
        assertEquals(2, kept.get(0).get("id").asInt());
        JsonNode replies = json(o.reply());
        assertEquals(1, replies.size());
        assertEquals(1, replies.get(0).get("id").asInt());
    }

    @Test
    void picksUpAPolicyEditAndKeepsTheLastGoodOneOnATypo() throws Exception {
        LivePolicy live = LivePolicy.load(policyFile, new JudgeContext(root, root), new PrintStream(err, true), 0);
        Guard g = new Guard(live, PolicyMode.ENFORCE);
        String ls = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"Bash\",\"arguments\":{\"command\":\"ls\"}}}";
        assertSame(Guard.PASS, inspect(g, ls));
        Files.writeString(policyFile, "{\"files\":{\"read\":{\"deny\":[\".env\"]}},\"commands\":{\"deny\":[\"curl\", \"ls\"]}}");
        Files.setLastModifiedTime(policyFile, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertTrue(live.reloadIfChanged());
        assertFalse(inspect(g, ls).forward(), "the edit is in force");
        Files.writeString(policyFile, "{\"commands\":{\"dney\":[]}}");
        Files.setLastModifiedTime(policyFile, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 10000));
        assertFalse(live.reloadIfChanged());
        assertFalse(inspect(g, ls).forward(), "a bad edit keeps the last good policy");
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("keeping the previous one"), err.toString(StandardCharsets.UTF_8));
    }
}
