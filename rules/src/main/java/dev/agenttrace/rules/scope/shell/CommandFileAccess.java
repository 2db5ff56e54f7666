package dev.agenttrace.rules.scope.shell;

import dev.agenttrace.rules.scope.network.UrlHosts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The files a simple command reads and writes, so {@code cat .env} is judged like a Read of
 * {@code .env} and {@code echo x > .github/workflows/ci.yml} like a Write.
 *
 * <p>Known programs: readers ({@code cat}, {@code less}, {@code head}, {@code tail}, {@code grep},
 * {@code sed}, {@code awk}, {@code jq}, {@code source}, checksums, ...), writers ({@code tee},
 * {@code touch}, {@code rm}, {@code mkdir}, {@code truncate}, {@code chmod}, ...), copiers
 * ({@code cp}, {@code mv}, {@code install}, {@code rsync}, {@code scp}; {@code ln}, whose
 * source counts as read because a link is how the next command reads a denied file under another
 * name), editors, {@code dd if=/of=}, {@code tar -f}, {@code zip}, and the file options of {@code curl} and {@code wget}
 * ({@code -o}, {@code -T}, {@code -d @file}, ...). Redirections ({@code >}, {@code >>}, {@code <},
 * {@code &>}, {@code <>}) count for every program. A program not listed is not assumed to touch
 * its arguments: guessing would block {@code git commit -m "fix src"}.
 *
 * <p>Devices that every shell script uses ({@code /dev/null}, {@code /dev/stdout}, ...) and
 * {@code -} (standard input or output) are not file accesses.
 */
public final class CommandFileAccess {
    private static final Set<String> HARMLESS = Set.of("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/stdin",
            "/dev/tty", "/dev/zero", "/dev/random", "/dev/urandom", "-");
    private static final Set<String> READERS = Set.of("cat", "tac", "nl", "less", "more", "most", "head", "tail", "wc",
            "strings", "od", "xxd", "hexdump", "base64", "base32", "md5sum", "sha1sum", "sha224sum", "sha256sum",
            "sha384sum", "sha512sum", "b2sum", "cksum", "sum", "file", "stat", "diff", "cmp", "comm", "paste", "cut",
            "fold", "fmt", "expand", "unexpand", "column", "rev", "shuf", "source", ".", "iconv", "zcat", "bzcat",
            "xzcat", "zless", "zmore", "bat", "batcat", "view", "readlink", "realpath", "ls", "du", "tree", "split",
            "openssl", "gpg", "xclip", "pbcopy");
    private static final Set<String> PATTERN_FIRST = Set.of("grep", "egrep", "fgrep", "rg", "ag", "ack");
    private static final Set<String> PROGRAM_FIRST = Set.of("sed", "gsed", "awk", "gawk", "mawk", "nawk", "jq");
    private static final Set<String> WRITERS = Set.of("tee", "touch", "mkdir", "rmdir", "rm", "unlink", "shred", "truncate", "mkfifo");
    private static final Set<String> MODE_FIRST = Set.of("chmod", "chown", "chgrp");
    private static final Set<String> EDITORS = Set.of("vi", "vim", "nvim", "nano", "emacs", "code", "subl", "ed", "ex", "pico", "micro", "kak", "hx");
    /** Options whose value is a file read or written, by program. */
    private static final Map<String, Map<String, Boolean>> FILE_OPTIONS = Map.of(
            "curl", Map.of("o", true, "D", true, "c", true, "--trace", true, "--trace-ascii", true, "--stderr", true,
                    "T", false, "K", false, "--cacert", false, "--key", false),
            "wget", Map.of("O", true, "o", true, "a", true, "P", true, "--save-cookies", true,
                    "i", false, "--post-file", false, "--body-file", false, "--load-cookies", false),
            "sort", Map.of("o", true),
            "grep", Map.of("f", false),
            "rg", Map.of("f", false),
            "sed", Map.of("f", false),
            "awk", Map.of("f", false),
            "gawk", Map.of("f", false),
            "jq", Map.of("f", false, "--slurpfile", false, "--rawfile", false),
            "truncate", Map.of("r", false));

    private CommandFileAccess() {
    }

    public static List<FileOperand> of(ResolvedCommand resolved) {
        List<FileOperand> out = new ArrayList<>();
        for (Redirection r : resolved.command().redirections()) {
            if (r.reads()) {
                add(out, r.target(), r.target().text(), false, "redirection " + r.operator());
            }
            if (r.writes()) {
                add(out, r.target(), r.target().text(), true, "redirection " + r.operator());
            }
        }
        for (ShellWord w : resolved.command().words()) {
            for (UrlHosts.FoundUrl url : UrlHosts.findUrls(w.text())) {
                if (url.isFile()) {
                    add(out, w, url.text(), false, "file: URL");
                }
            }
        }
        if (!resolved.runsProgram()) {
            return out;
        }
        Invocation inv = resolved.innermost();
        String program = inv.binary();
        List<ShellWord> args = inv.arguments();
        ParsedArguments parsed = OptionConventions.parse(inv);
        List<ShellWord> positionals = positionalWords(args, parsed);

        Map<String, Boolean> fileOptions = FILE_OPTIONS.getOrDefault(program, Map.of());
        for (ParsedArguments.OptionValue v : parsed.optionValues()) {
            Boolean write = fileOptions.get(v.option());
            if (write != null) {
                add(out, ShellWord.literal(v.value()), v.value(), write, program + " -" + v.option().replaceFirst("^--", "-"));
            }
        }
        if (program.equals("curl")) {
            curlData(out, parsed);
            return out;
        }
        if (program.equals("wget")) {
            return out;
        }
        if (READERS.contains(program)) {
            positionals.forEach(w -> add(out, w, w.text(), false, program));
        } else if (PATTERN_FIRST.contains(program)) {
            boolean patternGiven = parsed.has("e") || parsed.has("f") || parsed.has("--regexp") || parsed.has("--file");
            readAll(out, positionals.subList(patternGiven || positionals.isEmpty() ? 0 : 1, positionals.size()), program, false);
        } else if (PROGRAM_FIRST.contains(program)) {
            boolean programGiven = parsed.has("e") || parsed.has("f") || parsed.has("--expression") || parsed.has("--from-file");
            List<ShellWord> files = positionals.subList(programGiven || positionals.isEmpty() ? 0 : 1, positionals.size());
            readAll(out, files, program, false);
            if (parsed.has("i") && (program.equals("sed") || program.equals("gsed"))) {
                readAll(out, files, program + " -i", true);
            }
        } else if (WRITERS.contains(program)) {
            readAll(out, positionals, program, true);
        } else if (MODE_FIRST.contains(program)) {
            boolean reference = parsed.has("--reference");
            readAll(out, positionals.subList(reference || positionals.isEmpty() ? 0 : 1, positionals.size()), program, true);
        } else if (EDITORS.contains(program)) {
            readAll(out, positionals, program, false);
            readAll(out, positionals, program, true);
        } else if (program.equals("cp") || program.equals("install") || program.equals("mv") || program.equals("ln")
                || program.equals("rsync") || program.equals("scp")) {
            copy(out, program, parsed, positionals);
        } else if (program.equals("dd")) {
            for (ShellWord w : positionals) {
                if (w.text().startsWith("if=")) {
                    add(out, w, w.text().substring(3), false, "dd if=");
                } else if (w.text().startsWith("of=")) {
                    add(out, w, w.text().substring(3), true, "dd of=");
                }
            }
        } else if (program.equals("zip")) {
            if (!positionals.isEmpty()) {
                add(out, positionals.get(0), positionals.get(0).text(), true, "zip");
                readAll(out, positionals.subList(1, positionals.size()), "zip", false);
            }
        } else if (program.equals("tar")) {
            boolean create = parsed.has("c") || parsed.has("r") || parsed.has("u") || parsed.has("A");
            for (String archive : parsed.valuesOf("f")) {
                add(out, ShellWord.literal(archive), archive, create, "tar -f");
            }
            if (create) {
                readAll(out, positionals, "tar", false);
            }
        }
        return out;
    }

    private static void readAll(List<FileOperand> out, List<ShellWord> words, String how, boolean write) {
        for (ShellWord w : words) {
            add(out, w, w.text(), write, how);
        }
    }

    /** cp/mv/ln/install/rsync/scp: the last operand (or -t DIR) is written, the others read (and for mv, removed). */
    private static void copy(List<FileOperand> out, String program, ParsedArguments parsed, List<ShellWord> positionals) {
        List<ShellWord> local = new ArrayList<>();
        for (ShellWord w : positionals) {
            if (program.equals("rsync") || program.equals("scp")) {
                if (UrlHosts.hasScheme(w.text()) || UrlHosts.scpHost(w.text()) != null) {
                    continue;
                }
            }
            local.add(w);
        }
        List<String> targetDirs = parsed.valuesOf("t", "--target-directory");
        List<ShellWord> sources = local;
        if (targetDirs.isEmpty() && !positionals.isEmpty()) {
            ShellWord last = positionals.get(positionals.size() - 1);
            if (local.contains(last)) {
                add(out, last, last.text(), true, program);
            }
            sources = local.subList(0, local.contains(last) ? local.size() - 1 : local.size());
        }
        for (String dir : targetDirs) {
            add(out, ShellWord.literal(dir), dir, true, program + " -t");
        }
        // ln: creating the link reads nothing, but a link to a denied file is how the next command
        // reads it under another name, often in the same command line (ln -s .env x && cat x).
        readAll(out, sources, program, false);
        if (program.equals("mv")) {
            readAll(out, sources, program, true);
        }
    }

    /** curl -d @file, --data-binary @file, --json @file, -F name=@file or name=<file upload a file. */
    private static void curlData(List<FileOperand> out, ParsedArguments parsed) {
        for (String v : parsed.valuesOf("d", "--data", "--data-binary", "--data-urlencode", "--data-ascii", "--json")) {
            int at = v.indexOf('@');
            if (at == 0 || (at > 0 && v.indexOf('=') < 0 && v.indexOf('@') == at)) {
                String file = v.substring(at + 1);
                add(out, ShellWord.literal(file), file, false, "curl -d @");
            }
        }
        for (String v : parsed.valuesOf("F", "--form")) {
            int eq = v.indexOf('=');
            if (eq >= 0 && eq + 1 < v.length() && (v.charAt(eq + 1) == '@' || v.charAt(eq + 1) == '<')) {
                String file = v.substring(eq + 2);
                int semi = file.indexOf(';');
                file = semi < 0 ? file : file.substring(0, semi);
                add(out, ShellWord.literal(file), file, false, "curl -F @");
            }
        }
    }

    /** Positional words, keeping the quoting flags the parsed texts lost. */
    private static List<ShellWord> positionalWords(List<ShellWord> args, ParsedArguments parsed) {
        List<ShellWord> words = new ArrayList<>();
        int from = 0;
        for (String p : parsed.positionals()) {
            for (int k = from; k < args.size(); k++) {
                if (args.get(k).text().equals(p)) {
                    words.add(args.get(k));
                    from = k + 1;
                    break;
                }
            }
        }
        return words;
    }

    private static void add(List<FileOperand> out, ShellWord word, String path, boolean write, String how) {
        if (path.isEmpty() || HARMLESS.contains(path) || path.startsWith("/dev/fd/")) {
            return;
        }
        out.add(new FileOperand(word, path, write, how));
    }
}
