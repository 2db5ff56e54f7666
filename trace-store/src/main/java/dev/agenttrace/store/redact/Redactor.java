package dev.agenttrace.store.redact;

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
 * Removes secrets from what is about to be written to a trace ({@code --redact}, the default):
 * every string of every event, every object key, the meta's command. Traces get shared, attached
 * to bug reports and read by other agents; a token in a tool argument must not travel with them.
 * Only the trace is redacted, never the traffic the proxy forwards.
 *
 * <p>What is found, in any string, on any line of it:
 * <ul>
 * <li>the provider token formats of {@link TokenFormats} (OpenAI, Anthropic, GitHub, GitLab,
 *     Slack, AWS, Google, Azure, Stripe, SendGrid, npm, PyPI, Hugging Face, JWTs, private key blocks
 *     of PEM, OpenSSH, PGP and PuTTY, passwords in URLs, ...);</li>
 * <li>values of secret-named keys ({@link SecretNames}): {@code KEY=value}, {@code KEY: value},
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
public final class Redactor {
    public static final String MARKER = "[REDACTED]";
    private static final String MARKER_PREFIX = "[REDACTED";
    private static final Redactor PLAIN = new Redactor(null);
    /** Read here so that the formats register their anchors before the first text is scanned. */
    private static final List<TokenFormats.Format> FORMATS = TokenFormats.ALL;
    /** Longest text judged as one piece; longer texts are cut by the payload limit anyway. */
    private static final int ARGV_JOIN_LIMIT = 64 * 1024;

    private final byte[] key;

    private Redactor(byte[] key) {
        this.key = key;
    }

    /** Secrets become {@value #MARKER}. */
    public static Redactor plain() {
        return PLAIN;
    }

    /** Secrets become {@code [REDACTED:kind:xxxx]}, the hex an HMAC-SHA256 of the secret under {@code key}. */
    public static Redactor pseudonymous(byte[] key) {
        if (key == null || key.length < 16) {
            throw new IllegalArgumentException("a pseudonym key needs 16 bytes or more");
        }
        return new Redactor(key.clone());
    }

    /** Whether values under this key are secrets ({@code API-Key}, {@code api_key} and {@code APIKEY} alike). */
    public static boolean isSensitiveKey(String name) {
        return SecretNames.isSecretName(name);
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
            String under = secretName != null ? secretName : SecretNames.isSecretName(k) ? k : null;
            JsonNode r = tree(v, under);
            String rk = keyText(k); // a secret used as a key: {"ghp_...": {...}}
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

    /**
     * Keys found to hold no secret: the same few dozen keys come with every event, and each was
     * scanned again every time. Bounded like {@link SecretNames}' cache: past it, keys are scanned.
     */
    private static final java.util.concurrent.ConcurrentHashMap<String, Boolean> CLEAN_KEYS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int CLEAN_KEYS_MAX = 4096;

    /** {@link #text} of an object key, remembered when it holds no secret. */
    private String keyText(String k) {
        if (CLEAN_KEYS.containsKey(k)) {
            return k;
        }
        String r = text(k);
        if (r == k && CLEAN_KEYS.size() < CLEAN_KEYS_MAX) {
            CLEAN_KEYS.put(k, Boolean.TRUE);
        }
        return r;
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

    /** Stems of secret names ({@link SecretNames#mayContainSecretName}), found by the same scan as the anchors. */
    private static final int[] STEMS = stems("pass", "pwd", "secr", "stri", "toke", "key", "coo", "con", "cred", "auth",
            "url", "uri", "dsn");

    private static int[] stems(String... stems) {
        int[] ids = new int[stems.length];
        for (int i = 0; i < stems.length; i++) {
            ids[i] = Anchors.register(stems[i], true);
        }
        return ids;
    }

    /** Every secret in {@code s}, as sorted, non-overlapping spans. */
    static Spans find(String s) {
        Spans spans = new Spans();
        long[] present = Anchors.scan(s);
        long any = 0;
        for (long w : present) {
            any |= w;
        }
        if (any == 0) {
            return spans; // most texts: no anchor, no trigger, no stem
        }
        // the formats whose anchors occur, run in the table's order
        long[] run = new long[(FORMATS.size() >> 6) + 1];
        for (int w = 0; w < present.length; w++) {
            for (long bits = present[w]; bits != 0; bits &= bits - 1) {
                for (int f : FORMATS_OF[w << 6 | Long.numberOfTrailingZeros(bits)]) {
                    run[f >> 6] |= 1L << (f & 63);
                }
            }
        }
        for (int w = 0; w < run.length; w++) {
            for (long bits = run[w]; bits != 0; bits &= bits - 1) {
                formats(s, FORMATS.get(w << 6 | Long.numberOfTrailingZeros(bits)), present, spans);
            }
        }
        for (ContextRule r : CONTEXT_RULES) {
            if (r.mayApply(present)) {
                r.find(s, spans);
            }
        }
        for (int stem : STEMS) {
            if (Anchors.has(present, stem)) {
                NamedValues.find(s, spans);
                break;
            }
        }
        spans.normalise();
        return spans;
    }

    private static void formats(String s, TokenFormats.Format f, long[] present, Spans spans) {
        String[] anchors = f.anchors();
        int[] ids = f.ids();
        if (!f.atStart()) {
            matchesAround(s, f, present, spans);
            return;
        }
        Matcher m = null;
        for (int a = 0; a < anchors.length; a++) {
            if (!Anchors.has(present, ids[a])) {
                continue;
            }
            String anchor = anchors[a];
            int at = s.indexOf(anchor); // the scan's "maybe" for "-----BEGIN" was "-BEGIN"
            if (at < 0) {
                continue;
            }
            if (m == null) {
                m = f.pattern().matcher(s).useTransparentBounds(true).useAnchoringBounds(false);
            }
            while (at >= 0) {
                m.region(at, s.length());
                if (m.lookingAt()) {
                    add(m, f, spans);
                    at = s.indexOf(anchor, Math.max(m.end(), at + 1));
                } else {
                    at = s.indexOf(anchor, at + 1);
                }
            }
        }
    }

    /**
     * What {@code while (m.find())} over the whole text finds for a format whose match holds one
     * of its anchors {@code minBack} to {@code maxBack} characters after its start: the match is
     * tried only at those starts, in order, each as {@code find} would try it (bounds transparent,
     * not anchoring), and the search goes on from the end of each match, as {@code find} does.
     */
    private static void matchesAround(String s, TokenFormats.Format f, long[] present, Spans spans) {
        String[] anchors = f.anchors();
        int[] ids = f.ids();
        int n = s.length();
        Matcher m = null;
        int from = 0;
        while (true) {
            int start = Integer.MAX_VALUE;
            for (int a = 0; a < anchors.length; a++) {
                if (Anchors.has(present, ids[a])) {
                    int at = s.indexOf(anchors[a], from + f.minBack());
                    if (at >= 0) {
                        start = Math.min(start, Math.max(from, at - f.maxBack()));
                    }
                }
            }
            if (start == Integer.MAX_VALUE) {
                return;
            }
            if (m == null) {
                m = f.pattern().matcher(s).useTransparentBounds(true).useAnchoringBounds(false);
            }
            m.region(start, n);
            if (m.lookingAt() && m.end() > start) {
                add(m, f, spans);
                from = m.end();
            } else {
                from = start + 1;
            }
        }
    }

    private static void add(Matcher m, TokenFormats.Format f, Spans spans) {
        int a = m.start();
        int b = m.end();
        if (f.secretGroup() && m.start("s") >= 0) {
            a = m.start("s");
            b = m.end("s");
        }
        if (a < b && (f.accept() == null || f.accept().test(m.group().substring(a - m.start(), b - m.start())))) {
            spans.add(a, b, f.kind());
        }
    }

    /** A secret recognised by what stands before it (a scheme, a flag of a known program). */
    private record ContextRule(String kind, String[] triggers, boolean ignoreCase, Pattern pattern, Check check, int[] ids) {
        ContextRule(String kind, String[] triggers, boolean ignoreCase, Pattern pattern, Check check) {
            this(kind, triggers, ignoreCase, pattern, check, ids(triggers, ignoreCase));
        }

        private static int[] ids(String[] triggers, boolean ignoreCase) {
            int[] ids = new int[triggers.length];
            for (int i = 0; i < triggers.length; i++) {
                ids[i] = Anchors.register(triggers[i], ignoreCase);
            }
            return ids;
        }

        /** Whether a trigger occurs (a case-insensitive one in ASCII case, as the rule's {@code (?i:...)} matches it). */
        boolean mayApply(long[] present) {
            for (int id : ids) {
                if (Anchors.has(present, id)) {
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

    // Word edges are written (?<!\\w) and (?!\\w), never \\b: JDK 19 made \\b agree with the ASCII \\w
    // while JDK 17's treats any Unicode letter as a word character, so "\u00e9Bearer x..." was
    // redacted on JDK 25 and kept on JDK 17. Written out, both JDKs find the same secrets.
    private static final String ARG = "(?<s>'[^'\\n]{1,256}'|\"[^\"\\n]{1,256}\"|[^\\s'\"]{1,256})";

    private static final List<ContextRule> CONTEXT_RULES = List.of(
            new ContextRule("bearer", new String[] {"bearer"}, true,
                    Pattern.compile("(?<!\\w)(?i:bearer)\\s+(?<s>[A-Za-z0-9._~+/=-]{8,})"),
                    (t, m, s) -> s.length() >= 24 || hasDigit(s)),
            new ContextRule("basic", new String[] {"basic"}, true,
                    Pattern.compile("(?<!\\w)(?i:basic)\\s+(?<s>[A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])"),
                    (t, m, s) -> TokenFormats.basicCredentials(s)),
            new ContextRule("password", new String[] {"mysql", "mariadb"}, false,
                    Pattern.compile("(?<=\\s)-p" + ARG),
                    (t, m, s) -> onSameLineAfter(t, m.start(), "mysql", "mariadb")),
            new ContextRule("password", new String[] {"sshpass"}, false,
                    Pattern.compile("(?<!\\w)sshpass(?!\\w)[^\\n|;&]*?\\s-p\\s*" + ARG), null),
            new ContextRule("password", new String[] {"redis-cli", "valkey-cli"}, false,
                    Pattern.compile("(?<!\\w)(?:redis|valkey)-cli(?!\\w)[^\\n|;&]*?\\s(?:-a|--pass)\\s+" + ARG), null),
            new ContextRule("password", new String[] {"login"}, false,
                    Pattern.compile("(?<!\\w)login(?!\\w)[^\\n|;&]*?\\s-p\\s+" + ARG), null),
            new ContextRule("password", new String[] {"-u", "-U", "--user", "--proxy-user", "-a", "--auth"}, false,
                    Pattern.compile("(?<![\\w-])(?:-u|-U|--user|--proxy-user|-a|--auth)(?:\\s+|=)['\"]?[^\\s:'\"@/]{1,128}:"
                            + "(?<s>[^\\s'\"]{1,256})"),
                    (t, m, s) -> !s.startsWith("//")));

    /** For each {@link Anchors} id, the indexes in {@link #FORMATS} of the formats it anchors. */
    private static final int[][] FORMATS_OF = formatsOf();

    private static int[][] formatsOf() {
        int[][] of = new int[Anchors.count()][0];
        for (int f = 0; f < FORMATS.size(); f++) {
            for (int id : FORMATS.get(f).ids()) {
                int[] list = Arrays.copyOf(of[id], of[id].length + 1);
                list[list.length - 1] = f;
                of[id] = list;
            }
        }
        return of;
    }

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
        List<String> w = SecretNames.words(name);
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
    static final class Spans {
        private static final int[] NO_INTS = new int[0];
        private static final String[] NO_KINDS = new String[0];
        // most texts hold no secret: the arrays are made when the first span is found
        int[] start = NO_INTS;
        int[] end = NO_INTS;
        String[] kind = NO_KINDS;
        int size;

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
