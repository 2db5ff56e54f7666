package dev.agenttrace.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PayloadsTest {
    private static final StoreOptions SMALL = new StoreOptions(1000, 100, false, 16, 1 << 20);

    @Test
    void sha256HexMatchesTheStandardVector() {
        byte[] abc = "xabcx".getBytes(StandardCharsets.US_ASCII);
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Payloads.sha256Hex(abc, 1, 3));
    }

    @Test
    void leavesPayloadsUnderTheLimitAsTheyAre() {
        ObjectNode small = JsonNodeFactory.instance.objectNode().put("path", "/a/b");
        assertSame(small, Payloads.limit(small, SMALL));
        Payloads.Limited l = Payloads.limitArguments(small, SMALL);
        assertSame(small, l.value());
        assertFalse(l.truncated());
        assertEquals(TraceJson.compact(small).length(), l.size());
        assertNull(l.sha256());
    }

    @Test
    void replacesAnOversizedPayloadWithSizeDigestAndPreview() {
        ObjectNode big = JsonNodeFactory.instance.objectNode();
        ArrayNode content = big.putArray("content");
        for (int i = 0; i < 100; i++) {
            content.addObject().put("type", "text").put("text", "l\u00ednea " + i);
        }
        String json = TraceJson.compact(big);
        byte[] bytes = json.getBytes(StandardCharsets.US_ASCII);
        JsonNode out = Payloads.limit(big, SMALL);
        assertTrue(out.get("truncated").asBoolean());
        assertEquals(bytes.length, out.get("size").asInt());
        assertEquals(Payloads.sha256Hex(bytes, 0, bytes.length), out.get("sha256").asText());
        String preview = out.get("preview").asText();
        assertEquals(100, preview.length());
        assertTrue(preview.startsWith("{\"content\":[{\"type\":\"text\",\"text\":\"l\u00ednea 0\"}"), preview);
        assertTrue(TraceJson.compact(out).length() < 1000);
    }

    @Test
    void previewOfAStringIsTheTextAndNeverSplitsASurrogatePair() {
        String s = "a".repeat(99) + "\uD83D\uDE00" + "b".repeat(2000);
        JsonNode out = Payloads.limit(TextNode.valueOf(s), SMALL);
        assertEquals("a".repeat(99), out.get("preview").asText());
    }

    @Test
    void toolArgumentsKeepTheirShapeAndOnlyLongStringsAreCut() {
        String content = "x".repeat(5000);
        ObjectNode args = JsonNodeFactory.instance.objectNode().put("path", "/srv/app/config.yaml").put("content", content);
        args.putArray("flags").add("-f").add(3);
        Payloads.Limited l = Payloads.limitArguments(args, SMALL);
        assertTrue(l.truncated());
        String originalJson = TraceJson.compact(args);
        byte[] ob = originalJson.getBytes(StandardCharsets.US_ASCII);
        assertEquals(ob.length, l.size());
        assertEquals(Payloads.sha256Hex(ob, 0, ob.length), l.sha256());
        assertEquals("/srv/app/config.yaml", l.value().get("path").asText());
        assertEquals(3, l.value().get("flags").get(1).asInt());
        byte[] cb = content.getBytes(StandardCharsets.UTF_8);
        String cut = l.value().get("content").asText();
        assertTrue(cut.startsWith("x".repeat(100) + "\u2026 [truncated 5000 bytes, sha256 " + Payloads.sha256Hex(cb, 0, cb.length) + "]"), cut);
        assertTrue(TraceJson.compact(l.value()).length() <= 1000);
        assertEquals(content, args.get("content").asText(), "the input is not modified");
    }

    @Test
    void argumentsThatCannotKeepTheirShapeFallBackToTheBoundedForm() {
        ObjectNode args = JsonNodeFactory.instance.objectNode();
        ArrayNode many = args.putArray("ids");
        for (int i = 0; i < 1000; i++) {
            many.add(i);
        }
        Payloads.Limited l = Payloads.limitArguments(args, SMALL);
        assertTrue(l.truncated());
        assertTrue(l.value().get("truncated").asBoolean());
        assertEquals(l.sha256(), l.value().get("sha256").asText());
    }
}
