package dev.agenttrace.rules.watch;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.Iterator;

/**
 * Normalised tool arguments, so "the same call" means the same thing whatever key order or
 * spacing the model produced: object keys sorted, strings trimmed with runs of whitespace
 * collapsed, {@code 1.0} and {@code 1} equal. The canonical text is capped (a retried 1 MB write is
 * still recognised by its first 16 KiB plus its length); {@link #hash} gives the 64-bit key the
 * retry and loop watchers compare.
 */
final class ArgumentCanon {
    static final int MAX_CHARS = 16_384;
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private ArgumentCanon() {
    }

    /** The canonical form of {@code args}; missing or null arguments are {@code {}}. */
    static String canonical(JsonNode args) {
        if (args == null || args.isNull() || args.isMissingNode()) {
            return "{}";
        }
        StringBuilder sb = new StringBuilder(64);
        append(args, sb);
        if (sb.length() > MAX_CHARS) {
            int total = sb.length();
            sb.setLength(MAX_CHARS);
            sb.append("…(").append(total).append(" chars)");
        }
        return sb.toString();
    }

    private static void append(JsonNode n, StringBuilder sb) {
        if (sb.length() > MAX_CHARS) {
            return;
        }
        if (n.isObject()) {
            int size = n.size();
            String[] names = new String[size];
            int i = 0;
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                names[i++] = it.next();
            }
            if (size > 1) {
                Arrays.sort(names);
            }
            sb.append('{');
            for (int k = 0; k < size; k++) {
                if (k > 0) {
                    sb.append(',');
                }
                quote(names[k], sb, false);
                sb.append(':');
                append(n.get(names[k]), sb);
            }
            sb.append('}');
        } else if (n.isArray()) {
            sb.append('[');
            for (int k = 0; k < n.size(); k++) {
                if (k > 0) {
                    sb.append(',');
                }
                append(n.get(k), sb);
            }
            sb.append(']');
        } else if (n.isTextual()) {
            quote(n.textValue(), sb, true);
        } else if (n.isNumber()) {
            if (n.isIntegralNumber()) {
                sb.append(n.asText());
            } else {
                double d = n.doubleValue();
                if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                    sb.append((long) d);
                } else {
                    sb.append(n.asText());
                }
            }
        } else {
            sb.append(n.asText());
        }
    }

    private static void quote(String s, StringBuilder sb, boolean collapse) {
        sb.append('"');
        int end = s.length();
        int start = 0;
        if (collapse) {
            while (start < end && Character.isWhitespace(s.charAt(start))) {
                start++;
            }
            while (end > start && Character.isWhitespace(s.charAt(end - 1))) {
                end--;
            }
        }
        boolean space = false;
        for (int i = start; i < end && sb.length() <= MAX_CHARS; i++) {
            char c = s.charAt(i);
            if (collapse && Character.isWhitespace(c)) {
                space = true;
                continue;
            }
            if (space) {
                sb.append(' ');
                space = false;
            }
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        sb.append('"');
    }

    /** FNV-1a over the tool name and the canonical arguments. */
    static long hash(String tool, String canonical) {
        long h = FNV_OFFSET;
        h = mix(h, tool);
        h ^= 0;
        h *= FNV_PRIME;
        return mix(h, canonical);
    }

    static long mix(long h, String s) {
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= FNV_PRIME;
        }
        return h;
    }

    /** A call as people read it: {@code read_file {"path":"a.txt"}}, clipped. */
    static String display(String tool, String canonical, int max) {
        String args = canonical.length() <= max ? canonical : canonical.substring(0, max - 1) + "…";
        return tool + " " + args;
    }
}
