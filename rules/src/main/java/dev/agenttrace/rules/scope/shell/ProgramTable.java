package dev.agenttrace.rules.scope.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What programs do beyond the plain reads and writes of {@link CommandFileAccess}: the trees they
 * read or write whole, the files hidden in their scripts and options, and the programs they may run
 * from their own arguments, which the firewall cannot follow. Each entry says, for one program,
 * either what it touches or why what it does cannot be seen:
 * <ul>
 *   <li>{@code git}: {@code -c KEY=VALUE} and {@code git config} with a key whose value git runs
 *       (aliases, pagers, editors, hooks, filters, helpers, ssh commands); a subcommand git does not
 *       ship (an alias); {@code diff --no-index} and {@code show REV:PATH} reads; {@code grep} and
 *       {@code archive} tree reads; {@code clean} a tree write; {@code rm}, {@code mv},
 *       {@code checkout/restore -- PATH} writes; {@code apply}/{@code am} writes it cannot see;
 *       {@code -C DIR}.</li>
 *   <li>{@code tar}: the tree it archives, the tree it extracts into, and the options that run
 *       programs ({@code --to-command}, {@code --checkpoint-action}, {@code -I}, {@code -F}, ...).</li>
 *   <li>{@code sort}/{@code uniq}: their files; {@code sed}: {@code e} and {@code w} in its script;
 *       {@code awk}: {@code system}, pipes, {@code getline} and output redirection in its program.</li>
 *   <li>{@code find}: {@code -delete} (a tree write), {@code -fprint FILE}; {@code unzip}: the tree
 *       it extracts into; {@code grep -r}, {@code rg}, {@code ag}, {@code ack}, {@code cp -r},
 *       {@code zip -r}, {@code rsync -r}, {@code chmod -R}, {@code rm -r}: trees.</li>
 *   <li>programs that run programs: {@code tmux}, {@code screen}, {@code at}, {@code batch},
 *       {@code crontab}, {@code parallel}, {@code expect}, {@code gdb -ex}, {@code vim -c},
 *       {@code docker/podman run|exec}, {@code systemd-run}, {@code unshare}, {@code nsenter},
 *       {@code firejail}, {@code bwrap}, {@code ssh -o ProxyCommand}, {@code rsync -e},
 *       {@code make --eval}, {@code alias} definitions, {@code trap} handlers (judged as scripts).</li>
 * </ul>
 */
public final class ProgramTable {
    /** git configuration keys whose value git executes. */
    private static final Pattern GIT_RUNS = Pattern.compile(
            "(?i)^(alias\\..*|.*pager.*|.*editor.*|.*command.*|.*hook.*|.*textconv.*|diff\\.external|.*\\.external|filter\\..*"
                    + "|.*helper.*|.*program.*|.*askpass.*|core\\.fsmonitor|.*proxy.*|.*exec.*|include\\..*|includeif\\..*"
                    + "|core\\.worktree|core\\.gitproxy|uploadpack\\..*|receive\\..*|credential\\..*|.*\\.cmd|.*tool.*|.*sshcommand.*)$");
    private static final Set<String> GIT_SUBCOMMANDS = Set.of("status", "diff", "log", "show", "add", "commit", "push",
            "pull", "fetch", "checkout", "switch", "restore", "branch", "merge", "rebase", "reset", "stash", "tag", "remote",
            "clone", "init", "rm", "mv", "grep", "blame", "config", "rev-parse", "ls-files", "cherry-pick", "revert",
            "describe", "shortlog", "worktree", "submodule", "bisect", "reflog", "clean", "apply", "am", "format-patch",
            "archive", "show-ref", "symbolic-ref", "cat-file", "ls-tree", "for-each-ref", "rev-list", "name-rev", "notes",
            "gc", "fsck", "count-objects", "help", "version", "var", "whatchanged", "range-diff", "merge-base", "ls-remote",
            "cherry", "sparse-checkout", "maintenance", "prune", "repack", "annotate", "check-ignore", "check-attr",
            "diff-tree", "diff-files", "diff-index", "hash-object", "update-index", "write-tree", "read-tree", "mktree",
            "commit-tree", "update-ref", "verify-commit", "verify-tag", "lfs", "citool");
    private static final Set<String> TMUX_READ_ONLY = Set.of("ls", "list-sessions", "list-windows", "list-panes",
            "has-session", "has", "kill-session", "kill-server", "kill-window", "kill-pane", "capture-pane", "capturep",
            "display-message", "display", "-V", "list-clients", "lsw", "lsp");
    private static final Set<String> RUNNERS = Set.of("at", "batch", "crontab", "parallel", "expect", "systemd-run",
            "unshare", "nsenter", "firejail", "bwrap", "flatpak-spawn", "osascript", "launchctl", "schtasks", "entr",
            "inotifywait", "dtach", "abduco", "nq", "daemonize", "start-stop-daemon", "sg", "newgrp", "machinectl",
            "distrobox-enter", "toolbox", "lxc-attach", "chronic", "ifne", "catchsegv", "valgrind", "gdb", "lldb", "fakeroot",
            "fakechroot", "proot", "qemu-user", "rlwrap", "winpty");
    private static final Set<String> RECURSIVE_READERS = Set.of("rg", "ag", "ack");

    private ProgramTable() {
    }

    /**
     * @param files     accesses beyond {@link CommandFileAccess}'s
     * @param cannotSee why part of what the command does cannot be seen (empty if all can)
     * @param scripts   shell scripts it hands on ({@code trap 'cmd' EXIT})
     * @param chdir     the directory its relative paths are resolved from ({@code git -C}, {@code tar -C}), or null
     */
    public record Effects(List<FileOperand> files, List<String> cannotSee, List<String> scripts, String chdir) {
    }

    public static Effects of(Invocation inv) {
        String program = inv.binary();
        List<String> args = inv.argumentTexts();
        ParsedArguments parsed = OptionConventions.parse(inv);
        List<FileOperand> files = new ArrayList<>();
        List<String> cannot = new ArrayList<>();
        List<String> scripts = new ArrayList<>();
        String chdir = null;
        switch (program) {
            case "git" -> chdir = git(args, files, cannot);
            case "tar", "bsdtar", "gtar" -> chdir = tar(parsed, args, files, cannot);
            case "sort" -> {
                parsed.positionals().forEach(p -> read(files, p, "sort"));
                if (has(args, "--compress-program") || has(args, "--files0-from")) {
                    cannot.add("sort --compress-program/--files0-from runs a program or reads a list of files the firewall cannot see");
                }
            }
            case "uniq" -> {
                List<String> pos = parsed.positionals();
                if (!pos.isEmpty()) {
                    read(files, pos.get(0), "uniq");
                }
                if (pos.size() > 1) {
                    files.add(new FileOperand(ShellWord.literal(pos.get(1)), pos.get(1), true, "uniq OUTPUT"));
                }
            }
            case "sed", "gsed" -> sed(parsed, files, cannot);
            case "awk", "gawk", "mawk", "nawk", "busybox-awk" -> awk(parsed, cannot);
            case "perl" -> {
                if (args.stream().anyMatch(a -> a.startsWith("-") && !a.startsWith("--") && a.indexOf('i') > 0)) {
                    for (String p : parsed.positionals()) {
                        files.add(new FileOperand(ShellWord.literal(p), p, true, "perl -i"));
                    }
                }
            }
            case "find" -> find(args, files);
            case "unzip" -> {
                List<String> pos = parsed.positionals();
                if (!pos.isEmpty()) {
                    read(files, pos.get(0), "unzip");
                }
                boolean listOnly = parsed.has("l") || parsed.has("t") || parsed.has("v") || parsed.has("p") || parsed.has("Z");
                if (!listOnly) {
                    String dir = ".";
                    for (int i = 0; i < args.size(); i++) {
                        if (args.get(i).equals("-d") && i + 1 < args.size()) {
                            dir = args.get(i + 1);
                        } else if (args.get(i).startsWith("-d") && args.get(i).length() > 2) {
                            dir = args.get(i).substring(2);
                        }
                    }
                    files.add(new FileOperand(ShellWord.literal(dir), dir, true, "unzip (extracts into)", true));
                }
            }
            case "grep", "egrep", "fgrep" -> {
                if (parsed.has("r") || parsed.has("R") || parsed.has("d") && args.contains("recurse")) {
                    boolean patternGiven = parsed.has("e") || parsed.has("f");
                    List<String> pos = parsed.positionals();
                    List<String> roots = pos.subList(patternGiven || pos.isEmpty() ? 0 : 1, pos.size());
                    if (roots.isEmpty()) {
                        tree(files, ".", false, program + " -r");
                    }
                    roots.forEach(r -> tree(files, r, false, program + " -r"));
                }
            }
            case "rg", "ag", "ack" -> {
                boolean patternGiven = parsed.has("e") || parsed.has("f");
                List<String> pos = parsed.positionals();
                List<String> roots = pos.subList(patternGiven || pos.isEmpty() ? 0 : 1, pos.size());
                if (parsed.has("--files") || parsed.has("--type-list")) {
                    return new Effects(files, cannot, scripts, null);
                }
                if (roots.isEmpty()) {
                    tree(files, ".", false, program);
                }
                roots.forEach(r -> tree(files, r, false, program));
                if (has(args, "--pre")) {
                    cannot.add(program + " --pre runs a program on every file it searches");
                }
            }
            case "cp", "zip", "scp", "rsync" -> {
                if (parsed.has("r") || parsed.has("R") || parsed.has("a") || parsed.has("--archive") || program.equals("rsync")) {
                    List<String> pos = parsed.positionals();
                    int sources = program.equals("zip") ? pos.size() : Math.max(0, pos.size() - 1);
                    for (int k = program.equals("zip") ? 1 : 0; k < sources; k++) {
                        tree(files, pos.get(k), false, program + " -r");
                    }
                }
                if (program.equals("rsync") && (has(args, "-e") || has(args, "--rsh") || has(args, "--rsync-path"))) {
                    cannot.add("rsync -e/--rsync-path runs the program given in its value");
                }
                if (program.equals("scp") && (has(args, "-S") || optionHas(args, "ProxyCommand"))) {
                    cannot.add("scp -S/-o ProxyCommand runs the program given in its value");
                }
                if (program.equals("zip") && (has(args, "-TT") || has(args, "--unzip-command"))) {
                    cannot.add("zip -TT runs the program given in its value");
                }
            }
            case "rm" -> {
                if (parsed.has("r")) {
                    parsed.positionals().forEach(p -> tree(files, p, true, "rm -r"));
                }
            }
            case "chmod", "chown", "chgrp" -> {
                if (parsed.has("R") || parsed.has("--recursive")) {
                    List<String> pos = parsed.positionals();
                    for (int k = 1; k < pos.size(); k++) {
                        tree(files, pos.get(k), true, program + " -R");
                    }
                }
            }
            case "mv" -> parsed.positionals().forEach(p -> tree(files, p, true, "mv (moves away)"));
            case "ln", "link" -> ln(parsed, files);
            case "sqlite3", "sqlite", "duckdb" -> {
                List<String> pos = parsed.positionals();
                if (!pos.isEmpty()) {
                    read(files, pos.get(0), program);
                    files.add(new FileOperand(ShellWord.literal(pos.get(0)), pos.get(0), true, program));
                }
                if (pos.size() > 1 && pos.get(1).contains(".shell") || pos.size() > 1 && pos.get(1).contains(".system")) {
                    cannot.add(program + " .shell/.system runs a shell command");
                }
            }
            case "gzip", "gunzip", "bzip2", "bunzip2", "xz", "unxz", "zstd", "unzstd", "lz4", "compress", "uncompress", "brotli" -> {
                for (String p : parsed.positionals()) {
                    read(files, p, program);
                    files.add(new FileOperand(ShellWord.literal(p), p, true, program));
                }
            }
            case "ssh", "mosh", "sftp" -> {
                if (optionHas(args, "ProxyCommand") || optionHas(args, "LocalCommand") || optionHas(args, "KnownHostsCommand")
                        || optionHas(args, "Match")) {
                    cannot.add(program + " -o ProxyCommand/LocalCommand runs the program given in its value");
                }
            }
            case "tmux" -> {
                String sub = firstNonOption(args);
                if (sub != null && !TMUX_READ_ONLY.contains(sub)) {
                    cannot.add("tmux " + sub + " runs commands in a terminal the firewall cannot follow");
                }
            }
            case "screen" -> {
                if (!(args.contains("-ls") || args.contains("-list") || args.contains("-v"))) {
                    cannot.add("screen runs commands in a terminal the firewall cannot follow");
                }
            }
            case "docker", "podman", "nerdctl" -> {
                String sub = firstNonOption(args);
                if (sub != null && Set.of("run", "exec", "create", "start", "container").contains(sub)) {
                    cannot.add(program + " " + sub + " runs programs in a container that may mount this machine's files");
                }
            }
            case "kubectl" -> {
                String sub = firstNonOption(args);
                if ("exec".equals(sub) || "run".equals(sub) || "cp".equals(sub) || "debug".equals(sub)) {
                    cannot.add("kubectl " + sub + " runs programs or copies files the firewall cannot see");
                }
            }
            case "vim", "nvim", "vi", "ex", "view", "emacs" -> {
                for (String a : args) {
                    if (a.equals("-c") || a.equals("--cmd") || a.startsWith("+") || a.equals("-S") || a.equals("--eval")
                            || a.equals("-x") || a.equals("--batch") || a.equals("-l") || a.equals("--script")) {
                        cannot.add(program + " " + a + " runs editor commands, which can run programs");
                        break;
                    }
                }
            }
            case "make", "gmake" -> {
                if (has(args, "--eval") || has(args, "-E")) {
                    cannot.add("make --eval runs rules given on the command line");
                }
                String dir = valueOf(args, "-C", "--directory");
                chdir = dir;
            }
            case "alias" -> {
                for (String a : args) {
                    if (a.indexOf('=') > 0) {
                        cannot.add("alias " + a.substring(0, a.indexOf('=')) + " defines a command name the firewall does not expand");
                        break;
                    }
                }
            }
            case "trap" -> {
                if (!args.isEmpty() && !args.get(0).startsWith("-")) {
                    scripts.add(args.get(0));
                }
            }
            case "less", "more", "most" -> {
                if (args.stream().anyMatch(a -> a.startsWith("+!") || a.contains("LESSOPEN"))) {
                    cannot.add(program + " is given a command to run");
                }
            }
            default -> {
                if (RUNNERS.contains(program)) {
                    cannot.add(program + " runs programs the firewall cannot follow");
                }
            }
        }
        return new Effects(files, cannot, scripts, chdir);
    }

    private static String git(List<String> args, List<FileOperand> files, List<String> cannot) {
        String chdir = null;
        int i = 0;
        while (i < args.size()) {
            String a = args.get(i);
            if (a.equals("-C") && i + 1 < args.size()) {
                chdir = chdir == null ? args.get(i + 1) : chdir + "/" + args.get(i + 1);
                i += 2;
            } else if (a.equals("-c") && i + 1 < args.size()) {
                gitConfig(args.get(i + 1), "git -c", cannot);
                i += 2;
            } else if (a.startsWith("-c") && a.length() > 2) {
                gitConfig(a.substring(2), "git -c", cannot);
                i++;
            } else if (a.startsWith("--config-env") || a.startsWith("--exec-path") && a.indexOf('=') > 0) {
                cannot.add("git " + a + " makes git run a program given outside the command");
                i += a.indexOf('=') > 0 ? 1 : 2;
            } else if (a.equals("--git-dir") || a.equals("--work-tree") || a.equals("--namespace") || a.equals("--super-prefix")) {
                i += 2;
            } else if (a.startsWith("-")) {
                i++;
            } else {
                break;
            }
        }
        if (i >= args.size()) {
            return chdir;
        }
        String sub = args.get(i);
        List<String> rest = args.subList(i + 1, args.size());
        if (!GIT_SUBCOMMANDS.contains(sub)) {
            cannot.add("git " + sub + " is not a command git ships; it may be an alias from a git config file, which runs anything");
            return chdir;
        }
        List<String> pos = new ArrayList<>();
        List<String> afterDashes = new ArrayList<>();
        boolean dashes = false;
        for (String r : rest) {
            if (dashes) {
                afterDashes.add(r);
            } else if (r.equals("--")) {
                dashes = true;
            } else if (!r.startsWith("-")) {
                pos.add(r);
            }
        }
        switch (sub) {
            case "diff" -> {
                if (rest.contains("--no-index")) {
                    List<String> both = new ArrayList<>(pos);
                    both.addAll(afterDashes);
                    both.forEach(p -> read(files, p, "git diff --no-index"));
                }
                if (rest.stream().anyMatch(r -> r.startsWith("--ext-diff") || r.startsWith("--textconv"))) {
                    cannot.add("git diff --ext-diff/--textconv runs the programs named in git config");
                }
            }
            case "show", "cat-file" -> {
                for (String p : pos) {
                    int colon = p.indexOf(':');
                    if (colon >= 0 && colon + 1 < p.length()) {
                        read(files, p.substring(colon + 1), "git " + sub + " REV:PATH");
                    }
                }
                if (rest.stream().anyMatch(r -> r.startsWith("--textconv") || r.startsWith("--filters"))) {
                    cannot.add("git " + sub + " --textconv/--filters runs the programs named in git config");
                }
            }
            case "grep", "archive" -> {
                tree(files, ".", false, "git " + sub);
                if (sub.equals("archive")) {
                    String out = valueOf(rest, "-o", "--output");
                    if (out != null) {
                        files.add(new FileOperand(ShellWord.literal(out), out, true, "git archive -o"));
                    }
                    if (rest.stream().anyMatch(r -> r.startsWith("--remote") || r.startsWith("--exec"))) {
                        cannot.add("git archive --remote/--exec runs a program given in its value");
                    }
                }
                if (sub.equals("grep") && rest.stream().anyMatch(r -> r.startsWith("-O") || r.startsWith("--open-files-in-pager")
                        || r.equals("--no-index") || r.equals("--untracked"))) {
                    if (rest.stream().anyMatch(r -> r.startsWith("-O") || r.startsWith("--open-files-in-pager"))) {
                        cannot.add("git grep -O runs a pager program given in its value");
                    }
                }
            }
            case "clean" -> {
                List<String> paths = afterDashes.isEmpty() ? pos : afterDashes;
                if (paths.isEmpty()) {
                    tree(files, ".", true, "git clean");
                }
                paths.forEach(p -> tree(files, p, true, "git clean"));
            }
            case "rm", "mv" -> {
                List<String> paths = new ArrayList<>(pos);
                paths.addAll(afterDashes);
                paths.forEach(p -> tree(files, p, true, "git " + sub));
            }
            case "checkout", "restore" -> afterDashes.forEach(p -> files.add(new FileOperand(ShellWord.literal(p), p, true, "git " + sub)));
            case "apply", "am" -> {
                if (!rest.contains("--check") && !rest.contains("--stat") && !rest.contains("--numstat")) {
                    cannot.add("git " + sub + " writes the files its patch names, which the firewall does not read");
                }
                pos.forEach(p -> read(files, p, "git " + sub));
            }
            case "config" -> {
                boolean set = false;
                for (int k = 0; k < rest.size(); k++) {
                    String r = rest.get(k);
                    if (!r.startsWith("-")) {
                        set = k + 1 < rest.size() && !rest.get(k + 1).startsWith("-") || rest.contains("--add")
                                || rest.contains("--replace-all") || r.equals("set");
                        String key = r.equals("set") && k + 1 < rest.size() ? rest.get(k + 1) : r;
                        if (set) {
                            gitConfig(key + "=x", "git config", cannot);
                        }
                        break;
                    }
                    if (r.equals("--file") || r.equals("-f")) {
                        k++;
                        if (k < rest.size()) {
                            files.add(new FileOperand(ShellWord.literal(rest.get(k)), rest.get(k), true, "git config --file"));
                        }
                    }
                    if (r.equals("--edit") || r.equals("-e")) {
                        cannot.add("git config --edit runs an editor");
                    }
                }
            }
            case "clone", "worktree", "init", "submodule" -> {
                if (rest.stream().anyMatch(r -> r.startsWith("--template") || r.startsWith("-u") || r.startsWith("--upload-pack")
                        || r.startsWith("--config") || r.equals("-c"))) {
                    cannot.add("git " + sub + " --template/--upload-pack/--config installs or runs programs given in its value");
                }
            }
            case "commit", "rebase", "merge", "cherry-pick", "revert", "tag", "bisect" -> {
                if (sub.equals("rebase") && rest.stream().anyMatch(r -> r.equals("-x") || r.startsWith("--exec"))) {
                    cannot.add("git rebase --exec runs the command given in its value");
                }
                if (sub.equals("bisect") && rest.contains("run")) {
                    cannot.add("git bisect run runs the command given after it");
                }
            }
            case "push", "fetch", "pull", "ls-remote" -> {
                if (rest.stream().anyMatch(r -> r.startsWith("--receive-pack") || r.startsWith("--upload-pack")
                        || r.startsWith("--exec"))) {
                    cannot.add("git " + sub + " --upload-pack/--receive-pack runs the program given in its value");
                }
            }
            default -> {
            }
        }
        return chdir;
    }

    private static void gitConfig(String assignment, String how, List<String> cannot) {
        int eq = assignment.indexOf('=');
        String key = (eq < 0 ? assignment : assignment.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
        if (GIT_RUNS.matcher(key).matches()) {
            cannot.add(how + " " + key + " sets a git option whose value git runs as a program");
        }
    }

    private static String tar(ParsedArguments parsed, List<String> args, List<FileOperand> files, List<String> cannot) {
        for (String a : args) {
            String lower = a.toLowerCase(Locale.ROOT);
            if (lower.startsWith("--to-command") || lower.startsWith("--checkpoint-action") || lower.startsWith("--use-compress-program")
                    || lower.startsWith("--info-script") || lower.startsWith("--new-volume-script") || lower.startsWith("--rsh-command")
                    || lower.startsWith("--rmt-command") || lower.startsWith("--index-file") && false) {
                cannot.add("tar " + a + " runs the program given in its value");
                break;
            }
        }
        if (!parsed.valuesOf("I").isEmpty() || !parsed.valuesOf("F").isEmpty()) {
            cannot.add("tar -I/-F runs the program given in its value");
        }
        if (!parsed.valuesOf("T", "--files-from").isEmpty() || args.stream().anyMatch(a -> a.startsWith("--files-from="))) {
            cannot.add("tar -T/--files-from archives the files a list names, which the firewall does not read");
        }
        String first = args.isEmpty() ? "" : args.get(0);
        boolean bundled = !first.startsWith("-") && !first.isEmpty();
        boolean create = parsed.has("c") || parsed.has("r") || parsed.has("u") || bundled && (first.contains("c") || first.contains("r") || first.contains("u"));
        boolean extract = parsed.has("x") || parsed.has("--extract") || parsed.has("--get") || bundled && first.contains("x");
        List<String> dirs = parsed.valuesOf("C", "--directory");
        String chdir = dirs.isEmpty() ? null : dirs.get(dirs.size() - 1);
        List<String> pos = new ArrayList<>(parsed.positionals());
        if (bundled && !pos.isEmpty()) {
            pos.remove(0);
            if (first.contains("f") && !pos.isEmpty()) {
                String archive = pos.remove(0);
                files.add(new FileOperand(ShellWord.literal(archive), archive, create, "tar f"));
            }
        }
        if (create) {
            pos.forEach(p -> tree(files, p, false, "tar c"));
        }
        if (extract) {
            files.add(new FileOperand(ShellWord.literal("."), ".", true, "tar x (extracts into)", true));
        }
        return chdir;
    }

    /** sed scripts: {@code e} runs a command, {@code w FILE} and the {@code w} flag write, {@code r FILE} reads. */
    private static void sed(ParsedArguments parsed, List<FileOperand> files, List<String> cannot) {
        List<String> scripts = new ArrayList<>(parsed.valuesOf("e", "--expression"));
        if (scripts.isEmpty() && parsed.valuesOf("f", "--file").isEmpty() && !parsed.positionals().isEmpty()) {
            scripts.add(parsed.positionals().get(0));
        }
        for (String script : scripts) {
            SedScript.scan(script, files, cannot);
        }
    }

    private static final Pattern AWK_RUNS = Pattern.compile("system\\s*\\(|\\|\\s*(getline|&)|\"[^\"]*\"\\s*\\|\\s*getline|\\|&|"
            + "(print|printf)\\b[^;}]*[^=!<>]>[^=]|(print|printf)\\b[^;}]*\\|\\s*\"|getline\\s*<|@load|ENVIRON|\\bclose\\s*\\(|PROCINFO");

    private static void awk(ParsedArguments parsed, List<String> cannot) {
        List<String> programs = new ArrayList<>();
        if (parsed.valuesOf("f", "--file").isEmpty() && !parsed.positionals().isEmpty()) {
            programs.add(parsed.positionals().get(0));
        }
        for (String p : programs) {
            if (AWK_RUNS.matcher(p).find()) {
                cannot.add("the awk program runs commands or opens files (system, pipes, getline, print >)");
                return;
            }
        }
        if (!parsed.valuesOf("f", "--file").isEmpty()) {
            cannot.add("awk -f runs a program file the firewall does not read");
        }
    }

    private static void find(List<String> args, List<FileOperand> files) {
        List<String> roots = findRoots(args);
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-delete")) {
                roots.forEach(r -> tree(files, r, true, "find -delete"));
            } else if ((a.equals("-fprint") || a.equals("-fprint0") || a.equals("-fls") || a.equals("-fprintf")) && i + 1 < args.size()) {
                files.add(new FileOperand(ShellWord.literal(args.get(i + 1)), args.get(i + 1), true, "find " + a));
            }
        }
    }

    /** The starting points of {@code find}: the words before the first expression ({@code .} if none). */
    public static List<String> findRoots(List<String> args) {
        List<String> roots = new ArrayList<>();
        int i = 0;
        while (i < args.size() && (args.get(i).equals("-H") || args.get(i).equals("-L") || args.get(i).equals("-P")
                || args.get(i).startsWith("-O") || args.get(i).equals("-D"))) {
            i += args.get(i).equals("-D") ? 2 : 1;
        }
        for (; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("-") || a.equals("(") || a.equals("!") || a.equals(")")) {
                break;
            }
            roots.add(a);
        }
        if (roots.isEmpty()) {
            roots.add(".");
        }
        return roots;
    }

    /**
     * ln TARGET LINK: the link is written, and the target is judged as read and written as a whole
     * tree, since every later access through the link is an access to it.
     */
    private static void ln(ParsedArguments parsed, List<FileOperand> files) {
        List<String> pos = parsed.positionals();
        List<String> targetDirs = parsed.valuesOf("t", "--target-directory");
        int targets = targetDirs.isEmpty() ? Math.max(1, pos.size() - 1) : pos.size();
        if (pos.size() == 1 && targetDirs.isEmpty()) {
            targets = 1;
        }
        for (int k = 0; k < Math.min(targets, pos.size()); k++) {
            String t = pos.get(k);
            tree(files, t, false, "ln (link target)");
            files.add(new FileOperand(ShellWord.literal(t), t, true, "ln (link target)", true));
            if (parsed.has("s") && !t.startsWith("/") && !t.startsWith("~") && pos.size() > 1 && targetDirs.isEmpty()) {
                // a relative symlink target is resolved from the link's directory
                String link = pos.get(pos.size() - 1);
                int slash = link.lastIndexOf('/');
                if (slash > 0) {
                    String fromLink = link.substring(0, slash) + "/" + t;
                    tree(files, fromLink, false, "ln -s (target, from the link's directory)");
                    files.add(new FileOperand(ShellWord.literal(fromLink), fromLink, true, "ln -s (target, from the link's directory)", true));
                }
            }
        }
    }

    private static void read(List<FileOperand> files, String p, String how) {
        files.add(new FileOperand(ShellWord.literal(p), p, false, how));
    }

    private static void tree(List<FileOperand> files, String p, boolean write, String how) {
        files.add(new FileOperand(ShellWord.literal(p), p, write, how, true));
    }

    private static boolean has(List<String> args, String option) {
        for (String a : args) {
            if (a.equals(option) || a.startsWith(option + "=") || option.length() == 2 && a.startsWith(option) && !a.startsWith("--")) {
                return true;
            }
        }
        return false;
    }

    private static boolean optionHas(List<String> args, String name) {
        for (String a : args) {
            if (a.toLowerCase(Locale.ROOT).contains(name.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    private static String valueOf(List<String> args, String shortName, String longName) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if ((a.equals(shortName) || a.equals(longName)) && i + 1 < args.size()) {
                return args.get(i + 1);
            }
            if (a.startsWith(longName + "=")) {
                return a.substring(longName.length() + 1);
            }
        }
        return null;
    }

    private static String firstNonOption(List<String> args) {
        for (String a : args) {
            if (!a.startsWith("-")) {
                return a;
            }
        }
        return args.isEmpty() ? null : args.get(0);
    }
}
