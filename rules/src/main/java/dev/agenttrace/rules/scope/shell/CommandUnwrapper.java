package dev.agenttrace.rules.scope.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Peels the wrappers off a simple command so rules see the program that does the work:
 * {@code sudo}, {@code doas}, {@code pkexec}, {@code runuser}, {@code env}, {@code command},
 * {@code builtin}, {@code exec}, {@code nohup}, {@code setsid}, {@code nice}, {@code ionice},
 * {@code chrt}, {@code taskset}, {@code timeout}, {@code time}, {@code stdbuf}, {@code unbuffer},
 * {@code xargs}, {@code flock}, {@code strace}, {@code ltrace}, {@code chroot}, {@code busybox},
 * {@code proxychains}, {@code torsocks}, leading {@code VAR=x} assignments, shell keywords
 * ({@code if}, {@code then}, {@code !}, {@code {}, ...) and function definitions
 * ({@code f() { body; }}, {@code function f { body; }}: the body is judged). Each wrapper's own options are skipped by its real syntax
 * ({@code sudo -u user}, {@code timeout -s KILL 5}, {@code nice -n 10}), since guessing would let
 * {@code sudo -u curl rm -rf /} pass as {@code curl}.
 *
 * <p>It also finds code handed on: {@code bash|sh|zsh|dash|ksh -c STRING}, {@code eval ARGS},
 * {@code su|runuser|flock|script -c STRING}, {@code env -S STRING}, {@code watch ARGS},
 * {@code find -exec ... ;}, and a here-document fed to a shell.
 *
 * <p>A wrapper that is not listed is not peeled: under a {@code commands.allow} list it is
 * blocked as itself (fail closed); under a deny list alone the program it wraps goes unseen. A shell with neither {@code -c} nor a script file reads its script from standard input,
 * which is flagged.
 */
public final class CommandUnwrapper {
    private static final Set<String> KEYWORDS = Set.of("!", "{", "}", "if", "then", "else", "elif", "fi", "do",
            "done", "while", "until", "esac", "coproc");
    /** Keywords whose command is a header, not a program ({@code for x in a b}). */
    private static final Set<String> HEADERS = Set.of("for", "select", "case", "in", "declare",
            "typeset", "local", "export", "readonly");
    private static final Set<String> SHELLS = Set.of("sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "yash", "rbash", "busybox-sh");

    private CommandUnwrapper() {
    }

    public static ResolvedCommand resolve(SimpleCommand command) {
        List<ShellWord> words = command.words();
        List<Invocation> layers = new ArrayList<>();
        List<String> scripts = new ArrayList<>();
        List<SimpleCommand> nested = new ArrayList<>();
        boolean fromStdin = false;
        int i = 0;
        while (i < words.size() && isKeyword(words.get(i))) {
            i++;
        }
        if (i < words.size() && !words.get(i).quoted() && words.get(i).text().equals("function")) {
            i += 2; // function NAME [()] { body: the body is what runs
            while (i < words.size() && isKeyword(words.get(i))) {
                i++;
            }
        }
        if (i < words.size() && !words.get(i).quoted() && HEADERS.contains(words.get(i).text())) {
            return new ResolvedCommand(command, layers, scripts, nested, false);
        }
        i = skipAssignments(words, i);
        while (i < words.size()) {
            ShellWord word = words.get(i);
            Invocation layer = Invocation.of(word, words.subList(i + 1, words.size()));
            layers.add(layer);
            String name = layer.binary();
            int next;
            switch (name) {
                case "sudo" -> {
                    next = skipAssignments(words, skipOptions(words, i + 1, "ugpCDrtUThR", Set.of("--user", "--group", "--prompt",
                            "--close-from", "--chdir", "--role", "--type", "--other-user", "--command-timeout", "--host", "--chroot")));
                }
                case "doas" -> next = skipOptions(words, i + 1, "uC", Set.of());
                case "env" -> {
                    next = i + 1;
                    while (next < words.size()) {
                        String t = words.get(next).text();
                        if (t.equals("--")) {
                            next++;
                            break;
                        }
                        if (t.equals("-S") || t.equals("--split-string") || t.startsWith("--split-string=")
                                || (t.startsWith("-S") && t.length() > 2)) {
                            String value;
                            if (t.startsWith("--split-string=")) {
                                value = t.substring(t.indexOf('=') + 1);
                            } else if (t.startsWith("-S") && t.length() > 2) {
                                value = t.substring(2);
                            } else {
                                value = next + 1 < words.size() ? words.get(++next).text() : "";
                            }
                            scripts.add(value + " " + joinQuoted(words, next + 1));
                            return new ResolvedCommand(command, layers, scripts, nested, false);
                        }
                        if (t.equals("-")) {
                            next++; // "env -" is "env -i"
                        } else if (t.equals("-u") || t.equals("--unset") || t.equals("-C") || t.equals("--chdir")) {
                            next += 2;
                        } else if (t.startsWith("-") && t.length() > 1) {
                            next++;
                        } else if (isAssignment(t)) {
                            next++;
                        } else {
                            break;
                        }
                    }
                }
                case "command" -> {
                    int after = skipOptions(words, i + 1, "", Set.of());
                    boolean lookupOnly = false;
                    for (int k = i + 1; k < after; k++) {
                        String t = words.get(k).text();
                        lookupOnly |= t.startsWith("-") && (t.indexOf('v') >= 0 || t.indexOf('V') >= 0);
                    }
                    next = lookupOnly ? words.size() : after;
                }
                case "builtin", "nohup" -> next = i + 1 < words.size() && words.get(i + 1).text().equals("--") ? i + 2 : i + 1;
                case "exec" -> next = skipOptions(words, i + 1, "a", Set.of());
                case "time" -> next = skipOptions(words, i + 1, "fo", Set.of("--format", "--output"));
                case "nice" -> next = skipOptions(words, i + 1, "n", Set.of("--adjustment"));
                case "ionice" -> next = skipOptions(words, i + 1, "cnp", Set.of("--class", "--classdata", "--pid"));
                case "stdbuf" -> next = skipOptions(words, i + 1, "ioe", Set.of("--input", "--output", "--error"));
                case "timeout" -> {
                    next = skipOptions(words, i + 1, "sk", Set.of("--signal", "--kill-after"));
                    if (next < words.size()) {
                        next++; // the duration
                    }
                }
                case "xargs" -> next = skipOptions(words, i + 1, "adEILnPs", Set.of("--arg-file", "--delimiter",
                        "--eof", "--replace", "--max-lines", "--max-args", "--max-procs", "--max-chars", "--process-slot-var"));
                case "busybox", "toybox", "setsid", "unbuffer", "torsocks", "tsocks", "dbus-run-session", "caffeinate" ->
                        next = skipOptions(words, i + 1, "wt", Set.of());
                case "strace", "ltrace" -> next = skipOptions(words, i + 1, "oepsuEaPSXbIA", Set.of("--output", "--trace",
                        "--attach", "--string-limit", "--user", "--env"));
                case "proxychains", "proxychains4" -> next = skipOptions(words, i + 1, "f", Set.of());
                case "pkexec" -> next = skipOptions(words, i + 1, "", Set.of("--user"));
                case "chroot", "taskset", "chrt" -> {
                    next = skipOptions(words, i + 1, "", Set.of("--userspec", "--groups", "--cpu-list"));
                    next = Math.min(words.size(), next + 1); // the new root, the CPU mask, the priority
                }
                case "flock" -> {
                    // flock [options] FILE|DIR -c COMMAND, or flock [options] FILE COMMAND ARGS: options may follow the lock file
                    int k = i + 1;
                    boolean script = false;
                    boolean lockSeen = false;
                    int program = -1;
                    while (k < words.size()) {
                        String t = words.get(k).text();
                        if ((t.equals("-c") || t.equals("--command")) && k + 1 < words.size()) {
                            scripts.add(words.get(k + 1).text());
                            script = true;
                            k += 2;
                        } else if (t.startsWith("-")) {
                            k += (t.equals("-w") || t.equals("--timeout") || t.equals("-E") || t.equals("--conflict-exit-code")) ? 2 : 1;
                        } else if (!lockSeen) {
                            lockSeen = true;
                            k++;
                        } else {
                            program = k;
                            break;
                        }
                    }
                    next = script || program < 0 ? words.size() : program;
                }
                case "watch" -> {
                    int k = skipOptions(words, i + 1, "nq", Set.of("--interval", "--equexit"));
                    String script = joinPlain(words, k);
                    if (!script.isBlank()) {
                        scripts.add(script); // watch runs its arguments through sh -c
                    }
                    next = words.size();
                }
                case "script" -> {
                    for (int k = i + 1; k < words.size(); k++) {
                        String t = words.get(k).text();
                        boolean shortC = t.startsWith("-") && !t.startsWith("--") && t.endsWith("c");
                        if ((shortC || t.equals("--command")) && k + 1 < words.size()) {
                            scripts.add(words.get(k + 1).text());
                        } else if (t.startsWith("--command=")) {
                            scripts.add(t.substring("--command=".length()));
                        }
                    }
                    next = words.size();
                }
                case "runuser" -> {
                    int k = i + 1;
                    while (k < words.size() && words.get(k).text().startsWith("-")) {
                        String t = words.get(k).text();
                        if ((t.equals("-c") || t.equals("--command")) && k + 1 < words.size()) {
                            scripts.add(words.get(k + 1).text());
                            k += 2;
                        } else {
                            k += (t.equals("-u") || t.equals("-g") || t.equals("-G") || t.equals("--user")) ? 2 : 1;
                        }
                    }
                    next = scripts.isEmpty() ? Math.min(words.size(), k + 1) : words.size();
                }
                case "eval" -> {
                    String script = joinPlain(words, i + 1);
                    if (!script.isBlank()) {
                        scripts.add(script);
                    }
                    next = words.size();
                }
                case "su" -> {
                    for (int k = i + 1; k < words.size(); k++) {
                        String t = words.get(k).text();
                        if ((t.equals("-c") || t.equals("--command")) && k + 1 < words.size()) {
                            scripts.add(words.get(k + 1).text());
                        } else if (t.startsWith("--command=")) {
                            scripts.add(t.substring("--command=".length()));
                        }
                    }
                    next = words.size();
                }
                case "find" -> {
                    findExec(words, i + 1, nested);
                    next = words.size();
                }
                default -> {
                    if (SHELLS.contains(name)) {
                        fromStdin = shellScript(words, i + 1, command.hereDocument(), scripts);
                    }
                    next = words.size();
                }
            }
            i = next;
        }
        return new ResolvedCommand(command, layers, scripts, nested, fromStdin);
    }

    /** Whether the program is a POSIX-style shell ({@code sh}, {@code bash}, {@code zsh}, ...). */
    public static boolean isShell(String program) {
        return SHELLS.contains(program);
    }

    /** The script file a shell runs ({@code bash deploy.sh}), or null for {@code -c}, stdin and no arguments. */
    public static String shellScriptFile(Invocation shell) {
        List<ShellWord> words = shell.arguments();
        int i = 0;
        while (i < words.size()) {
            String t = words.get(i).text();
            if (t.equals("--")) {
                i++;
                break;
            }
            if (t.equals("-o") || t.equals("+o") || t.equals("-O") || t.equals("+O") || t.equals("--rcfile") || t.equals("--init-file")) {
                i += 2;
                continue;
            }
            if (t.length() > 1 && (t.charAt(0) == '-' || t.charAt(0) == '+')) {
                if (t.charAt(0) == '-' && !t.startsWith("--") && (t.indexOf('c') >= 0 || t.indexOf('s') >= 0)) {
                    return null;
                }
                i++;
                continue;
            }
            break;
        }
        return i < words.size() ? words.get(i).text() : null;
    }

    private static boolean isKeyword(ShellWord w) {
        return !w.quoted() && KEYWORDS.contains(w.text());
    }

    /**
     * {@code NAME=value}, {@code NAME+=value}, {@code NAME[i]=value}: the words the regex
     * {@code ^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=.*} matches, without one (every word of
     * every command is asked).
     */
    static boolean isAssignment(String t) {
        int n = t.length();
        if (n == 0 || !(isNameStart(t.charAt(0)))) {
            return false;
        }
        int i = 1;
        while (i < n && (isNameStart(t.charAt(i)) || t.charAt(i) >= '0' && t.charAt(i) <= '9')) {
            i++;
        }
        if (i < n && t.charAt(i) == '[') {
            int close = t.indexOf(']', i + 1);
            if (close < 0) {
                return false;
            }
            i = close + 1;
        }
        if (i < n && t.charAt(i) == '+') {
            i++;
        }
        return i < n && t.charAt(i) == '=';
    }

    private static boolean isNameStart(char c) {
        return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z';
    }

    private static int skipAssignments(List<ShellWord> words, int i) {
        while (i < words.size() && isAssignment(words.get(i).text())) {
            i++;
        }
        return i;
    }

    /**
     * Skips the options of a wrapper.
     *
     * @param shortWithValue short options that take a value ({@code -u user} or {@code -uuser})
     * @param longWithValue  long options that take a value when written without {@code =}
     * @return the index of the first word after the options
     */
    static int skipOptions(List<ShellWord> words, int i, String shortWithValue, Set<String> longWithValue) {
        while (i < words.size()) {
            String t = words.get(i).text();
            if (t.equals("--")) {
                return i + 1;
            }
            if (t.startsWith("--")) {
                i += (t.indexOf('=') < 0 && longWithValue.contains(t)) ? 2 : 1;
                continue;
            }
            if (t.length() < 2 || t.charAt(0) != '-') {
                return i;
            }
            boolean takesNext = false;
            for (int k = 1; k < t.length(); k++) {
                if (shortWithValue.indexOf(t.charAt(k)) >= 0) {
                    takesNext = k == t.length() - 1;
                    break;
                }
            }
            i += takesNext ? 2 : 1;
        }
        return i;
    }

    /**
     * Finds the script of {@code sh -c STRING}; a shell with no -c and no script file reads stdin.
     *
     * @return true if the shell reads its script from stdin (and no here-document shows it)
     */
    private static boolean shellScript(List<ShellWord> words, int i, String hereDocument, List<String> scripts) {
        boolean command = false;
        boolean stdin = false;
        while (i < words.size()) {
            String t = words.get(i).text();
            if (t.equals("--") || t.equals("-")) {
                i++;
                break;
            }
            if (t.equals("-o") || t.equals("+o") || t.equals("-O") || t.equals("+O") || t.equals("--rcfile") || t.equals("--init-file")) {
                i += 2;
                continue;
            }
            if (t.length() > 1 && (t.charAt(0) == '-' || t.charAt(0) == '+')) {
                if (t.charAt(0) == '-' && !t.startsWith("--")) {
                    command |= t.indexOf('c') >= 0;
                    stdin |= t.indexOf('s') >= 0;
                }
                i++;
                continue;
            }
            break;
        }
        if (command) {
            if (i < words.size()) {
                scripts.add(words.get(i).text());
            }
            return false;
        }
        if (i < words.size() && !stdin) {
            return false; // a script file: its content is not ours to see
        }
        if (hereDocument != null) {
            scripts.add(hereDocument);
            return false;
        }
        return true;
    }

    private static void findExec(List<ShellWord> words, int i, List<SimpleCommand> nested) {
        for (int k = i; k < words.size(); k++) {
            String t = words.get(k).text();
            if (t.equals("-exec") || t.equals("-execdir") || t.equals("-ok") || t.equals("-okdir")) {
                List<ShellWord> sub = new ArrayList<>();
                int j = k + 1;
                while (j < words.size() && !words.get(j).text().equals(";") && !words.get(j).text().equals("+")) {
                    sub.add(words.get(j));
                    j++;
                }
                if (!sub.isEmpty()) {
                    nested.add(new SimpleCommand(sub, List.of(), null, joinPlain(sub, 0)));
                }
                k = j;
            }
        }
    }

    private static String joinPlain(List<ShellWord> words, int from) {
        StringBuilder b = new StringBuilder();
        for (int k = from; k < words.size(); k++) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(words.get(k).text());
        }
        return b.toString();
    }

    private static String joinQuoted(List<ShellWord> words, int from) {
        StringBuilder b = new StringBuilder();
        for (int k = from; k < words.size(); k++) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append('\'').append(words.get(k).text().replace("'", "'\\''")).append('\'');
        }
        return b.toString();
    }
}
