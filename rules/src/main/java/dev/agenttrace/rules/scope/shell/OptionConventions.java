package dev.agenttrace.rules.scope.shell;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How common programs spell their options: which take a value ({@code curl -o FILE}), which long
 * options are synonyms of short ones ({@code rm --recursive} is {@code -r}, and so is
 * {@code rm -R}), and which programs use single-dash words ({@code find -delete} is one option, not
 * six). Used both for command rules ({@code rm -rf} must match {@code rm -r -f}) and for finding
 * the files and hosts a command touches ({@code curl -o out.txt evil.com}: out.txt is written,
 * evil.com is contacted).
 *
 * <p>Programs not listed get the common POSIX reading: {@code -abc} is three flags, {@code --x=y}
 * a long option with a value, {@code --} ends options, and {@code --force} / {@code --recursive}
 * mean {@code -f} / {@code -r}.
 */
public final class OptionConventions {

    private record Convention(String shortWithValue, Set<String> longWithValue, Map<String, String> synonyms,
                              boolean singleDashWords) {
    }

    private static final Map<String, String> GENERIC_SYNONYMS = Map.of("--force", "f", "--recursive", "r");
    private static final Map<String, Convention> CONVENTIONS = new HashMap<>();

    static {
        Map<String, String> rm = Map.of("R", "r", "--recursive", "r", "--force", "f", "--dir", "d", "--verbose", "v");
        define("", Set.of(), rm, "rm");
        Map<String, String> cp = Map.of("R", "r", "--recursive", "r", "--force", "f", "--archive", "a", "--verbose", "v");
        define("tS", Set.of("--target-directory", "--suffix"), cp, "cp", "install");
        define("tS", Set.of("--target-directory", "--suffix"), Map.of("--force", "f", "--verbose", "v"), "mv", "ln");
        define("", Set.of("--reference"), Map.of("--recursive", "R", "--verbose", "v"), "chmod", "chown", "chgrp");
        define("Cc", Set.of("--git-dir", "--work-tree", "--namespace", "--exec-path"),
                Map.of("--force", "f", "--message", "m", "--all", "a"), "git");
        define("dDeEFHKoruUTAbcmCPQtwxXyYz",
                Set.of("--data", "--data-raw", "--data-binary", "--data-urlencode", "--data-ascii", "--json", "--header",
                        "--output", "--request", "--user", "--user-agent", "--referer", "--cookie", "--cookie-jar", "--form",
                        "--form-string", "--upload-file", "--proxy", "--proxy-user", "--max-time", "--connect-timeout",
                        "--retry", "--retry-delay", "--write-out", "--config", "--resolve", "--connect-to", "--cert", "--key",
                        "--cacert", "--capath", "--output-dir", "--url", "--range", "--interface", "--dns-servers",
                        "--doh-url", "--preproxy", "--socks4", "--socks4a", "--socks5", "--socks5-hostname", "--limit-rate",
                        "--max-filesize", "--continue-at", "--dump-header", "--trace", "--trace-ascii", "--stderr",
                        "--variable", "--oauth2-bearer", "--aws-sigv4", "--local-port", "--noproxy", "--unix-socket"),
                Map.of("--output", "o", "--remote-name", "O", "--insecure", "k", "--location", "L", "--silent", "s",
                        "--request", "X", "--upload-file", "T", "--proxy", "x", "--header", "H"),
                "curl");
        define("OoaeiPUtTwQlARDB",
                Set.of("--output-document", "--output-file", "--append-output", "--execute", "--input-file",
                        "--directory-prefix", "--user-agent", "--tries", "--timeout", "--wait", "--quota", "--level",
                        "--accept", "--reject", "--domains", "--base", "--header", "--post-data", "--post-file",
                        "--body-file", "--method", "--user", "--password", "--http-user", "--http-password",
                        "--load-cookies", "--save-cookies", "--referer"),
                Map.of("--output-document", "O", "--quiet", "q", "--input-file", "i", "--directory-prefix", "P"), "wget");
        define("nc", Set.of("--lines", "--bytes"), Map.of("--lines", "n", "--bytes", "c"), "head", "tail");
        define("efmABCdDgtTjM", Set.of("--regexp", "--file", "--max-count", "--include", "--exclude", "--exclude-dir",
                        "--after-context", "--before-context", "--context", "--glob", "--type", "--type-not", "--threads"),
                Map.of("--regexp", "e", "--file", "f", "--recursive", "r"), "grep", "egrep", "fgrep", "rg", "ag", "ack");
        define("efl", Set.of("--expression", "--file", "--line-length"),
                Map.of("--expression", "e", "--file", "f", "--in-place", "i"), "sed", "gsed");
        define("fvF", Set.of("--file", "--assign", "--field-separator"), Map.of(), "awk", "gawk", "mawk", "nawk");
        define("fLL", Set.of("--from-file", "--arg", "--argjson", "--slurpfile", "--rawfile", "--indent"),
                Map.of("--from-file", "f"), "jq");
        define("otkST", Set.of("--output", "--key", "--field-separator", "--buffer-size", "--temporary-directory"),
                Map.of("--output", "o"), "sort");
        define("fCTXbgHIKLN", Set.of("--file", "--directory", "--exclude", "--files-from", "--transform"),
                Map.of("--file", "f", "--directory", "C", "--create", "c", "--extract", "x", "--list", "t"), "tar");
        define("sr", Set.of("--size", "--reference"), Map.of("--size", "s", "--reference", "r"), "truncate");
        define("iplFoJLRDWcbeEImOQSw", Set.of(), Map.of(), "ssh", "mosh");
        define("iPlFoJScF", Set.of(), Map.of("--recursive", "r"), "scp", "sftp");
        define("eMTf", Set.of("--rsh", "--rsync-path", "--exclude", "--include", "--files-from", "--filter", "--port"),
                Map.of("--recursive", "r", "--archive", "a"), "rsync");
        define("cipqsStTwWIM", Set.of("--count", "--interval"), Map.of(), "ping", "ping6");
        define("bcfkpqtxy", Set.of(), Map.of(), "dig");
        define("ipqswxePsw", Set.of(), Map.of(), "nc", "ncat", "netcat");
        define("", Set.of("-name", "-iname", "-path", "-ipath", "-type", "-newer", "-perm", "-user", "-group",
                "-size", "-mtime", "-mmin", "-atime", "-ctime", "-maxdepth", "-mindepth", "-regex", "-fprint", "-printf"),
                Map.of(), true, "find");
        define("", Set.of("-jar", "-cp", "-classpath", "-m", "-p", "--module-path"), Map.of(), true, "java");
    }

    private OptionConventions() {
    }

    private static void define(String shortWithValue, Set<String> longWithValue, Map<String, String> synonyms, String... names) {
        define(shortWithValue, longWithValue, synonyms, false, names);
    }

    private static void define(String shortWithValue, Set<String> longWithValue, Map<String, String> synonyms,
                               boolean singleDashWords, String... names) {
        for (String name : names) {
            CONVENTIONS.put(name, new Convention(shortWithValue, longWithValue, synonyms, singleDashWords));
        }
    }

    /** Whether the program is one whose conventions are known (others get the POSIX reading). */
    public static boolean isKnown(String program) {
        return CONVENTIONS.containsKey(program);
    }

    /** The last invocation parsed on this thread and its parse: a judgement parses the same one several times. */
    private static final ThreadLocal<Object[]> LAST = ThreadLocal.withInitial(() -> new Object[2]);

    /**
     * {@link #parse(String, List)} of the invocation's program and arguments; the same instance
     * parsed again on this thread (the commands rules, the program table, the file and network
     * operands all ask) gets the same immutable answer without parsing again.
     */
    public static ParsedArguments parse(Invocation inv) {
        Object[] last = LAST.get();
        if (last[0] == inv) {
            return (ParsedArguments) last[1];
        }
        ParsedArguments parsed = parse(inv.binary(), inv.argumentTexts());
        last[0] = inv;
        last[1] = parsed;
        return parsed;
    }

    /**
     * Sorts a program's arguments into flags, option values and positionals.
     *
     * @param program   the program name as {@link Invocation#binary()} gives it
     * @param arguments the words after it
     */
    public static ParsedArguments parse(String program, List<String> arguments) {
        Convention c = CONVENTIONS.get(program);
        String shortWithValue = c == null ? "" : c.shortWithValue();
        Set<String> longWithValue = c == null ? Set.of() : c.longWithValue();
        Map<String, String> synonyms = c == null ? GENERIC_SYNONYMS : c.synonyms();
        boolean singleDashWords = c != null && c.singleDashWords();

        Set<String> flags = new LinkedHashSet<>();
        List<ParsedArguments.OptionValue> values = new ArrayList<>();
        List<String> positionals = new ArrayList<>();
        boolean optionsEnded = false;
        for (int i = 0; i < arguments.size(); i++) {
            String a = arguments.get(i);
            if (optionsEnded || a.length() < 2 || a.charAt(0) != '-') {
                positionals.add(a);
                continue;
            }
            if (a.equals("--")) {
                optionsEnded = true;
                continue;
            }
            if (a.startsWith("--") || singleDashWords) {
                int eq = a.indexOf('=');
                String name = eq < 0 ? a : a.substring(0, eq);
                String flag = synonyms.getOrDefault(name, name);
                flags.add(flag);
                if (eq >= 0) {
                    values.add(new ParsedArguments.OptionValue(flag, a.substring(eq + 1)));
                } else if (longWithValue.contains(name) && i + 1 < arguments.size()) {
                    values.add(new ParsedArguments.OptionValue(flag, arguments.get(++i)));
                }
                continue;
            }
            for (int k = 1; k < a.length(); k++) {
                String letter = String.valueOf(a.charAt(k));
                String flag = synonyms.getOrDefault(letter, letter);
                flags.add(flag);
                if (shortWithValue.indexOf(a.charAt(k)) >= 0) {
                    if (k + 1 < a.length()) {
                        values.add(new ParsedArguments.OptionValue(flag, a.substring(k + 1)));
                    } else if (i + 1 < arguments.size()) {
                        values.add(new ParsedArguments.OptionValue(flag, arguments.get(++i)));
                    }
                    break;
                }
            }
        }
        return new ParsedArguments(flags, values, positionals);
    }
}
