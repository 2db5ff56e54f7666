package dev.agenttrace.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Iterator;
import java.util.Map;

/**
 * Keeps payloads (tool arguments, tool results, wire messages) bounded in the trace. A 40 MB
 * file read through an MCP server must not become a 40 MB trace line: readers load lines whole,
 * and the writer queue has a byte budget. What is kept instead still answers the questions a
 * debugging session asks: how big was it, was it the same as another one (SHA-256), and what did
 * it start with.
 *
 * <p>Sizes and digests are over the payload's compact, ASCII-escaped JSON, the exact bytes the
 * store would have written, which is also what Python's
 * {@code json.dumps(v, separators=(",", ":"))} produces: a Python user can check a digest with
 * {@code hashlib.sha256(json.dumps(v, separators=(",", ":")).encode()).hexdigest()}.
 */
public final class Payloads {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    });

    private Payloads() {
    }

    /**
     * Tool arguments after {@link #limitArguments}: {@code value} is what goes into the trace;
     * {@code size} is the original's serialised size; {@code sha256} is its digest, set only
     * when {@code truncated}.
     */
    public record Limited(JsonNode value, boolean truncated, long size, String sha256) {
    }

    /** {@link #limit(JsonNode, int, int)} with the store's limits. */
    public static JsonNode limit(JsonNode value, StoreOptions opts) {
        return limit(value, opts.maxPayloadBytes(), opts.previewChars());
    }

    /**
     * {@code value} itself when its compact form is at most {@code maxBytes}; otherwise
     * {@code {"truncated": true, "size": <bytes>, "sha256": "<hex>", "preview": "<text>"}}, where
     * the preview is the first {@code previewChars} characters of the text (for a string) or of
     * the readable JSON (for anything else).
     */
    public static JsonNode limit(JsonNode value, int maxBytes, int previewChars) {
        if (value == null || !value.isContainerNode() && !value.isTextual()) {
            return value;
        }
        String json = TraceJson.compact(value);
        if (json.length() <= maxBytes) {
            return value;
        }
        return bounded(value, json, previewChars);
    }

    private static ObjectNode bounded(JsonNode value, String json, int previewChars) {
        ObjectNode o = NODES.objectNode();
        o.put("truncated", true);
        o.put("size", json.length());
        o.put("sha256", sha256Hex(json));
        o.put("preview", preview(value, previewChars));
        return o;
    }

    /** {@link #limitArguments(JsonNode, int, int)} with the store's limits. */
    public static Limited limitArguments(JsonNode args, StoreOptions opts) {
        return limitArguments(args, opts.maxPayloadBytes(), opts.previewChars());
    }

    /**
     * Tool-call arguments under the limit, keeping their shape: a policy judged after the fact
     * needs {@code path} and {@code command}, and those are short; what makes arguments big is
     * one long value (the content of a file being written). So each long string is replaced by
     * its first characters plus {@code "… [truncated N bytes, sha256 X]"}, N and X being the
     * string's own UTF-8 length and digest (X is then the SHA-256 of the file the tool wrote).
     * Strings are cut to {@code previewChars}, then shorter, until the whole fits; if it still
     * does not (thousands of small values), the result is {@link #limit}'s bounded object.
     */
    public static Limited limitArguments(JsonNode args, int maxBytes, int previewChars) {
        if (args == null) {
            return new Limited(null, false, 0, null);
        }
        String json = TraceJson.compact(args);
        if (json.length() <= maxBytes) {
            return new Limited(args, false, json.length(), null);
        }
        String sha = sha256Hex(json);
        if (args.isContainerNode()) {
            for (int keep = Math.max(previewChars, 16); ; keep = keep / 4) {
                JsonNode shaped = cutStrings(args, Math.max(keep, 16));
                if (TraceJson.compact(shaped).length() <= maxBytes) {
                    return new Limited(shaped, true, json.length(), sha);
                }
                if (keep <= 16) {
                    break;
                }
            }
        }
        return new Limited(bounded(args, json, previewChars), true, json.length(), sha);
    }

    private static JsonNode cutStrings(JsonNode n, int keep) {
        if (n.isTextual()) {
            String s = n.textValue();
            if (s.length() <= keep + 80) {
                return n;
            }
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            return TextNode.valueOf(cut(s, keep) + "… [truncated " + utf8.length + " bytes, sha256 "
                    + sha256Hex(utf8, 0, utf8.length) + "]");
        }
        if (n.isObject()) {
            ObjectNode o = NODES.objectNode();
            Iterator<Map.Entry<String, JsonNode>> it = n.properties().iterator();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> f = it.next();
                o.set(f.getKey(), cutStrings(f.getValue(), keep));
            }
            return o;
        }
        if (n.isArray()) {
            ArrayNode a = NODES.arrayNode(n.size());
            for (JsonNode e : n) {
                a.add(cutStrings(e, keep));
            }
            return a;
        }
        return n;
    }

    private static String preview(JsonNode value, int chars) {
        if (value.isTextual()) {
            return cut(value.textValue(), chars);
        }
        StringBuilder sb = new StringBuilder(Math.min(chars, 4096) + 16);
        TraceJson.appendReadable(value, sb, chars);
        return cut(sb.toString(), chars);
    }

    /** The first {@code chars} characters, never splitting a surrogate pair. */
    static String cut(String s, int chars) {
        if (s.length() <= chars) {
            return s;
        }
        int end = Math.max(0, chars);
        if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }

    /** Lowercase hex SHA-256 of {@code b[off, off+len)}. */
    /**
     * For a message already known to be over the limit: {@code value} with every string longer
     * than {@code previewChars} cut to a preview ({@code "… [truncated, N chars]"}), without
     * serialising anything, so paths and commands stay judgeable while a megabyte of text costs
     * no more garbage. A tree still larger than {@code maxNodes} nodes becomes the bounded form
     * with {@code summary} as its preview (asked only then). The caller records size and digest of the raw bytes.
     */
    public static JsonNode truncateStrings(JsonNode value, int previewChars, int maxNodes, java.util.function.Supplier<String> summary) {
        if (value == null) {
            return null;
        }
        int[] nodes = {0};
        JsonNode cut = cut(value, previewChars, nodes);
        if (nodes[0] <= maxNodes) {
            return cut;
        }
        ObjectNode bounded = JsonNodeFactory.instance.objectNode();
        bounded.put("truncated", true);
        bounded.put("nodes", nodes[0]);
        String text = summary.get();
        bounded.put("preview", text.length() <= previewChars ? text : text.substring(0, previewChars));
        return bounded;
    }

    private static JsonNode cut(JsonNode n, int previewChars, int[] nodes) {
        nodes[0]++;
        if (n.isTextual()) {
            String t = n.textValue();
            return t.length() <= previewChars ? n
                    : JsonNodeFactory.instance.textNode(t.substring(0, previewChars) + "\u2026 [truncated, " + t.length() + " chars]");
        }
        if (n.isObject()) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            for (var it = n.fields(); it.hasNext(); ) {
                var e = it.next();
                o.set(e.getKey(), cut(e.getValue(), previewChars, nodes));
            }
            return o;
        }
        if (n.isArray()) {
            var a = JsonNodeFactory.instance.arrayNode();
            for (JsonNode e : n) {
                a.add(cut(e, previewChars, nodes));
            }
            return a;
        }
        return n;
    }

    public static String sha256Hex(byte[] b, int off, int len) {
        MessageDigest md = SHA256.get();
        md.reset();
        md.update(b, off, len);
        byte[] d = md.digest();
        char[] out = new char[d.length * 2];
        for (int i = 0; i < d.length; i++) {
            out[2 * i] = HEX[(d[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[d[i] & 0xf];
        }
        return new String(out);
    }

    /** SHA-256 of an ASCII string's bytes (our serialised JSON is ASCII). */
    private static String sha256Hex(String ascii) {
        byte[] b = ascii.getBytes(StandardCharsets.US_ASCII);
        return sha256Hex(b, 0, b.length);
    }
}
