package dev.agenttrace.store.redact.legacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.agenttrace.store.TraceEvent;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A frozen copy of the redactor as it was before its finder was made faster (commit 331563a),
 * kept in test scope only: {@code RedactorEquivalenceTest} checks that the redactor finds exactly the
 * spans this one found, and {@code RedactorCost} times both. Do not change it.
 *
 * <p>Removes secrets from what is about to be written to a trace ({@code --redact}, the default):
 * every string of every event, every object key, the meta's command. Traces get shared, attached
 * to bug reports and read by other agents; a token in a tool argument must not travel with them.
 * Only the trace is redacted, never the traffic the proxy forwards.
 *
 * <p>What is found, in any string, on any line of it:
 * <ul>
 * <li>the provider token formats of {@link LegacyTokenFormats} (OpenAI, Anthropic, GitHub, GitLab,
 *     Slack, AWS, Google, Azure, Stripe, SendGrid, npm, PyPI, Hugging Face, JWTs, private key blocks
 *     of PEM, OpenSSH, PGP and PuTTY, passwords in URLs, ...);</li>
 * <li>values of secret-named keys ({@link LegacySecretNames}): {@code KEY=value}, {@code KEY: value},
 *     {@code KEY => value}, quoted or not, in {@code .env} files, YAML, JSON text, URLs' query
 *     strings, {@code export} lines; {@code --flag value} and {@code --flag=value} with a secret
 *     name; {@code Authorization:} and {@code Cookie:} header lines;</li>
 * <li>{@code Bearer <token>}, {@code Basic <base64 of user:password>};</li>
 * <li>passwords on command lines: {@code mysql -pX}, {@code sshpass -p X},
 *     {@code curl -u user:X}, {@code redis-cli -a X}, {@code docker login -p X}
 *     ({@code PGPASSWORD=X}, {@code MYSQL_PWD=X} are secret-named variables).</li>
 * </ul>
 * A JSON value under a secret-named key is replaced whole (its shape kept); a string array (a
 * command line: {@code ["server", "--api-key", "X"]}) is judged as one command line; an object key
 * that is itself a secret is replaced.
 *
 * <p><b>Not redacted</b>, on purpose: hex strings (git SHAs, SHA-256 digests), UUIDs, paths, and
 * prose ("the bearer of this letter", "basic authentication", "max_tokens: 4096").
 *
 * <p>A secret becomes {@value #MARKER}; with {@link #pseudonymous} it becomes
 * {@code [REDACTED:<kind>:<4 hex>]}, the hex a keyed hash of the secret (the key is the store's,
 * so equal secrets correlate within a store and nothing about them can be guessed outside it).
 *
 * <p>Copy-on-write: a tree with nothing to redact is returned as the same instance. Runs on the
 * trace writer's thread, never on a relay.
 */
public final class LegacyRedactor {
    public static final String MARKER = "[REDACTED]";
    private static final String MARKER_PREFIX = "[REDACTED";
    private static final LegacyRedactor PLAIN = new LegacyRedactor(null);
    /** Read here so that the formats register their anchors before the first text is scanned. */
    private static final List<LegacyTokenFormats.Format> FORMATS = LegacyTokenFormats.ALL;
    /** Longest text judged as one piece; longer texts are cut by the payload limit anyway. */
    private static final int ARGV_JOIN_LIMIT = 64 * 1024;

    private final byte[] key;

    private LegacyRedactor(byte[] key) {
        this.key = key;
    }

    /** Secrets become {@value #MARKER}. */
    public static LegacyRedactor plain() {
        return PLAIN;
    }

    /** Secrets become {@code [REDACTED:kind:xxxx]}, the hex an HMAC-SHA256 of the secret under {@code key}. */
    public static LegacyRedactor pseudonymous(byte[] key) {
        if (key == null || key.length < 16) {
            throw new IllegalArgumentException("a pseudonym key needs 16 bytes or more");
        }
        return new LegacyRedactor(key.clone());
    }

    /** Whether values under this key are secrets ({@code API-Key}, {@code api_key} and {@code APIKEY} alike). */
    public static boolean isSensitiveKey(String name) {
        return LegacySecretNames.isSecretName(name);
    }

    /** {@link #plain()}'s {@link #text}. */
    public static String redactText(String text) {
        return PLAIN.text(text);
    }

    /** {@link #plain()}'s {@link #tree}. */
    public static JsonNode redact(JsonNode node) {
        return PLAIN.tree(node);
    }

    /** {@link #plain()}'s {@link #event}. */
    public static TraceEvent redact(TraceEvent e) {
        return PLAIN.event(e);
    }

    /** An event with its data redacted; the same instance when there was nothing to redact. */
    public TraceEvent event(TraceEvent e) {
        if (e.data() == null) {
            return e;
        }
        JsonNode r = tree(e.data());
        return r == e.data() ? e : new TraceEvent(e.eventType(), e.timestamp(), e.eventId(), e.sessionId(),
                e.parentId(), e.durationMs(), (ObjectNode) r);
    }

    /** A redacted copy of {@code node}, or {@code node} itself when nothing in it is secret. */
    public JsonNode tree(JsonNode node) {
        return node == null ? null : tree(node, null);
    }

    /** @param secretName the secret-named key this value is under, or null */
    private JsonNode tree(JsonNode n, String secretName) {
        if (n.isTextual()) {
            String t = n.textValue();
            if (secretName != null) {
                return t.isEmpty() || t.startsWith(MARKER_PREFIX) ? n : TextNode.valueOf(marker(kindOfName(secretName), t));
            }
            String r = text(t);
            return r == t ? n : TextNode.valueOf(r);
        }
        if (n.isNumber()) {
            return secretName != null ? TextNode.valueOf(marker(kindOfName(secretName), n.asText())) : n;
        }
        if (n.isObject()) {
            return object((ObjectNode) n, secretName);
        }
        if (n.isArray()) {
            return array((ArrayNode) n, secretName);
        }
        return n;
    }

    private JsonNode object(ObjectNode n, String secretName) {
        ObjectNode copy = null;
        Iterator<Map.Entry<String, JsonNode>> it = n.properties().iterator();
        int i = 0;
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            String k = f.getKey();
            JsonNode v = f.getValue();
            String under = secretName != null ? secretName : LegacySecretNames.isSecretName(k) ? k : null;
            JsonNode r = tree(v, under);
            String rk = text(k); // a secret used as a key: {"ghp_...": {...}}
            if (r != v || rk != k) {
                if (copy == null) {
                    copy = JsonNodeFactory.instance.objectNode();
                    Iterator<Map.Entry<String, JsonNode>> before = n.properties().iterator();
                    for (int j = 0; j < i; j++) {
                        Map.Entry<String, JsonNode> b = before.next();
                        copy.set(b.getKey(), b.getValue());
                    }
                }
                String name = rk;
                for (int dup = 2; copy.has(name) || rk != k && n.has(name); dup++) {
                    name = rk + "#" + dup; // two secrets that redact alike stay two keys
                }
                copy.set(name, r);
            } else if (copy != null) {
                copy.set(k, v);
            }
            i++;
        }
        return copy == null ? n : copy;
    }

    private JsonNode array(ArrayNode n, String secretName) {
        if (secretName == null && n.size() >= 2 && allText(n)) {
            return argv(n);
        }
        ArrayNode copy = null;
        for (int i = 0; i < n.size(); i++) {
            JsonNode v = n.get(i);
            JsonNode r = tree(v, secretName);
            if (r != v) {
                if (copy == null) {
                    copy = JsonNodeFactory.instance.arrayNode(n.size());
                    copy.addAll(n);
                }
                copy.set(i, r);
            }
        }
        return copy == null ? n : copy;
    }

    private static boolean allText(ArrayNode n) {
        long len = 0;
        for (JsonNode v : n) {
            if (!v.isTextual()) {
                return false;
            }
            len += v.textValue().length() + 1;
        }
        return len <= ARGV_JOIN_LIMIT;
    }

    /**
     * A string array judged as one command line joined by spaces, so that {@code "--api-key"}
     * redacts the element after it; each secret found is cut back into the elements it covers.
     */
    private JsonNode argv(ArrayNode n) {
        int size = n.size();
        int[] starts = new int[size];
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                joined.append(' ');
            }
            starts[i] = joined.length();
            joined.append(n.get(i).textValue());
        }
        String all = joined.toString();
        Spans spans = find(all);
        if (spans.size == 0) {
            return n;
        }
        ArrayNode copy = JsonNodeFactory.instance.arrayNode(size);
        for (int i = 0; i < size; i++) {
            String el = n.get(i).textValue();
            int from = starts[i];
            int to = from + el.length();
            StringBuilder out = null;
            int last = from;
            for (int s = 0; s < spans.size; s++) {
                int a = Math.max(spans.start[s], from);
                int b = Math.min(spans.end[s], to);
                if (a >= b) {
                    continue;
                }
                if (out == null) {
                    out = new StringBuilder(el.length());
                }
                out.append(all, last, a).append(marker(spans.kind[s], all.substring(spans.start[s], spans.end[s])));
                last = b;
            }
            if (out == null) {
                copy.add(n.get(i));
            } else {
                copy.add(out.append(all, last, to).toString());
            }
        }
        return copy;
    }

    /** {@code text} with every secret in it replaced; the same instance when there is none. */
    public String text(String text) {
        if (text == null || text.length() < 6) {
            return text;
        }
        Spans spans = find(text);
        if (spans.size == 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int last = 0;
        for (int s = 0; s < spans.size; s++) {
            out.append(text, last, spans.start[s]).append(marker(spans.kind[s], text.substring(spans.start[s], spans.end[s])));
            last = spans.end[s];
        }
        return out.append(text, last, text.length()).toString();
    }

    // ---------------------------------------------------------------- finding

    /** Every secret in {@code s}, as sorted, non-overlapping spans. */
    public static Spans find(String s) {
        Spans spans = new Spans();
        long[] present = new long[2];
        LegacyBigrams.scan(s, present);
        for (LegacyTokenFormats.Format f : FORMATS) {
            formats(s, f, present, spans);
        }
        for (ContextRule r : CONTEXT_RULES) {
            if (r.mayApply(s, present)) {
                r.find(s, spans);
            }
        }
        if (LegacySecretNames.mayContainSecretName(s)) {
            LegacyNamedValues.find(s, spans);
        }
        spans.normalise();
        return spans;
    }

    private static void formats(String s, LegacyTokenFormats.Format f, long[] present, Spans spans) {
        String[] anchors = f.anchors();
        for (int a = 0; a < anchors.length; a++) {
            if (!LegacyBigrams.has(present, f.ids()[a])) {
                continue;
            }
            String anchor = anchors[a];
            int at = s.indexOf(anchor);
            if (at < 0) {
                continue;
            }
            Matcher m = f.pattern().matcher(s).useTransparentBounds(true).useAnchoringBounds(false);
            if (!f.atStart()) {
                while (m.find()) {
                    add(f.kind(), m, f, spans);
                }
                return; // one search covers every anchor
            }
            while (at >= 0) {
                m.region(at, s.length());
                if (m.lookingAt()) {
                    add(f.kind(), m, f, spans);
                    at = s.indexOf(anchor, Math.max(m.end(), at + 1));
                } else {
                    at = s.indexOf(anchor, at + 1);
                }
            }
        }
    }

    private static void add(String kind, Matcher m, LegacyTokenFormats.Format f, Spans spans) {
        int a = m.start();
        int b = m.end();
        if (hasGroup(m.pattern(), "s") && m.start("s") >= 0) {
            a = m.start("s");
            b = m.end("s");
        }
        if (a < b && (f == null || f.accept() == null || f.accept().test(m.group().substring(a - m.start(), b - m.start())))) {
            spans.add(a, b, kind);
        }
    }

    private static boolean hasGroup(Pattern p, String name) {
        return p.pattern().contains("(?<" + name + ">");
    }

    /** A secret recognised by what stands before it (a scheme, a flag of a known program). */
    private record ContextRule(String kind, String[] triggers, boolean ignoreCase, Pattern pattern, Check check, int[] ids) {
        ContextRule(String kind, String[] triggers, boolean ignoreCase, Pattern pattern, Check check) {
            this(kind, triggers, ignoreCase, pattern, check, ids(triggers, ignoreCase));
        }

        private static int[] ids(String[] triggers, boolean ignoreCase) {
            int[] ids = new int[triggers.length];
            for (int i = 0; i < triggers.length; i++) {
                ids[i] = LegacyBigrams.register(triggers[i], ignoreCase);
            }
            return ids;
        }

        boolean mayApply(String s, long[] present) {
            for (int i = 0; i < triggers.length; i++) {
                if (LegacyBigrams.has(present, ids[i]) && (ignoreCase ? containsIgnoreCase(s, triggers[i]) : s.contains(triggers[i]))) {
                    return true;
                }
            }
            return false;
        }

        void find(String s, Spans spans) {
            Matcher m = pattern.matcher(s);
            while (m.find()) {
                String secret = m.group("s");
                if (secret != null && !secret.isEmpty() && !secret.startsWith(MARKER_PREFIX)
                        && (check == null || check.ok(s, m, secret))) {
                    spans.add(m.start("s"), m.end("s"), kind);
                }
            }
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean ok(String text, Matcher m, String secret);
    }

    private static final String ARG = "(?<s>'[^'\\n]{1,256}'|\"[^\"\\n]{1,256}\"|[^\\s'\"]{1,256})";

    private static final List<ContextRule> CONTEXT_RULES = List.of(
            new ContextRule("bearer", new String[] {"bearer"}, true,
                    Pattern.compile("\\b(?i:bearer)\\s+(?<s>[A-Za-z0-9._~+/=-]{8,})"),
                    (t, m, s) -> s.length() >= 24 || hasDigit(s)),
            new ContextRule("basic", new String[] {"basic"}, true,
                    Pattern.compile("\\b(?i:basic)\\s+(?<s>[A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])"),
                    (t, m, s) -> LegacyTokenFormats.basicCredentials(s)),
            new ContextRule("password", new String[] {"mysql", "mariadb"}, false,
                    Pattern.compile("(?<=\\s)-p" + ARG),
                    (t, m, s) -> onSameLineAfter(t, m.start(), "mysql", "mariadb")),
            new ContextRule("password", new String[] {"sshpass"}, false,
                    Pattern.compile("\\bsshpass\\b[^\\n|;&]*?\\s-p\\s*" + ARG), null),
            new ContextRule("password", new String[] {"redis-cli", "valkey-cli"}, false,
                    Pattern.compile("\\b(?:redis|valkey)-cli\\b[^\\n|;&]*?\\s(?:-a|--pass)\\s+" + ARG), null),
            new ContextRule("password", new String[] {"login"}, false,
                    Pattern.compile("\\blogin\\b[^\\n|;&]*?\\s-p\\s+" + ARG), null),
            new ContextRule("password", new String[] {"-u", "-U", "--user", "--proxy-user", "-a", "--auth"}, false,
                    Pattern.compile("(?<![\\w-])(?:-u|-U|--user|--proxy-user|-a|--auth)(?:\\s+|=)['\"]?[^\\s:'\"@/]{1,128}:"
                            + "(?<s>[^\\s'\"]{1,256})"),
                    (t, m, s) -> !s.startsWith("//")));

    private static boolean onSameLineAfter(String t, int at, String... programs) {
        int lineStart = t.lastIndexOf('\n', at) + 1;
        for (String p : programs) {
            int i = t.lastIndexOf(p, at);
            if (i >= lineStart) {
                return true;
            }
        }
        return false;
    }

    static boolean containsIgnoreCase(String s, String lower) {
        char first = lower.charAt(0);
        int n = lower.length();
        for (int i = 0, end = s.length() - n; i <= end; i++) {
            if ((s.charAt(i) | 0x20) == first && s.regionMatches(true, i, lower, 0, n)) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasDigit(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isDigit(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- markers

    static String kindOfName(String name) {
        List<String> w = LegacySecretNames.words(name);
        String joined = String.join("", w);
        if (joined.contains("aws") && (joined.contains("secret") || joined.contains("session"))) {
            return "aws-secret";
        }
        String last = w.isEmpty() ? "" : w.get(w.size() - 1);
        if (last.startsWith("pass") || last.equals("pwd") || last.endsWith("password") || last.endsWith("pwd")) {
            return "password";
        }
        if (last.endsWith("token")) {
            return "token";
        }
        if (last.equals("cookie")) {
            return "cookie";
        }
        if (last.equals("authorization")) {
            return "authorization";
        }
        if (last.equals("key") || last.endsWith("key")) {
            return "key";
        }
        return "secret";
    }

    private String marker(String kind, String secret) {
        if (key == null) {
            return MARKER;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] h = mac.doFinal(unquote(secret).getBytes(StandardCharsets.UTF_8));
            return "[REDACTED:" + kind + ":" + String.format("%02x%02x", h[0] & 0xff, h[1] & 0xff) + "]";
        } catch (GeneralSecurityException e) {
            return MARKER; // HmacSHA256 is in every JRE
        }
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && (s.charAt(0) == '\'' || s.charAt(0) == '"') && s.charAt(s.length() - 1) == s.charAt(0)) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }

    /** Secret spans of one text: added in any order, then sorted and merged. */
    public static final class Spans {
        private static final int[] NO_INTS = new int[0];
        private static final String[] NO_KINDS = new String[0];
        // most texts hold no secret: the arrays are made when the first span is found
        public int[] start = NO_INTS;
        public int[] end = NO_INTS;
        public String[] kind = NO_KINDS;
        public int size;

        void add(int a, int b, String k) {
            if (size == start.length) {
                int n = Math.max(4, size * 2);
                start = Arrays.copyOf(start, n);
                end = Arrays.copyOf(end, n);
                kind = Arrays.copyOf(kind, n);
            }
            start[size] = a;
            end[size] = b;
            kind[size] = k;
            size++;
        }

        /** Sorted by start; overlapping spans merged (the first found names the kind). */
        void normalise() {
            if (size < 2) {
                return;
            }
            Integer[] order = new Integer[size];
            for (int i = 0; i < size; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (x, y) -> start[x] != start[y] ? Integer.compare(start[x], start[y]) : Integer.compare(x, y));
            int[] s2 = new int[size];
            int[] e2 = new int[size];
            String[] k2 = new String[size];
            int n = 0;
            for (int idx : order) {
                if (n > 0 && start[idx] < e2[n - 1]) {
                    e2[n - 1] = Math.max(e2[n - 1], end[idx]);
                } else {
                    s2[n] = start[idx];
                    e2[n] = end[idx];
                    k2[n] = kind[idx];
                    n++;
                }
            }
            start = s2;
            end = e2;
            kind = k2;
            size = n;
        }
    }
}
