package dev.agenttrace.rules.scope.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What can be seen of the code an interpreter runs from its command line
 * ({@code python -c}, {@code node -e}, {@code perl -e}, {@code ruby -e}, {@code php -r}): the
 * string literals that look like paths ({@code open('.env')}), the shell commands it hands to
 * {@code system}, {@code popen}, {@code subprocess}, {@code execSync} and the like, and Perl, Ruby
 * and PHP backticks. This is a heuristic over text, not a parser for five languages: the caller
 * judges the paths against deny rules only (a literal is not proof of an access), and the
 * commands like any other.
 */
public final class InlineCode {
    private static final Pattern LITERAL = Pattern.compile("'((?:[^'\\\\\\n]|\\\\.)*)'|\"((?:[^\"\\\\\\n]|\\\\.)*)\"");
    private static final Pattern BACKTICK = Pattern.compile("`([^`]*)`");
    private static final Pattern SHELL_CALL = Pattern.compile(
            "\\b(?:system|popen|popen2|popen3|exec|execSync|spawnSync|spawn|check_output|check_call|call|run|Popen|getoutput"
                    + "|getstatusoutput|shell_exec|passthru|proc_open|qx)\\s*\\(\\s*\\[?\\s*(['\"])((?:(?!\\1).)*)\\1");
    private static final Pattern PATH_LIKE = Pattern.compile("^(?:~|\\.{1,2}/|/|\\.[A-Za-z0-9_])\\S*$|^[^\\s/:]+(?:/[^\\s/]+)+/?$");
    private static final Set<String> SHELL_BACKTICKS = Set.of("perl", "ruby", "php");

    private InlineCode() {
    }

    /**
     * @param paths   string literals that look like file paths
     * @param scripts shell command lines the code hands to a shell
     */
    public record Findings(List<String> paths, List<String> scripts) {
        public boolean isEmpty() {
            return paths.isEmpty() && scripts.isEmpty();
        }
    }

    public static Findings of(Invocation invocation) {
        String language = language(invocation.binary());
        if (language == null) {
            return new Findings(List.of(), List.of());
        }
        List<String> code = code(language, invocation.argumentTexts());
        List<String> paths = new ArrayList<>();
        List<String> scripts = new ArrayList<>();
        for (String c : code) {
            Matcher literal = LITERAL.matcher(c);
            while (literal.find()) {
                String text = literal.group(1) != null ? literal.group(1) : literal.group(2);
                if (PATH_LIKE.matcher(text).matches()) {
                    paths.add(text);
                }
            }
            Matcher call = SHELL_CALL.matcher(c);
            while (call.find()) {
                scripts.add(call.group(2));
            }
            if (SHELL_BACKTICKS.contains(language)) {
                Matcher tick = BACKTICK.matcher(c);
                while (tick.find()) {
                    scripts.add(tick.group(1));
                }
            }
        }
        return new Findings(paths, scripts);
    }

    private static String language(String program) {
        if (program.startsWith("python") || program.startsWith("pypy")) {
            return "python";
        }
        return switch (program) {
            case "node", "nodejs", "bun", "deno" -> "node";
            case "perl", "ruby", "php" -> program;
            default -> null;
        };
    }

    /** The inline code arguments: {@code -c CODE}, {@code -e CODE}, {@code -ne CODE}, {@code --eval=CODE}, ... */
    private static List<String> code(String language, List<String> args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String flag = switch (language) {
                case "python" -> "c";
                case "php" -> "r";
                default -> "e";
            };
            boolean takesNext = false;
            if (a.startsWith("--")) {
                if (language.equals("node") && (a.equals("--eval") || a.equals("--print"))) {
                    takesNext = true;
                } else if (language.equals("node") && (a.startsWith("--eval=") || a.startsWith("--print="))) {
                    out.add(a.substring(a.indexOf('=') + 1));
                }
            } else if (a.startsWith("-") && a.length() > 1) {
                int at = a.indexOf(flag, 1);
                if (language.equals("node") && at < 0) {
                    at = a.indexOf('p', 1);
                }
                if (language.equals("perl") && at < 0) {
                    at = a.indexOf('E', 1);
                }
                if (at > 0) {
                    if (at == a.length() - 1) {
                        takesNext = true;
                    } else {
                        out.add(a.substring(at + 1));
                    }
                }
            } else if (language.equals("node") && a.equals("eval") && i == 0) {
                takesNext = true; // deno eval CODE
            }
            if (takesNext && i + 1 < args.size()) {
                out.add(args.get(++i));
            }
        }
        return out;
    }
}
