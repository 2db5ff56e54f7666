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

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");
    private static final Pattern STRING_LITERAL = Pattern.compile("'(?:[^'\\\\\\n]|\\\\.)*'|\"(?:[^\"\\\\\\n]|\\\\.)*\"");
    /**
     * Names inline code may use and still be seen to do nothing but compute and print: no file,
     * process, network, import machinery or reflection. Anything else makes the code undetermined.
     */
    private static final Set<String> HARMLESS_NAMES = Set.of(
            // python
            "print", "import", "sys", "version", "version_info", "platform", "python_version", "json", "dumps", "loads",
            "math", "len", "str", "int", "float", "range", "sum", "min", "max", "sorted", "list", "dict", "set", "tuple",
            "True", "False", "None", "for", "in", "if", "else", "elif", "and", "or", "not", "is", "executable", "maxsize",
            "sqrt", "pi", "abs", "round", "enumerate", "zip", "map", "filter", "join", "split", "strip", "upper", "lower",
            "format", "bool", "repr", "hex", "bin", "ord", "chr", "datetime", "date", "today", "now", "isoformat", "time",
            "uuid", "uuid4", "random", "randint", "choice", "string", "ascii_letters", "digits", "re", "match", "search",
            "findall", "sub", "textwrap", "dedent", "statistics", "mean", "median", "decimal", "Decimal", "prefix",
            "implementation", "name", "byteorder", "timedelta", "strftime", "keys", "values", "items", "append",
            "hexversion", "getrecursionlimit", "float_info", "int_info", "machine", "system", "release",
            // node
            "console", "log", "error", "process", "versions", "node", "v8", "JSON", "stringify", "parse", "Math", "Date",
            "toISOString", "let", "const", "var", "of", "arch", "Number", "String", "Array", "Object", "length", "typeof",
            "undefined", "null", "true", "false", "new", "return", "function", "toString", "toFixed", "floor", "ceil",
            // perl, ruby, php
            "puts", "p", "echo", "say", "RUBY_VERSION", "PHP_VERSION", "phpversion", "die", "exit", "x", "y", "i", "n", "s", "e");
    /** Harmless names only in Python: elsewhere they run programs or open files. */
    private static final Set<String> PYTHON_ONLY = Set.of("system");
    private static final Set<String> HARMLESS_MODULES = Set.of("sys", "json", "math", "platform", "datetime", "uuid", "random",
            "string", "re", "textwrap", "statistics", "decimal", "time");

    /** The language of an interpreter program ({@code python3.12} is python), or null. */
    public static String languageOf(String program) {
        return language(program);
    }

    /** The inline code an interpreter is given ({@code -c CODE}, {@code -e CODE}, ...); empty if none or not an interpreter. */
    public static List<String> codeOf(Invocation invocation) {
        String language = language(invocation.binary());
        return language == null ? List.of() : code(language, invocation.argumentTexts());
    }

    /**
     * True if an interpreter runs neither inline code, a module, nor a script file, so it reads its
     * program from standard input ({@code curl x | python3}, {@code python3 -}).
     */
    public static boolean readsProgramFromStdin(Invocation invocation) {
        String language = language(invocation.binary());
        if (language == null) {
            return false;
        }
        List<String> args = invocation.argumentTexts();
        if (!code(language, args).isEmpty()) {
            return false;
        }
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-")) {
                return true;
            }
            if (a.equals("-m") || a.startsWith("-m") && language.equals("python") || a.equals("--version") || a.equals("-V")
                    || a.equals("-v") && !language.equals("python") || a.equals("--help") || a.equals("-h")) {
                return false;
            }
            if (!a.startsWith("-")) {
                return a.equals("/dev/stdin") || a.startsWith("/dev/fd/") || a.startsWith("/proc/self/fd/");
            }
        }
        return true;
    }

    /** The script file an interpreter runs ({@code python3 tool.py}), or null. */
    public static String scriptFile(Invocation invocation) {
        String language = language(invocation.binary());
        if (language == null) {
            return null;
        }
        List<String> args = invocation.argumentTexts();
        if (!code(language, args).isEmpty()) {
            return null;
        }
        for (String a : args) {
            if (a.equals("-m") || a.startsWith("-m") && language.equals("python")) {
                return null;
            }
            if (!a.startsWith("-")) {
                return a;
            }
        }
        return null;
    }

    /**
     * True if the code visibly does nothing but compute and print ({@code import sys; print(sys.version)},
     * {@code console.log(process.version)}): every name in it, outside string literals, is one of a
     * short list of harmless ones for its language, and it imports only harmless modules.
     */
    public static boolean harmless(String language, String code) {
        if (code.length() > 2000 || code.contains("__") || code.indexOf('`') >= 0) {
            return false;
        }
        String bare = STRING_LITERAL.matcher(code).replaceAll("''");
        if (bare.indexOf('\'') >= 0 && bare.replace("''", "").indexOf('\'') >= 0 || bare.replace("''", "").indexOf('"') >= 0) {
            return false; // an unclosed or odd literal: not what it seems
        }
        Matcher m = IDENTIFIER.matcher(bare);
        String previous = "";
        while (m.find()) {
            String name = m.group();
            boolean importing = previous.equals("import") || previous.equals("from");
            if (importing ? !HARMLESS_MODULES.contains(name) : !HARMLESS_NAMES.contains(name)) {
                return false;
            }
            if (!"python".equals(language) && PYTHON_ONLY.contains(name)) {
                return false; // platform.system() in Python; in Perl, Ruby and PHP system("rm", "-rf", ...) runs a program
            }
            previous = name;
        }
        return true;
    }

    private static String language(String program) {
        if (program.startsWith("python") || program.startsWith("pypy")) {
            return "python";
        }
        return switch (program) {
            case "node", "nodejs", "bun", "deno" -> "node";
            case "perl", "ruby", "php" -> program;
            case "lua", "luajit", "rscript", "julia", "elixir", "groovy", "scala", "tclsh", "wish", "jshell", "r", "osascript",
                 "pwsh", "powershell", "erl", "escript", "kotlin", "swift", "raku", "crystal", "nim", "bb", "clojure" -> "lua";
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
            if (language.equals("lua") && (a.equals("-c") || a.equalsIgnoreCase("-Command") || a.equals("-eval") || a.equals("-e")
                    || a.equals("--eval") || a.equals("-Expression") || a.equals("-EncodedCommand") || a.equalsIgnoreCase("-enc"))) {
                if (i + 1 < args.size()) {
                    out.add(args.get(++i));
                }
                continue;
            }
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
