package dev.agenttrace.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedactorTest {
    private static final String R = Redactor.MARKER;

    /** {input, expected}: every kind of secret the class Javadoc lists. */
    private static final List<String[]> SECRETS = List.of(
            new String[] {"key sk-abcdefghijklmnopqrstuvwxyz0123456789 end", "key " + R + " end"},
            new String[] {"sk-proj-AbCdEfGhIjKlMnOpQrStUv1234567890", R},
            new String[] {"export ANTHROPIC=sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345", "export ANTHROPIC=" + R},
            new String[] {"token ghp_abcdefghijklmnopqrstuvwxyz0123456789", "token " + R},
            new String[] {"ghs_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ab", R},
            new String[] {"gho_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ab x", R + " x"},
            new String[] {"pat github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "pat " + R},
            new String[] {"slack xoxb-1234567890-abcdefghij", "slack " + R},
            new String[] {"aws AKIAIOSFODNN7EXAMPLE done", "aws " + R + " done"},
            new String[] {"Authorization: Bearer abc.def-ghi_123456", "Authorization: Bearer " + R},
            new String[] {"curl -H 'authorization: bearer 0123456789abcdef'", "curl -H 'authorization: bearer " + R + "'"},
            new String[] {"Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic " + R},
            new String[] {"jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                "jwt " + R},
            new String[] {"-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----\nafter", R + "\nafter"},
            new String[] {"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC", R},
            new String[] {"db postgres://admin:s3cret@db.example.com:5432/app ok", "db postgres://admin:" + R + "@db.example.com:5432/app ok"},
            new String[] {"https://user:tok3n@github.com/o/r.git", "https://user:" + R + "@github.com/o/r.git"},
            new String[] {"maps AIzaSyA1234567890abcdefghijklmnopqrstuv", "maps " + R},
            new String[] {"stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe " + R},
            new String[] {"rk_live_abcdefghijklmnop1234", R},
            new String[] {"DB_PASSWORD=hunter22 ./run", "DB_PASSWORD=" + R + " ./run"},
            new String[] {"GITHUB_TOKEN=abcd1234 gh pr list", "GITHUB_TOKEN=" + R + " gh pr list"},
            new String[] {"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS_SECRET_ACCESS_KEY=" + R},
            new String[] {"{\"password\": \"hunter22\"}", "{\"password\": \"" + R + "\"}"},
            new String[] {"mysql --password=hunter22 -u root", "mysql --password=" + R + " -u root"},
            new String[] {"tool --token abcdef123", "tool --token " + R},
            new String[] {"Cookie: session=abc123; theme=dark", "Cookie: " + R});

    /** Text that must come out untouched. */
    private static final List<String> NOT_SECRETS = List.of(
            "3f786850e387550fdab836ed7e6dc881de23001b", // a git SHA (agent-strace redacts these)
            "commit 3f786850e387550fdab836ed7e6dc881de23001b fixed the sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "Fixed: login now hashes the password \u2014 all 12 tests pass.",
            "The bearer of this letter is a friend. Basic authentication is disabled.",
            "/home/dev/proj/src/auth.py",
            "src/task-management-service/handlers.py",
            "550e8400-e29b-41d4-a716-446655440000",
            "max_tokens=4096 token_count: 17",
            "https://github.com/o/r.git",
            "git@github.com:o/r.git",
            "see http://localhost:8080/path?x=1",
            "risk-assessment-for-the-entire-platform-2024",
            "short");

    @Test
    void redactsEveryKnownKindOfSecretInText() {
        for (String[] row : SECRETS) {
            assertEquals(row[1], Redactor.redactText(row[0]), row[0]);
        }
    }

    @Test
    void leavesShasPathsAndProseAlone() {
        for (String s : NOT_SECRETS) {
            assertSame(s, Redactor.redactText(s), s);
        }
    }

    @Test
    void redactsValuesOfSensitiveKeysAtAnyDepth() throws IOException {
        JsonNode in = TraceJson.mapper().readTree("{\"tool_name\":\"login\",\"arguments\":{\"user\":\"ann\","
                + "\"Password\":\"hunter22\",\"API-Key\":12345,\"headers\":[{\"Authorization\":\"x\"}],"
                + "\"credentials\":{\"id\":\"a\",\"n\":7,\"ok\":true},\"token\":null,\"secret\":\"\"}}");
        JsonNode out = Redactor.redact(in);
        assertEquals("{\"tool_name\":\"login\",\"arguments\":{\"user\":\"ann\",\"Password\":\"[REDACTED]\","
                + "\"API-Key\":\"[REDACTED]\",\"headers\":[{\"Authorization\":\"[REDACTED]\"}],"
                + "\"credentials\":{\"id\":\"[REDACTED]\",\"n\":\"[REDACTED]\",\"ok\":true},\"token\":null,\"secret\":\"\"}}",
                TraceJson.compact(out));
        assertTrue(in.get("arguments").get("Password").asText().equals("hunter22"), "input untouched");
    }

    @Test
    void returnsTheSameTreeWhenNothingIsSecret() throws IOException {
        JsonNode in = TraceJson.mapper().readTree("{\"tool_name\":\"Read\",\"arguments\":{\"file_path\":\"/a/b.py\"},"
                + "\"list\":[1,\"x\",{\"k\":\"3f786850e387550fdab836ed7e6dc881de23001b\"}]}");
        assertSame(in, Redactor.redact(in));
    }

    @Test
    void sensitiveKeyMatchingIgnoresCaseAndDashes() {
        for (String k : List.of("password", "PASSWORD", "api-key", "Api_Key", "apikey", "set-cookie", "Authorization",
                "client_secret", "DATABASE_URL", "refresh-token")) {
            assertTrue(Redactor.isSensitiveKey(k), k);
        }
        for (String k : List.of("tokens", "max_tokens", "total_tokens", "author", "path", "keyboard", "password_hint_shown")) {
            assertFalse(Redactor.isSensitiveKey(k), k);
        }
    }
}
