package dev.agenttrace.store.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.store.TraceJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RedactorTest {
    private static final String R = Redactor.MARKER;

    /** {input, expected}: one row per secret shape (the values are made up, the formats are real). */
    static final List<String[]> SECRETS = List.of(
            new String[] {"key sk-u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzd1 end", "key " + R + " end"},
            new String[] {"sk-proj-ocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFRIBXuDL7D9", R},
            new String[] {"export ANTHROPIC=sk-ant-api03-xtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8rESQedU-StPKR0CsTy", "export ANTHROPIC=" + R},
            new String[] {"token ghp_4Qwb8DwkNhFdnXsiVpzz63FfkCzJr4i0B3Jr", "token " + R},
            new String[] {"ghs_TAwR4y9ojfljoQoaF1LlqsajAIxNKu8iS2G8", R},
            new String[] {"gho_NPRVdD53X83RZJzzzzgEOzdmenCkhvMdgaKj x", R + " x"},
            new String[] {"pat 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", "pat " + R},
            new String[] {"GITLAB=glpat-Zp0zVZomHFwUbbYrEqmS", "GITLAB=" + R},
            new String[] {"runner glrt-M9wCZ7Uw9xfogoEmvnEN", "runner " + R},
            new String[] {"slack xoxb-1234567890-5N1aE6PwZPf1Qh6yYTWmE4lB", "slack " + R},
            new String[] {"https://hooks.slack.com/services/T0000/B0000/YOvfZ8UzDzV8fUkkibjL5DZP", "https://hooks.slack.com/services/" + R},
            new String[] {"aws AKIAIOSFODNN7EXAMPLE done", "aws " + R + " done"},
            new String[] {"ASIAJ4WJ99IBAG7I1MNB", R},
            new String[] {"maps AIzaSyqnsGpWLuqIA1id6Vw5DQL05HA064GiIjH", "maps " + R},
            new String[] {"client 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", "client " + R},
            new String[] {"stripe sk_live_4JdpmrcXgGCJbW56eCuNGMGm", "stripe " + R},
            new String[] {"rk_test_SrCGIZEG8pSH4487q7J58m1C", R},
            new String[] {"whsec_iAhzCueQpBenQtYh5Xj8TPQxjq4i9DoV", R},
            new String[] {"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", R},
            new String[] {"//registry.npmjs.org/:_authToken=npm_GKFSufrdZSlB5er8bOfZqfM2oeq3hDavJA76", "//registry.npmjs.org/:_authToken=" + R},
            new String[] {"npm_rNicHTp8hkqdlm7tOtHWnsCGRlrwZbqcabUG", R},
            new String[] {"HF hf_JmGEp7CgQ0PBQFI14zGtSnovm14TUOizwd", "HF " + R},
            new String[] {"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=1iaeOV4qBkdfQ1y3GQsMpSscDlkrCaqx9vJupc94tnwlavyfErGPmpGXafq0fjzLczbttOofL9H2WjQ5TY4MyW==;EndpointSuffix=core.windows.net", "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + R + ";EndpointSuffix=core.windows.net"},
            new String[] {"https://acct.blob.core.windows.net/c?sv=2022-11-02&sig=uUFjsUNPjc01T5GOBUSZGi6HWGK10Zb0RLZ5TR9SPof%3D", "https://acct.blob.core.windows.net/c?sv=2022-11-02&sig=" + R},
            new String[] {"pypi-AgEIcHlwaS5vcmcbciOx9gy1CJdObOIRpFqaDZeV7G5IfQHeVVEqZe2qpUWnoVPDF2yeE6RsXcN", R},
            new String[] {"dop_v1_624a8940f1f836f99eee3692f09e2e8c662248b483b7ffc050fec94dbca3a0aa", R},
            new String[] {"dapic36098b2cc2bd818319478da6bd0c621", R},
            new String[] {"VAULT_ADDR=x hvs.7UACNWiP3sFd67JikEAvstqVVPqzPp", "VAULT_ADDR=x " + R},
            new String[] {"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", R},
            new String[] {"key-rvWdFrK9xiRGHOY32nfr5pyzPCB9t203", R},
            new String[] {"SK041dff02cee737443e210471948d3329", R},
            new String[] {"dckr_pat_H8LmyqoYMaaItDr9uP14pEHpJpb", R},
            new String[] {"lin_api_9ATPtdbmF4RPAfqoQB7xoFcSvTAxRzmaZsV2GenF", R},
            new String[] {"Authorization: Bearer abc.def-ghi_123456", "Authorization: Bearer " + R},
            new String[] {"curl -H 'authorization: bearer 0123456789abcdef'", "curl -H 'authorization: bearer " + R + "'"},
            new String[] {"Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic " + R},
            new String[] {"Authorization: Token mtX0moDoqW4sg8NFNl5o", "Authorization: Token " + R},
            new String[] {"jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "jwt " + R},
            new String[] {"-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----\nafter", R + "\nafter"},
            new String[] {"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC", R},
            new String[] {"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----", R},
            new String[] {"-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----", R},
            new String[] {"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBO\n-----END ENCRYPTED PRIVATE KEY-----", R},
            new String[] {"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF\n=abcd\n-----END PGP PRIVATE KEY BLOCK-----", R},
            new String[] {"AGE-SECRET-KEY-1L6RFERDPF6RRTEU58924VTAZNCH4U2XQ939K68DCKNM9R7VHUV5H7P60EZ", R},
            new String[] {"db postgres://admin:s3cret@db.example.com:5432/app ok", "db postgres://admin:" + R + "@db.example.com:5432/app ok"},
            new String[] {"https://user:tok3n@github.com/o/r.git", "https://user:" + R + "@github.com/o/r.git"},
            new String[] {"DB_PASSWORD=hunter22 ./run", "DB_PASSWORD=" + R + " ./run"},
            new String[] {"GITHUB_TOKEN=abcd1234 gh pr list", "GITHUB_TOKEN=" + R + " gh pr list"},
            new String[] {"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS_SECRET_ACCESS_KEY=" + R},
            new String[] {"AWS_SECRET_ACCESS_KEY=\"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"", "AWS_SECRET_ACCESS_KEY=\"" + R + "\""},
            new String[] {"# .env\nDEBUG=1\nSECRET_KEY=django-insecure-abc123\nDB_PASS=pa55word\npassword=hunter22\nAWS_SECRET_ACCESS_KEY='wJalrXUtnFEMI/K7MDENG'\n", "# .env\nDEBUG=1\nSECRET_KEY=" + R + "\nDB_PASS=" + R + "\npassword=" + R + "\nAWS_SECRET_ACCESS_KEY='" + R + "'\n"},
            new String[] {"database:\n  host: db\n  password: s3cr3t-pw\n  api_key: \"k-123456\"", "database:\n  host: db\n  password: " + R + "\n  api_key: \"" + R + "\""},
            new String[] {"{\"password\": \"hunter22\"}", "{\"password\": \"" + R + "\"}"},
            new String[] {"{\\\"client_secret\\\":\\\"abc123xyz\\\"}", "{\\\"client_secret\\\":\\\"" + R + "\\\"}"},
            new String[] {"https://api.example.com/v1?api_key=abc123def&q=1", "https://api.example.com/v1?api_key=" + R + "&q=1"},
            new String[] {"mysql --password=hunter22 -u root", "mysql --password=" + R + " -u root"},
            new String[] {"tool --token abcdef123", "tool --token " + R},
            new String[] {"server --api-key sk_abc_123456 --port 80", "server --api-key " + R + " --port 80"},
            new String[] {"mysql -u root -phunter22 app", "mysql -u root -p" + R + " app"},
            new String[] {"PGPASSWORD=hunter22 psql -h db", "PGPASSWORD=" + R + " psql -h db"},
            new String[] {"MYSQL_PWD=hunter22 mysqldump app", "MYSQL_PWD=" + R + " mysqldump app"},
            new String[] {"curl -u admin:hunter22 https://x.example", "curl -u admin:" + R + " https://x.example"},
            new String[] {"curl --user=admin:hunter22 https://x.example", "curl --user=admin:" + R + " https://x.example"},
            new String[] {"sshpass -p hunter22 ssh root@host", "sshpass -p " + R + " ssh root@host"},
            new String[] {"redis-cli -h cache -a hunter22 ping", "redis-cli -h cache -a " + R + " ping"},
            new String[] {"docker login -u me -p hunter22 registry.example", "docker login -u me -p " + R + " registry.example"},
            new String[] {"Cookie: session=abc123; theme=dark", "Cookie: " + R},
            new String[] {"$password = 'hunter22';", "$password = '" + R + "';"},
            new String[] {"OPENAI_API_KEY: sk-None-abcdefghijklmnopqrst1234", "OPENAI_API_KEY: " + R},
            new String[] {"spring.datasource.password=pa55w0rd", "spring.datasource.password=" + R},
            new String[] {"config = {'passwd': 'hunter22'}", "config = {'passwd': '" + R + "'}"});

    /** Text that must come out untouched: each looks like one of the formats above and is not a secret. */
    static final List<String> LOOK_ALIKES = List.of(
            "3f786850e387550fdab836ed7e6dc881de23001b", // a git SHA (agent-strace redacts these)
            "commit 3f786850e387550fdab836ed7e6dc881de23001b fixed the sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "550e8400-e29b-41d4-a716-446655440000",
            "request 123e4567-e89b-12d3-a456-426614174000 took 12 ms",
            "Fixed: login now hashes the password \u2014 all 12 tests pass.",
            "The bearer of this letter is a friend. Basic authentication is disabled.",
            "/home/dev/proj/src/auth.py",
            "src/task-management-service/handlers.py",
            "risk-assessment-for-the-entire-platform-2024",
            "max_tokens=4096 token_count: 17 total_tokens: 1234",
            "progressToken: 42, nextPageToken: abc",
            "password_hint: shown",
            "https://github.com/o/r.git",
            "git@github.com:o/r.git",
            "see http://localhost:8080/path?x=1",
            "npm_config_cache=/tmp/npm",
            "from huggingface_hub import hf_hub_download",
            "SG.reset() resets the signal generator",
            "the monkey: a primate",
            "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE\n-----END CERTIFICATE-----",
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0B\n-----END PUBLIC KEY-----",
            "mysql -u root -p app",
            "ps -u root",
            "ls -la --color=auto",
            "AKIAEXAMPLE is too short",
            "key-management-service",
            "token: 17",
            "secret_name: prod-db",
            "password: null",
            "a --token-file /run/token.txt option",
            "short");

    @Test
    void catchesEverySecretShapeOfTheTable() {
        List<String> missed = new ArrayList<>();
        for (String[] row : SECRETS) {
            String got = Redactor.redactText(row[0]);
            if (!row[1].equals(got)) {
                missed.add(row[0] + "\n    expected " + row[1] + "\n    got      " + got);
            }
        }
        assertTrue(SECRETS.size() >= 58, "the table covers at least the 58 shapes of issue 20");
        assertEquals(List.of(), missed);
    }

    @Test
    void leavesShasUuidsPathsAndLookAlikesAlone() {
        List<String> touched = new ArrayList<>();
        for (String s : LOOK_ALIKES) {
            if (Redactor.redactText(s) != s) {
                touched.add(s + " -> " + Redactor.redactText(s));
            }
        }
        assertEquals(List.of(), touched);
    }

    @Test
    void everyProviderFormatHasARowInTheTable() {
        Set<String> kinds = new HashSet<>();
        for (String[] row : SECRETS) {
            Redactor.Spans spans = Redactor.find(row[0]);
            for (int i = 0; i < spans.size; i++) {
                kinds.add(spans.kind[i]);
            }
        }
        for (String k : List.of("openai", "anthropic", "github", "gitlab", "slack", "aws-access-key", "google", "stripe",
                "sendgrid", "npm", "huggingface", "azure", "jwt", "private-key", "url-password", "password", "aws-secret")) {
            assertTrue(kinds.contains(k), k + " is tested");
        }
    }

    @Test
    void aTextEndingInTheStartOfASecretNameIsNoError() {
        // each ends in the first three letters of a four-letter stem of SecretNames; these used to throw
        for (String s : List.of("hello pas", "I use tiktok", "the sec", "a long str", "we cre", "oauth aut", "my TOK")) {
            assertSame(s, Redactor.redactText(s));
        }
        assertEquals("x tiktok password=" + R, Redactor.redactText("x tiktok password=hunter22"));
    }

    @Test
    void aKeywordRightAfterANonAsciiLetterIsFoundOnEveryJdk() {
        // JDK 17's \\b counts Unicode letters as word characters, JDK 19 and later's do not: the
        // rules spell their edges out, so the same text is redacted alike on both
        assertEquals("\u00e9Bearer " + R, Redactor.redactText("\u00e9Bearer abcdef1234567890ABCDEF"));
        assertEquals("\u0131 sshpass -p " + R + " ssh host", Redactor.redactText("\u0131 sshpass -p hunter22 ssh host"));
        assertEquals("xBearer abcdef1234567890ABCDEF", Redactor.redactText("xBearer abcdef1234567890ABCDEF"), "inside an ASCII word: not the keyword");
    }

    @Test
    void redactsValuesOfSensitiveKeysAtAnyDepth() throws IOException {
        JsonNode in = TraceJson.mapper().readTree("{\"tool_name\":\"login\",\"arguments\":{\"user\":\"ann\","
                + "\"Password\":\"hunter22\",\"API-Key\":12345,\"headers\":[{\"Authorization\":\"x\"}],"
                + "\"credentials\":{\"id\":\"a\",\"n\":7,\"ok\":true},\"token\":null,\"secret\":\"\","
                + "\"env\":{\"AWS_SECRET_ACCESS_KEY\":\"abc\",\"DB_PASS\":\"p\",\"HOME\":\"/root\"}}}");
        JsonNode out = Redactor.redact(in);
        assertEquals("{\"tool_name\":\"login\",\"arguments\":{\"user\":\"ann\",\"Password\":\"[REDACTED]\","
                + "\"API-Key\":\"[REDACTED]\",\"headers\":[{\"Authorization\":\"[REDACTED]\"}],"
                + "\"credentials\":{\"id\":\"[REDACTED]\",\"n\":\"[REDACTED]\",\"ok\":true},\"token\":null,\"secret\":\"\","
                + "\"env\":{\"AWS_SECRET_ACCESS_KEY\":\"[REDACTED]\",\"DB_PASS\":\"[REDACTED]\",\"HOME\":\"/root\"}}}",
                TraceJson.compact(out));
        assertEquals("hunter22", in.get("arguments").get("Password").asText(), "input untouched");
    }

    @Test
    void aSecretUsedAsAJsonKeyIsReplacedAndKeysStayDistinct() throws IOException {
        JsonNode in = TraceJson.mapper().readTree("{\"ghp_4Qwb8DwkNhFdnXsiVpzz63FfkCzJr4i0B3Jr\":{\"scopes\":\"repo\"},"
                + "\"ghs_TAwR4y9ojfljoQoaF1LlqsajAIxNKu8iS2G8\":1,\"plain\":2}");
        String out = TraceJson.compact(Redactor.redact(in));
        assertEquals("{\"[REDACTED]\":{\"scopes\":\"repo\"},\"[REDACTED]#2\":1,\"plain\":2}", out);
    }

    @Test
    void aCommandLineArrayRedactsTheValueAfterASecretFlag() throws IOException {
        JsonNode in = TraceJson.mapper().readTree("{\"command\":[\"node\",\"server.js\",\"--api-key\",\"k3y-value-123\","
                + "\"--port\",\"8080\",\"--db-password=pw123456\"],\"argv\":[\"sshpass\",\"-p\",\"hunter22\",\"ssh\",\"h\"]}");
        assertEquals("{\"command\":[\"node\",\"server.js\",\"--api-key\",\"[REDACTED]\",\"--port\",\"8080\","
                + "\"--db-password=[REDACTED]\"],\"argv\":[\"sshpass\",\"-p\",\"[REDACTED]\",\"ssh\",\"h\"]}",
                TraceJson.compact(Redactor.redact(in)));
    }

    @Test
    void returnsTheSameTreeWhenNothingIsSecret() throws IOException {
        JsonNode in = TraceJson.mapper().readTree("{\"tool_name\":\"Read\",\"arguments\":{\"file_path\":\"/a/b.py\"},"
                + "\"list\":[1,\"x\",{\"k\":\"3f786850e387550fdab836ed7e6dc881de23001b\"}],\"argv\":[\"ls\",\"-la\"],"
                + "\"_meta\":{\"progressToken\":7}}");
        assertSame(in, Redactor.redact(in));
    }

    @Test
    void sensitiveKeyMatchingIgnoresCaseDashesAndCamelCase() {
        for (String k : List.of("password", "PASSWORD", "api-key", "Api_Key", "apikey", "set-cookie", "Authorization",
                "client_secret", "DATABASE_URL", "refresh-token", "DB_PASS", "PGPASSWORD", "MYSQL_PWD", "SECRET_KEY",
                "AWS_SECRET_ACCESS_KEY", "openaiApiKey", "AccountKey", "x-api-key", "connectionString")) {
            assertTrue(Redactor.isSensitiveKey(k), k);
        }
        for (String k : List.of("tokens", "max_tokens", "total_tokens", "author", "path", "keyboard", "password_hint_shown",
                "progressToken", "nextPageToken", "key", "token_count", "secret_name", "monkey")) {
            assertFalse(Redactor.isSensitiveKey(k), k);
        }
    }

    @Test
    void pseudonymsCorrelateEqualSecretsAndDependOnTheKey() {
        byte[] k1 = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        byte[] k2 = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);
        Redactor a = Redactor.pseudonymous(k1);
        String one = a.text("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        String two = a.text("export AWS_SECRET_ACCESS_KEY='wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'");
        String other = a.text("AWS_SECRET_ACCESS_KEY=somethingElseEntirely0000000000000000000");
        Matcher m1 = Pattern.compile("\\[REDACTED:aws-secret:[0-9a-f]{4}]").matcher(one);
        assertTrue(m1.find(), one);
        assertTrue(two.contains(m1.group()), "the same secret, quoted or not, gets the same pseudonym: " + two);
        assertFalse(other.contains(m1.group()), other);
        assertFalse(one.contains("wJalr"));
        assertNotEquals(one, Redactor.pseudonymous(k2).text("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
        assertTrue(a.text("ghp_4Qwb8DwkNhFdnXsiVpzz63FfkCzJr4i0B3Jr").matches("\\[REDACTED:github:[0-9a-f]{4}]"));
    }
}
