package dev.agenttrace.store.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The redactor's finder finds exactly the recorded spans (start, end, kind) on every secret of
 * {@link RedactorTest}, near misses of each, realistic tool results, and a large random corpus
 * built from the anchors, triggers and secret-name stems themselves (so that most random texts
 * wake up some rule). {@code redactor-spans.txt.gz} holds, text by text, what the finder found
 * before it was made 2-10x faster (the two were compared text by text on this same corpus when the
 * faster one replaced the other); a text missing from it has no secret.
 *
 * <p>When a change of the corpus or of a rule is meant to change what is found, look at the
 * failures, then write the file again: {@code -Dredactor.spans.write=<path of the .gz in src/test/resources>}.
 */
class RedactorEquivalenceTest {
    private static final String RECORDED = "redactor-spans.txt.gz";
    private static final String WRITE = System.getProperty("redactor.spans.write");
    private static final Map<String, String> EXPECTED = load();
    private static final Map<String, String> WRITTEN = new TreeMap<>();
    private static final Map<String, Integer> COUNTERS = new HashMap<>();
    /** Fragments random texts are made of: every literal a rule keys on, and what surrounds secrets. */
    private static final List<String> FRAGMENTS = new ArrayList<>(List.of(
            "-----BEGIN ", "PRIVATE KEY-----", "-----END ", "RSA", "CERTIFICATE", "PuTTY-User-Key-File-2: ", "Private-MAC: ab12",
            "AGE-SECRET-KEY-1", "sk-ant-api03-", "sk-", "sk-proj-", "hf_", "api_org_", "gsk_", "xai-", "pplx-", "r8_",
            "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "gldt-", "glrt-", "glptt-", "glft-", "glimt-",
            "glagent-", "glsoat-", "glcbt-", "gloas-", "glffct-", "GR1348941", "npm_", "pypi-AgEIcHlwaS5vcmc", "rubygems_",
            "dckr_pat_", "ATATT3", "lin_api_", "PMAK-", "xoxb-", "xoxp-", "xoxe.xoxb-", "xoxe-", "xapp-",
            "https://hooks.slack.com/services/", "discord.com/api/webhooks/", "discordapp.com/api/webhooks/", ":AA",
            "AKIA", "ASIA", "ABIA", "ACCA", "A3T", "AIza", "GOCSPX-", "ya29.", "AccountKey=", "SharedAccessKey=",
            ";AccessKey=", "AccessKey=", "?sig=", "&sig=", "sig=", "Q~", "dop_v1_", "doo_v1_", "dor_v1_", "dapi", "hvs.", "hvb.",
            "dp.pt.", "pscale_tkn_", "sbp_", "fo1_", "glsa_", "glc_", "sntrys_eyJ", "ntn_", "secret_", "sk_live_", "rk_test_",
            "whsec_", "sq0atp-", "sq0csp-", "EAAA", "shpat_", "SG.", "key-", "-us", "-us1", "SK", "eyJ", "://", "https://",
            "postgres://", "Bearer ", "bearer ", "BASIC ", "Basic ", "basic ", "mysql ", "mariadb ", " -p", " -phunter2",
            "sshpass ", "redis-cli ", "valkey-cli ", " -a ", "--pass ", "docker login ", " -u ", " -U ", "--user=", "--user ",
            "--proxy-user ", "--auth ", "admin:", "user:pw", "@", "@host", "password", "PASSWORD", "passwd", "pwd", "Pass",
            "secret", "SECRET_KEY", "api_key", "apiKey", "API-KEY", "token", "Token", "max_tokens", "progressToken", "cookie",
            "Cookie: ", "Authorization: ", "authorization", "credentials", "DATABASE_URL", "db_uri", "connectionString",
            "dsn", "DSN", "PGPASSWORD", "MYSQL_PWD", "tok", "pas", "sec", "str", "cre", "aut", "ke", "co", "ur",
            "=", "=>", ": ", ":", "=\"", "\"", "'", "\\\"", "\\", "`", "&", "?", ";", ",", "{", "}", "[", "]", "(", ")", "<", ">",
            " ", " ", " ", "  ", "\t", "\n", "\r\n", "/", "//", ".", "-", "--", "_", "#", "null", "true", "[REDACTED]",
            "export ", "hunter22", "s3cr3t", "abc", "the ", "login ", "curl ", "ps ", "git ", "0123456789",
            "\u017f", "\u212a", "\u0130", "\u0131", "\u00e9", "\u2014", "\u2028", "\ud83d\ude80", "\u0173", "\u0162", "\u0141"));

    @Test
    void findsTheSameSpansAsBeforeOnEverySecretAndItsNearMisses() {
        int n = 0;
        for (String[] row : RedactorTest.SECRETS) {
            for (String t : nearMisses(row[0])) {
                same("near", t);
                n++;
            }
        }
        for (String s : RedactorTest.LOOK_ALIKES) {
            for (String t : nearMisses(s)) {
                same("near", t);
                n++;
            }
        }
        assertTrue(n > 10_000, n + " texts");
    }

    @Test
    void findsTheSameSpansAsBeforeOnRealisticResults() throws Exception {
        for (RedactorCost.Workload w : RedactorCost.workloads()) {
            w.events().forEach(e -> e.forEach(v -> walk(v)));
        }
        for (String t : List.of(RedactorCost.SOURCE, RedactorCost.JSON_LISTING, RedactorCost.DIR_LISTING, RedactorCost.SHELL_OUTPUT,
                RedactorCost.echoText(7, 100), RedactorCost.echoText(8, 4096))) {
            same("real", t);
        }
        // values cut at 4096 characters: the scan goes on inside a word
        String longWord = "x".repeat(4090) + "passwordtoken";
        for (String t : List.of("password=" + longWord + "=secret1 api_key=abcd", "Authorization: " + longWord + " token: zz9",
                "--token " + longWord + "-key=hunter22", "\"secret\": \"" + longWord + "\" cookie=abc", "key=" + "y".repeat(5000))) {
            same("real", t);
        }
        for (int x = 4090; x < 4100; x++) {
            assertTrue(same("real", "token=" + "x".repeat(x) + "password=hunter22 ok") > 0);
            same("real", "Cookie: " + "x".repeat(x) + "secret=abc");
        }
        StringBuilder all = new StringBuilder();
        for (String[] row : RedactorTest.SECRETS) {
            all.append(row[0]).append('\n').append(RedactorCost.SOURCE, 0, 300).append(' ');
        }
        same("real", all.toString());
    }

    @Test
    void findsTheSameSpansAsBeforeOnRandomTexts() {
        Random r = new Random(20261208);
        List<String> secrets = new ArrayList<>();
        for (String[] row : RedactorTest.SECRETS) {
            secrets.add(row[0]);
        }
        int found = 0;
        for (int i = 0; i < 60_000; i++) {
            StringBuilder b = new StringBuilder();
            int parts = 1 + r.nextInt(i % 10 == 0 ? 60 : 12);
            for (int p = 0; p < parts; p++) {
                switch (r.nextInt(8)) {
                    case 0 -> b.append(runOf(r, "0123456789", 1 + r.nextInt(14)));
                    case 1 -> b.append(runOf(r, "0123456789abcdef", 8 + r.nextInt(60)));
                    case 2 -> b.append(runOf(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 4 + r.nextInt(90)));
                    case 3 -> b.append(runOf(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+/=.~%", 4 + r.nextInt(60)));
                    case 4 -> {
                        String s = secrets.get(r.nextInt(secrets.size()));
                        int a = r.nextInt(s.length());
                        b.append(s, a, a + r.nextInt(s.length() - a + 1)); // a piece of a real secret line
                    }
                    default -> b.append(FRAGMENTS.get(r.nextInt(FRAGMENTS.size())));
                }
            }
            if (same("random", b.toString()) > 0) {
                found++;
            }
        }
        assertTrue(found > 10_000, "random texts with a secret in them: " + found);
    }

    /** The text itself, cut short at each end, with each character dropped, changed, or doubled, and inside other text. */
    private static List<String> nearMisses(String s) {
        List<String> out = new ArrayList<>();
        out.add(s);
        for (String around : List.of("x", "_", "1", " ", "\n", "\"", "'", "=", ":", "@", "/", "?")) {
            out.add(around + s);
            out.add(s + around);
        }
        out.add(s + " " + s);
        out.add(s.toUpperCase(java.util.Locale.ROOT));
        out.add(s.toLowerCase(java.util.Locale.ROOT));
        for (int i = 0; i < s.length(); i++) {
            out.add(s.substring(0, i));
            out.add(s.substring(i));
            out.add(s.substring(0, i) + s.substring(i + 1));
            out.add(s.substring(0, i) + s.charAt(i) + s.substring(i));
            char c = s.charAt(i);
            char other = Character.isDigit(c) ? 'a' : Character.isLetter(c) ? '9' : 'Z';
            out.add(s.substring(0, i) + other + s.substring(i + 1));
            out.add(s.substring(0, i) + ' ' + s.substring(i + 1));
        }
        return out;
    }

    private static String runOf(Random r, String alphabet, int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    private static void walk(com.fasterxml.jackson.databind.JsonNode n) {
        if (n.isTextual()) {
            same("real", n.textValue());
        }
        n.fieldNames().forEachRemaining(k -> same("real", k));
        n.forEach(RedactorEquivalenceTest::walk);
    }

    /**
     * Asserts the finder finds on {@code t}, the next text of {@code corpus}, what is recorded for
     * it (or records it, when writing); returns how many spans it found.
     */
    private static synchronized int same(String corpus, String t) {
        String key = corpus + ":" + COUNTERS.merge(corpus, 1, Integer::sum);
        Redactor.Spans spans = Redactor.find(t);
        StringBuilder found = new StringBuilder();
        for (int i = 0; i < spans.size; i++) {
            found.append(spans.start[i]).append('-').append(spans.end[i]).append(' ').append(spans.kind[i]).append(';');
        }
        if (WRITE != null) {
            if (spans.size > 0) {
                WRITTEN.put(key, found.toString());
            }
        } else {
            assertEquals(EXPECTED.getOrDefault(key, ""), found.toString(), () -> key + ": spans of " + quote(t));
        }
        return spans.size;
    }

    private static Map<String, String> load() {
        Map<String, String> m = new HashMap<>();
        if (WRITE != null) {
            return m;
        }
        try (InputStream in = RedactorEquivalenceTest.class.getResourceAsStream(RECORDED)) {
            assertNotNull(in, RECORDED + " is missing");
            BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                int tab = line.indexOf('\t');
                m.put(line.substring(0, tab), line.substring(tab + 1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return m;
    }

    @AfterAll
    static void write() throws IOException {
        if (WRITE == null) {
            return;
        }
        try (Writer w = new java.io.OutputStreamWriter(new GZIPOutputStream(Files.newOutputStream(Path.of(WRITE))), StandardCharsets.UTF_8)) {
            for (Map.Entry<String, String> e : WRITTEN.entrySet()) {
                w.write(e.getKey() + "\t" + e.getValue() + "\n");
            }
        }
    }

    private static String quote(String t) {
        Matcher m = Pattern.compile("[^\\x20-\\x7e]").matcher(t);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(b, Matcher.quoteReplacement(String.format("\\u%04x", (int) m.group().charAt(0))));
        }
        m.appendTail(b);
        return b.toString();
    }
}
