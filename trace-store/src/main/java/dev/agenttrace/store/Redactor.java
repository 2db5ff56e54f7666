package dev.agenttrace.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from event data before it reaches disk ({@code --redact}). Traces get shared,
 * attached to bug reports and read by other agents; a token in a tool argument must not travel
 * with them. Only the trace is redacted, never the traffic the proxy forwards.
 *
 * <p><b>By key.</b> The value of any object key below (case-insensitive; {@code -} and
 * {@code _} are the same) becomes {@code "[REDACTED]"}; an object or array under such a key
 * keeps its shape and every string and number inside it is redacted:
 * {@code password, passwd, passphrase, secret, token, api_key, apikey, x_api_key, access_token,
 * refresh_token, auth_token, session_token, authorization, proxy_authorization, credential,
 * credentials, private_key, privatekey, client_secret, connection_string, database_url, db_url,
 * cookie, set_cookie, aws_secret_access_key, aws_session_token}.
 *
 * <p><b>Inside any string</b> (the secret is replaced, the text around it kept):
 * <ul>
 * <li>PEM private key blocks ({@code -----BEGIN ... PRIVATE KEY-----} to the matching END, or
 *     to the end of the string when a preview cut it off);</li>
 * <li>passwords in URLs: {@code scheme://user:PASSWORD@host} (user and host are kept);</li>
 * <li>{@code Bearer <token>} (token of 8+ characters with a digit, or 24+);
 *     {@code Basic <base64>} when it decodes to {@code user:password};</li>
 * <li>OpenAI {@code sk-...} and {@code sk-proj-...}, Anthropic {@code sk-ant-...} (20+
 *     characters with a digit); GitHub {@code ghp_ gho_ ghu_ ghs_ ghr_} tokens and
 *     {@code github_pat_...}; Slack {@code xoxb- xoxp- xoxr- xoxa- xoxs-}; AWS access key ids
 *     {@code AKIA}/{@code ASIA} + 16; Google API keys {@code AIza} + 35; Stripe
 *     {@code sk_live_ rk_live_ sk_test_ rk_test_}; JWTs (three base64url segments, the first
 *     starting {@code eyJ});</li>
 * <li>assignments of a secret-named variable: {@code PASSWORD=...}, {@code GITHUB_TOKEN=...},
 *     {@code AWS_SECRET_ACCESS_KEY=...}, {@code "api_key": "..."} in text,
 *     {@code --password=...} and {@code --token ...}; and {@code Cookie:} /
 *     {@code Set-Cookie:} header lines.</li>
 * </ul>
 *
 * <p><b>Not redacted</b>, on purpose: plain hex strings (git SHAs, SHA-256 digests: agent-strace
 * redacts any 40+ hex run and so destroys the commit ids a debugging session needs), UUIDs,
 * paths, and ordinary prose ("the bearer of this letter", "basic authentication"). Prose shaped
 * like an assignment ("password: see the vault") does lose its value: erring that way is the
 * point.
 *
 * <p>Redaction is copy-on-write: a tree with nothing to redact is returned as the same instance,
 * so the common case allocates nothing.
 */
public final class Redactor {
    public static final String MARKER = "[REDACTED]";
    private static final TextNode MARKER_NODE = TextNode.valueOf(MARKER);

    private static final Set<String> SENSITIVE_KEYS = Set.of("password", "passwd", "passphrase", "secret",
            "token", "api_key", "apikey", "x_api_key", "access_token", "refresh_token", "auth_token",
            "session_token", "authorization", "proxy_authorization", "credential", "credentials", "private_key",
            "privatekey", "client_secret", "connection_string", "database_url", "db_url", "cookie", "set_cookie",
            "aws_secret_access_key", "aws_session_token");

    private static final String SECRET_NAME = "(?:secret[_-]?access[_-]?key|client[_-]?secret|private[_-]?key"
            + "|access[_-]?token|refresh[_-]?token|auth[_-]?token|session[_-]?token|api[_-]?key|secret[_-]?key"
            + "|access[_-]?key|password|passwd|passphrase|secret|token)";

    /**
     * One kind of secret. {@code trigger} is a cheap test for what any match needs (a literal, a
     * keyword in any case), so the regex only runs on text that can hold this kind; the group
     * {@code keep}, if the regex has one, stays and the rest of the match becomes the marker.
     */
    private record Rule(Predicate<String> trigger, Pattern pattern, Predicate<Matcher> accept) {
        Rule(Predicate<String> trigger, String regex, Predicate<Matcher> accept) {
            this(trigger, Pattern.compile(regex), accept);
        }

        boolean keepsPrefix() {
            return pattern.pattern().startsWith("(?<keep>");
        }
    }

    /** In order: a secret that contains another kind (a JWT after "Bearer") is taken whole first. */
    private static final List<Rule> RULES = List.of(
            new Rule(s -> s.contains("-----BEGIN"),
                    "-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----[\\s\\S]*?(?:-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----|\\z)", null),
            new Rule(s -> s.indexOf('@') >= 0 && s.contains("://"),
                    "(?<keep>(?<=[A-Za-z0-9])://[^\\s:/?#@\"']{1,256}:)[^\\s@/?#\"']{1,256}(?=@)", null),
            new Rule(s -> containsIgnoreCase(s, "bearer"),
                    "(?<keep>\\b(?i:bearer)\\s+)[A-Za-z0-9._~+/=_-]{8,}", Redactor::tokenLike),
            new Rule(s -> containsIgnoreCase(s, "basic"),
                    "(?<keep>\\b(?i:basic)\\s+)[A-Za-z0-9+/]{6,}={0,2}(?![A-Za-z0-9+/=])", Redactor::basicCredentials),
            new Rule(s -> s.contains("sk-"), "\\bsk-(?:ant-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}", Redactor::hasDigit),
            new Rule(s -> s.contains("ghp_") || s.contains("gho_") || s.contains("ghu_") || s.contains("ghs_")
                    || s.contains("ghr_"), "\\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}", null),
            new Rule(s -> s.contains("github_pat_"), "\\bgithub_pat_[A-Za-z0-9_]{22,}", null),
            new Rule(s -> s.contains("xox"), "\\bxox[bpras]-[A-Za-z0-9-]{10,}", null),
            new Rule(s -> s.contains("AKIA") || s.contains("ASIA"), "\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b", null),
            new Rule(s -> s.contains("AIza"), "\\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])", null),
            new Rule(s -> s.contains("_live_") || s.contains("_test_"), "\\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}", null),
            new Rule(s -> s.contains("eyJ"), "\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}", null),
            new Rule(s -> s.indexOf('-') >= 0 && hasSecretName(s),
                    "(?<keep>-(?<![A-Za-z0-9]-)-?(?i:" + SECRET_NAME + ")(?:=|\\s+))[^\\s\"'-][^\\s\"']{2,}", Redactor::notMarker),
            new Rule(s -> (s.indexOf('=') >= 0 || s.indexOf(':') >= 0) && hasSecretName(s),
                    "(?<keep>(?=[SsCcPpAaRrTt])(?<![A-Za-z0-9])(?i:" + SECRET_NAME + ")(?![A-Za-z0-9_])[\"']?[ \\t]*[=:][ \\t]*[\"']?)"
                    + "[^\\s\"',;&]{4,}", Redactor::notMarker),
            new Rule(s -> s.indexOf(':') >= 0 && containsIgnoreCase(s, "cookie"),
                    "(?<keep>\\b(?i:set-cookie|cookie)[\"']?[ \\t]*:[ \\t]*)[^\\r\\n]+", Redactor::notMarker));

    private Redactor() {
    }

    /** Whether values under this key are secrets ({@code API-Key}, {@code api_key} and {@code APIKEY} alike). */
    public static boolean isSensitiveKey(String key) {
        if (key == null || key.isEmpty() || key.length() > 40) {
            return false;
        }
        return SENSITIVE_KEYS.contains(key.trim().toLowerCase(Locale.ROOT).replace('-', '_'));
    }

    /** An event with its data redacted; the same instance when there was nothing to redact. */
    public static TraceEvent redact(TraceEvent e) {
        if (e.data() == null) {
            return e;
        }
        JsonNode r = redact(e.data());
        return r == e.data() ? e : new TraceEvent(e.eventType(), e.timestamp(), e.eventId(), e.sessionId(),
                e.parentId(), e.durationMs(), (ObjectNode) r);
    }

    /** A redacted copy of {@code node}, or {@code node} itself when nothing in it is secret. */
    public static JsonNode redact(JsonNode node) {
        return node == null ? null : redact(node, false);
    }

    private static JsonNode redact(JsonNode n, boolean underSensitiveKey) {
        if (n.isTextual()) {
            String t = n.textValue();
            if (underSensitiveKey) {
                return t.isEmpty() || MARKER.equals(t) ? n : MARKER_NODE;
            }
            String r = redactText(t);
            return r == t ? n : TextNode.valueOf(r);
        }
        if (n.isNumber()) {
            return underSensitiveKey ? MARKER_NODE : n;
        }
        if (n.isObject()) {
            ObjectNode copy = null;
            Iterator<Map.Entry<String, JsonNode>> it = n.properties().iterator();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> f = it.next();
                JsonNode v = f.getValue();
                JsonNode r = redact(v, underSensitiveKey || isSensitiveKey(f.getKey()));
                if (r != v) {
                    if (copy == null) {
                        copy = JsonNodeFactory.instance.objectNode();
                        copy.setAll((ObjectNode) n);
                    }
                    copy.replace(f.getKey(), r);
                }
            }
            return copy == null ? n : copy;
        }
        if (n.isArray()) {
            ArrayNode copy = null;
            for (int i = 0; i < n.size(); i++) {
                JsonNode v = n.get(i);
                JsonNode r = redact(v, underSensitiveKey);
                if (r != v) {
                    if (copy == null) {
                        copy = JsonNodeFactory.instance.arrayNode(n.size());
                        copy.addAll((ArrayNode) n);
                    }
                    copy.set(i, r);
                }
            }
            return copy == null ? n : copy;
        }
        return n;
    }

    /** {@code text} with every secret in it replaced; the same instance when there is none. */
    public static String redactText(String text) {
        if (text == null || text.length() < 8 || !mayHoldSecret(text)) {
            return text;
        }
        String cur = text;
        for (Rule rule : RULES) {
            if (rule.trigger.test(cur)) {
                cur = apply(rule, cur);
            }
        }
        return cur;
    }

    private static String apply(Rule rule, String text) {
        Matcher m = rule.pattern.matcher(text);
        StringBuilder out = null;
        int last = 0;
        while (m.find()) {
            if (rule.accept != null && !rule.accept.test(m)) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            out.append(text, last, m.start());
            if (rule.keepsPrefix()) {
                out.append(m.group("keep"));
            }
            out.append(MARKER);
            last = m.end();
        }
        if (out == null) {
            return text;
        }
        out.append(text, last, text.length());
        return out.toString();
    }

    /**
     * One pass over the text for anything a rule could start from, so that ordinary text (paths,
     * code, prose) costs a scan and no regex. Must stay a superset of the rules' triggers.
     */
    static boolean mayHoldSecret(String s) {
        if (s.contains("sk-") || s.contains("eyJ") || s.contains("xox") || s.contains("-----BEGIN")
                || s.contains("AKIA") || s.contains("ASIA") || s.contains("AIza")
                || s.indexOf('@') >= 0 && s.contains("://")) {
            return true;
        }
        if (s.indexOf('_') >= 0 && (s.contains("ghp_") || s.contains("gho_") || s.contains("ghu_")
                || s.contains("ghs_") || s.contains("ghr_") || s.contains("github_pat_") || s.contains("_live_")
                || s.contains("_test_"))) {
            return true;
        }
        return hasSecretName(s) || containsIgnoreCase(s, "bearer") || containsIgnoreCase(s, "basic")
                || containsIgnoreCase(s, "cookie");
    }

    /** Every name in {@link #SECRET_NAME} contains one of these. */
    private static boolean hasSecretName(String s) {
        int len = s.length();
        for (int i = 0; i < len; i++) {
            switch (s.charAt(i) | 0x20) {
                case 'p':
                    if (s.regionMatches(true, i, "pass", 0, 4)) {
                        return true;
                    }
                    break;
                case 's':
                    if (s.regionMatches(true, i, "secret", 0, 6)) {
                        return true;
                    }
                    break;
                case 't':
                    if (s.regionMatches(true, i, "token", 0, 5)) {
                        return true;
                    }
                    break;
                case 'k':
                    if (s.regionMatches(true, i, "key", 0, 3)) {
                        return true;
                    }
                    break;
                default:
                    break;
            }
        }
        return false;
    }

    /** {@code lower} must be lowercase ASCII letters. */
    private static boolean containsIgnoreCase(String s, String lower) {
        char first = lower.charAt(0);
        int n = lower.length();
        for (int i = 0, end = s.length() - n; i <= end; i++) {
            if ((s.charAt(i) | 0x20) == first && s.regionMatches(true, i, lower, 0, n)) {
                return true;
            }
        }
        return false;
    }

    private static String secretPart(Matcher m) {
        String all = m.group();
        try {
            String keep = m.group("keep");
            return keep == null ? all : all.substring(keep.length());
        } catch (IllegalArgumentException noKeepGroup) {
            return all;
        }
    }

    /** A bearer token has a digit or is long: "the bearer instrument" is prose. */
    private static boolean tokenLike(Matcher m) {
        String s = secretPart(m);
        return s.length() >= 24 || s.chars().anyMatch(Character::isDigit);
    }

    private static boolean hasDigit(Matcher m) {
        return m.group().chars().anyMatch(Character::isDigit);
    }

    private static boolean notMarker(Matcher m) {
        return !m.group().endsWith(MARKER) && !m.group().contains(MARKER);
    }

    /** "Basic authentication" is prose; "Basic dXNlcjpwYXNz" decodes to "user:pass". */
    private static boolean basicCredentials(Matcher m) {
        String b64 = secretPart(m);
        if (b64.length() % 4 != 0) {
            return false;
        }
        try {
            byte[] raw = Base64.getDecoder().decode(b64);
            String s = new String(raw, StandardCharsets.UTF_8);
            return s.indexOf(':') > 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
