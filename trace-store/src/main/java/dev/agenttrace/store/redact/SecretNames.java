package dev.agenttrace.store.redact;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Whether a name (a JSON key, an environment variable, a command-line flag, a config key) holds a
 * secret. Judged by the name's last word, the way people name secrets: {@code DB_PASS},
 * {@code PGPASSWORD}, {@code AWS_SECRET_ACCESS_KEY}, {@code openaiApiKey}, {@code --api-key},
 * {@code client-secret}, {@code AccountKey}, {@code DATABASE_URL}. A name whose last word is
 * something else ({@code token_count}, {@code max_tokens}, {@code password_hint}, {@code secret_name},
 * {@code progressToken}, {@code nextPageToken}) is not a secret: that keeps counters, hints and
 * MCP's own progress tokens readable.
 */
public final class SecretNames {
    /** A name ending in one of these words is a secret. */
    private static final Set<String> SECRET_WORDS = Set.of("password", "passwd", "pwd", "pass", "passphrase",
            "passcode", "secret", "secrets", "token", "credential", "credentials", "cookie", "authorization",
            "apikey", "accesskey", "secretkey", "privatekey", "accesstoken", "refreshtoken", "authtoken",
            "sessiontoken", "idtoken", "bearertoken", "clientsecret", "connectionstring", "connstr", "pgpass",
            "mysqlpwd", "pgpassword", "sshpass", "dsn");
    /** "key" ends a secret name only after one of these ({@code SECRET_KEY}, {@code api-key}, {@code AccountKey}). */
    private static final Set<String> KEY_QUALIFIERS = Set.of("api", "secret", "private", "access", "account",
            "signing", "encryption", "master", "client", "shared", "storage", "subscription", "deploy", "license",
            "admin", "service", "auth", "app", "consumer", "webhook", "hmac", "jwt", "session", "sas", "x");
    /** "url"/"uri"/"string" end a secret name only after one of these ({@code DATABASE_URL}). */
    private static final Set<String> CONNECTION_QUALIFIERS = Set.of("database", "db", "redis", "mongo", "mongodb",
            "postgres", "postgresql", "mysql", "amqp", "broker", "connection", "conn", "jdbc");
    /** "token" after one of these is a pagination cursor or a counter, not a credential. */
    private static final Set<String> NOT_CREDENTIAL_TOKEN = Set.of("progress", "page", "next", "continuation",
            "cursor", "sync", "max", "num", "total", "input", "output", "prompt", "completion", "cache",
            "reasoning", "count", "end", "start", "stop", "eos", "bos", "pad", "special");

    private SecretNames() {
    }

    /**
     * Answers for names seen before: the redactor asks for every key of every event, and the same
     * few dozen keys ({@code tool_name}, {@code arguments}, {@code file_path}...) come back all the
     * time; splitting them into words each time was a tenth of what a busy recorder allocated.
     * Bounded: past {@link #KNOWN_NAMES} names, new ones are answered without being remembered.
     */
    private static final java.util.concurrent.ConcurrentHashMap<String, Boolean> KNOWN = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int KNOWN_NAMES = 4096;

    /** Whether values named {@code name} are secrets ({@code API-Key}, {@code api_key} and {@code APIKEY} alike). */
    public static boolean isSecretName(String name) {
        if (name == null || name.isEmpty() || name.length() > 64) {
            return false;
        }
        Boolean known = KNOWN.get(name);
        if (known != null) {
            return known;
        }
        boolean secret = judgeName(name);
        if (KNOWN.size() < KNOWN_NAMES) {
            KNOWN.put(name, secret);
        }
        return secret;
    }

    private static boolean judgeName(String name) {
        List<String> words = words(name);
        int n = words.size();
        if (n == 0) {
            return false;
        }
        String last = words.get(n - 1);
        String prev = n > 1 ? words.get(n - 2) : "";
        if (SECRET_WORDS.contains(last)) {
            return !(last.equals("token") && NOT_CREDENTIAL_TOKEN.contains(prev));
        }
        if (last.equals("key")) {
            return KEY_QUALIFIERS.contains(prev);
        }
        if (last.equals("url") || last.equals("uri") || last.equals("string")) {
            return CONNECTION_QUALIFIERS.contains(prev);
        }
        // one run of letters: PGPASSWORD, MYSQL_PWD's "mysqlpwd", "apikey", "xapikey"
        if (n == 1) {
            return last.endsWith("password") || last.endsWith("passwd") || last.endsWith("apikey")
                    || last.endsWith("secret") || last.endsWith("accesskey") || last.endsWith("secretkey");
        }
        return false;
    }

    /** Lower-case words of a name: split on {@code _ - . space} and camelCase humps. */
    static List<String> words(String name) {
        List<String> out = new ArrayList<>(4);
        StringBuilder w = new StringBuilder();
        char prev = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!Character.isLetterOrDigit(c)) {
                flush(w, out);
            } else {
                if (Character.isUpperCase(c) && prev != 0 && Character.isLowerCase(prev)) {
                    flush(w, out);
                }
                w.append(Character.toLowerCase(c));
            }
            prev = c;
        }
        flush(w, out);
        return out;
    }

    private static void flush(StringBuilder w, List<String> out) {
        if (w.length() > 0) {
            out.add(w.toString().toLowerCase(Locale.ROOT));
            w.setLength(0);
        }
    }

    /**
     * A cheap superset test for text that may hold a secret name: one pass, no allocation. Every
     * name {@link #isSecretName} accepts contains one of these stems.
     */
    public static boolean mayContainSecretName(String s) {
        return mayContainSecretName(s, 0, s.length());
    }

    /**
     * {@link #mayContainSecretName(String)} of {@code s[from, to)}, without cutting it out. A
     * four-letter stem is looked for only where it fits: a text ending in "tok", "pas", "sec"...
     * used to throw StringIndexOutOfBoundsException here (and end the session's recording).
     */
    static boolean mayContainSecretName(String s, int from, int to) {
        return nextStem(s, from, to) >= 0;
    }

    /** Where the first stem of a secret name lying wholly in {@code s[from, to)} starts; -1: none. */
    static int nextStem(String s, int from, int to) {
        for (int i = from, end = to - 3; i <= end; i++) {
            int c = s.charAt(i) | 0x20;
            if (c < 'a' || c > 'u' || (STEM_STARTS & (1 << (c - 'a'))) == 0) {
                continue;
            }
            int c1 = s.charAt(i + 1) | 0x20;
            int c2 = s.charAt(i + 2) | 0x20;
            int c3 = i + 3 < to ? s.charAt(i + 3) | 0x20 : -1;
            boolean hit = switch (c) {
                case 'p' -> c1 == 'a' && c2 == 's' && c3 == 's' || c1 == 'w' && c2 == 'd';
                case 's' -> c1 == 'e' && c2 == 'c' && c3 == 'r' || c1 == 't' && c2 == 'r' && c3 == 'i';
                case 't' -> c1 == 'o' && c2 == 'k' && c3 == 'e';
                case 'k' -> c1 == 'e' && c2 == 'y';
                case 'c' -> c1 == 'o' && (c2 == 'o' || c2 == 'n') || c1 == 'r' && c2 == 'e' && c3 == 'd';
                case 'a' -> c1 == 'u' && c2 == 't' && c3 == 'h';
                case 'u' -> c1 == 'r' && (c2 == 'l' || c2 == 'i');
                case 'd' -> c1 == 's' && c2 == 'n';
                default -> false;
            };
            if (hit) {
                return i;
            }
        }
        return -1;
    }

    /** Bit per letter a stem can start with: a c d k p s t u. */
    private static final int STEM_STARTS = bits("acdkpstu");

    private static int bits(String letters) {
        int b = 0;
        for (char c : letters.toCharArray()) {
            b |= 1 << (c - 'a');
        }
        return b;
    }

}
