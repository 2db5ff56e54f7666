package dev.agenttrace.rules.suggest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Commands run to {@code commands.allow} patterns, generalised only as far as the calls show:
 * <ul>
 *   <li>a program whose first positional word is a subcommand ({@code git status}, {@code npm test})
 *       gets one pattern per subcommand, with up to two subcommand words ({@code npm run build});
 *       when further words followed, a trailing {@code *} says so ({@code git diff *}). Such a
 *       program never becomes the bare program ({@code git}, which allows {@code git push}) from
 *       its subcommands;</li>
 *   <li>a program only ever run on paths or with no positional words ({@code cat src/a.py},
 *       {@code ls}), or one whose words are always paths, patterns or text ({@code grep},
 *       {@code sed}, {@code rm}, {@code cd}, ...: {@code PATH_PROGRAMS}) gets the bare program: what it reads and writes is restricted by the files rules,
 *       which judge the same command;</li>
 *   <li>the few calls of a subcommand program that had no subcommand are kept as their own words
 *       ({@code git --version}, {@code python tests/run.py *}).</li>
 * </ul>
 * Flags before a kept word stay in the pattern ({@code python -m pytest *}); option values never
 * do ({@code git -C dir status} gives {@code git status}), since a value may be a password.
 * A subcommand is a word of letters, digits, {@code _ + : -} starting with a letter: not a path,
 * a number, a ref like {@code HEAD~1} or a quoted message.
 */
final class CommandGeneraliser {
    private static final Pattern SUBCOMMAND = Pattern.compile("[A-Za-z][A-Za-z0-9_+:-]{0,39}");
    private static final int MAX_SUBCOMMAND_WORDS = 2;
    /** Programs whose words are paths, patterns or text, never subcommands: the files rules judge what they touch. */
    private static final java.util.Set<String> PATH_PROGRAMS = java.util.Set.of("cat", "ls", "head", "tail", "wc", "grep", "egrep",
            "fgrep", "rg", "ag", "find", "fd", "sed", "awk", "sort", "uniq", "cut", "tr", "echo", "printf", "touch", "mkdir", "rmdir",
            "rm", "cp", "mv", "ln", "chmod", "diff", "less", "more", "file", "stat", "du", "tree", "tee", "jq", "which", "cd", "pwd",
            "test", "true", "false", "sleep", "basename", "dirname", "realpath", "readlink", "nl", "od", "xxd", "md5sum", "sha256sum");
    /** A long option, or a short cluster of up to three letters ({@code -la}, {@code -rf}): not {@code -pSECRET}, not {@code --token=x}. */
    private static final Pattern FLAG = Pattern.compile("--[A-Za-z][A-Za-z0-9-]{0,30}|-[A-Za-z0-9]{1,3}");

    private CommandGeneraliser() {
    }

    /**
     * @param commands the simple commands the firewall reported, to their evidence
     * @param unreadable receives the commands that do not read as one program
     * @return pattern to evidence
     */
    static Map<String, Evidence> generalise(Map<String, Evidence> commands, Map<String, Evidence> unreadable) {
        Map<String, List<Map.Entry<Patterns.Command, Evidence>>> byProgram = new TreeMap<>();
        for (Map.Entry<String, Evidence> e : commands.entrySet()) {
            Patterns.Command c = Patterns.command(e.getKey());
            if (c == null) {
                unreadable.put(e.getKey(), e.getValue());
                continue;
            }
            byProgram.computeIfAbsent(c.program(), k -> new ArrayList<>()).add(Map.entry(c, e.getValue()));
        }
        Map<String, Evidence> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<Map.Entry<Patterns.Command, Evidence>>> program : byProgram.entrySet()) {
            boolean subcommands = false;
            for (Map.Entry<Patterns.Command, Evidence> c : PATH_PROGRAMS.contains(program.getKey()) ? List.<Map.Entry<Patterns.Command, Evidence>>of()
                    : program.getValue()) {
                subcommands |= !c.getKey().positionals().isEmpty() && SUBCOMMAND.matcher(c.getKey().positionals().get(0)).matches();
            }
            Map<List<String>, Evidence> patterns = new LinkedHashMap<>();
            for (Map.Entry<Patterns.Command, Evidence> c : program.getValue()) {
                List<String> words = subcommands ? words(c.getKey()) : List.of();
                patterns.computeIfAbsent(words, k -> new Evidence()).addAll(c.getValue());
            }
            // a pattern ending in * covers the longer ones it is a prefix of; the bare program covers all
            for (Map.Entry<List<String>, Evidence> p : new ArrayList<>(patterns.entrySet())) {
                List<String> coverer = coveredBy(p.getKey(), patterns.keySet());
                if (coverer != null) {
                    patterns.get(coverer).addAll(patterns.remove(p.getKey()));
                }
            }
            for (Map.Entry<List<String>, Evidence> p : patterns.entrySet()) {
                StringBuilder text = new StringBuilder(Patterns.word(program.getKey()));
                for (String w : p.getKey()) {
                    text.append(' ').append(w.equals("*") ? "*" : Patterns.word(w));
                }
                out.put(text.toString(), p.getValue());
            }
        }
        return out;
    }

    private static List<String> words(Patterns.Command c) {
        List<String> positionals = c.positionals();
        List<String> all = c.words();
        List<String> words = new ArrayList<>();
        if (positionals.isEmpty()) {
            // no subcommand: its flags (git --version); an option value is left out, it may be a password
            for (int i = 0; i < all.size(); i++) {
                if (FLAG.matcher(all.get(i)).matches() && (i + 1 == all.size() || FLAG.matcher(all.get(i + 1)).matches())) {
                    words.add(all.get(i));
                }
            }
            return words;
        }
        int n = 0;
        while (n < positionals.size() && n < MAX_SUBCOMMAND_WORDS && SUBCOMMAND.matcher(positionals.get(n)).matches()) {
            n++;
        }
        n = Math.max(n, 1);
        // the words up to the last kept positional, with the flags among them (python -m pytest) but no option values
        List<Integer> kept = new ArrayList<>();
        int from = 0;
        for (int k = 0; k < n; k++) {
            int at = all.subList(from, all.size()).indexOf(positionals.get(k));
            if (at < 0) {
                kept = null;
                break;
            }
            kept.add(from + at);
            from = from + at + 1;
        }
        if (kept == null) {
            words.addAll(positionals.subList(0, n));
        } else {
            boolean optionsEnded = false;
            for (int i = 0; i <= kept.get(kept.size() - 1); i++) {
                String w = all.get(i);
                if (kept.contains(i)) {
                    if (w.startsWith("-") && !optionsEnded) {
                        words.add("--");
                        optionsEnded = true;
                    }
                    words.add(w);
                } else if (FLAG.matcher(w).matches() && (kept.contains(i + 1) || FLAG.matcher(all.get(i + 1)).matches())) {
                    words.add(w);
                }
            }
        }
        if (positionals.size() > n) {
            words.add("*");
        }
        return words;
    }

    private static List<String> coveredBy(List<String> words, Iterable<List<String>> all) {
        for (List<String> other : all) {
            if (other.equals(words)) {
                continue;
            }
            if (other.isEmpty()) {
                return other;
            }
            if (other.get(other.size() - 1).equals("*") && words.size() >= other.size() - 1
                    && words.subList(0, other.size() - 1).equals(other.subList(0, other.size() - 1))) {
                return other;
            }
        }
        return null;
    }
}
