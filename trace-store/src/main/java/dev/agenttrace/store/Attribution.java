package dev.agenttrace.store;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who started a session and from where: the {@code attribution} object of {@code meta.json},
 * with agent-strace's keys ({@code os_user, hostname, pid, ppid, process_name, process_ancestry,
 * git_repo, git_branch, git_commit, working_dir}) so Python tools show it too.
 *
 * <p>It runs while an MCP client waits for its server to start, so it must be fast (well under
 * 5 ms) and must not fail: everything is read from files ({@code /proc}, {@code .git/HEAD},
 * refs, {@code packed-refs}, {@code .git/config}), nothing is spawned (agent-strace runs
 * {@code git} three times), and whatever cannot be found is simply left out. Worktrees (where
 * {@code .git} is a file pointing elsewhere) are followed. Credentials in the origin URL
 * ({@code https://user:token@host/...}) are stripped before they reach the trace.
 */
public final class Attribution {
    private static final int MAX_ANCESTRY = 16;
    private static final int MAX_PARENT_DIRS = 64;
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}([0-9a-f]{24})?");
    private static final Pattern REMOTE_SECTION = Pattern.compile("\\s*\\[\\s*remote\\s+\"([^\"]*)\"\\s*]\\s*");
    private static final Pattern URL_USERINFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@");

    private Attribution() {
    }

    /** Collects what can be found about this process and the git checkout around {@code workingDir}. */
    public static ObjectNode collect(Path workingDir) {
        ObjectNode a = JsonNodeFactory.instance.objectNode();
        putText(a, "os_user", System.getProperty("user.name"));
        putText(a, "hostname", hostname());
        ProcessHandle self = ProcessHandle.current();
        a.put("pid", self.pid());
        long ppid = parentPid(self);
        if (ppid > 0) {
            a.put("ppid", ppid);
        }
        List<String> ancestry = ancestry(self.pid());
        String name = ancestry.isEmpty() ? self.info().command().map(c -> Path.of(c).getFileName().toString())
                .orElse(null) : ancestry.get(ancestry.size() - 1);
        putText(a, "process_name", name);
        if (!ancestry.isEmpty()) {
            ArrayNode arr = a.putArray("process_ancestry");
            ancestry.forEach(arr::add);
        }
        Path wd = workingDir == null ? null : workingDir.toAbsolutePath().normalize();
        Git git = wd == null ? null : Git.find(wd);
        if (git != null) {
            putText(a, "git_repo", git.originUrl());
            putText(a, "git_branch", git.branch());
            putText(a, "git_commit", git.commit());
        }
        if (wd != null) {
            a.put("working_dir", wd.toString());
        }
        return a;
    }

    private static void putText(ObjectNode a, String key, String v) {
        if (v != null && !v.isBlank()) {
            a.put(key, v);
        }
    }

    static String hostname() {
        String h = firstLine(Path.of("/proc/sys/kernel/hostname"));
        if (h == null) {
            h = firstLine(Path.of("/etc/hostname"));
        }
        if (h == null) {
            h = System.getenv("HOSTNAME");
        }
        if (h == null) {
            h = System.getenv("COMPUTERNAME");
        }
        return h;
    }

    private static long parentPid(ProcessHandle self) {
        long[] stat = stat(self.pid());
        if (stat != null) {
            return stat[0];
        }
        return self.parent().map(ProcessHandle::pid).orElse(-1L);
    }

    /** Process names from the oldest ancestor below init down to this process, as agent-strace lists them. */
    static List<String> ancestry(long pid) {
        List<String> names = new ArrayList<>();
        long p = pid;
        for (int i = 0; i < MAX_ANCESTRY && p > 1; i++) {
            String stat = read(Path.of("/proc", Long.toString(p), "stat"));
            if (stat == null) {
                break;
            }
            int open = stat.indexOf('(');
            int close = stat.lastIndexOf(')');
            if (open < 0 || close < open) {
                break;
            }
            names.add(stat.substring(open + 1, close));
            long[] parsed = parseStat(stat, close);
            if (parsed == null) {
                break;
            }
            p = parsed[0];
        }
        Collections.reverse(names);
        return names;
    }

    /** {ppid} from /proc/pid/stat, or null off Linux. */
    private static long[] stat(long pid) {
        String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        if (stat == null) {
            return null;
        }
        int close = stat.lastIndexOf(')');
        return close < 0 ? null : parseStat(stat, close);
    }

    private static long[] parseStat(String stat, int close) {
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so parse after the last ')'
        String[] rest = stat.substring(close + 1).trim().split(" ", 3);
        if (rest.length < 2) {
            return null;
        }
        try {
            return new long[] {Long.parseLong(rest[1])};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Strips {@code user:password@} from a URL; scp-like {@code git@host:path} is left alone. */
    static String stripCredentials(String url) {
        if (url == null) {
            return null;
        }
        Matcher m = URL_USERINFO.matcher(url);
        return m.find() ? m.group(1) + url.substring(m.end()) : url;
    }

    /** A git checkout, read from its files. */
    private record Git(Path gitDir, Path commonDir) {
        static Git find(Path start) {
            Path d = start;
            for (int i = 0; i < MAX_PARENT_DIRS && d != null; i++, d = d.getParent()) {
                Path dotGit = d.resolve(".git");
                if (Files.isDirectory(dotGit)) {
                    return new Git(dotGit, commonDir(dotGit));
                }
                if (Files.isRegularFile(dotGit)) {
                    // worktree or submodule: "gitdir: <path>"
                    String line = firstLine(dotGit);
                    if (line != null && line.startsWith("gitdir:")) {
                        Path gd = d.resolve(line.substring("gitdir:".length()).trim()).normalize();
                        if (Files.isDirectory(gd)) {
                            return new Git(gd, commonDir(gd));
                        }
                    }
                    return null;
                }
            }
            return null;
        }

        private static Path commonDir(Path gitDir) {
            String common = firstLine(gitDir.resolve("commondir"));
            return common == null ? gitDir : gitDir.resolve(common).normalize();
        }

        String headRef() {
            String head = firstLine(gitDir.resolve("HEAD"));
            return head != null && head.startsWith("ref:") ? head.substring(4).trim() : null;
        }

        String branch() {
            String ref = headRef();
            if (ref == null) {
                return null; // detached
            }
            return ref.startsWith("refs/heads/") ? ref.substring("refs/heads/".length()) : ref;
        }

        String commit() {
            String head = firstLine(gitDir.resolve("HEAD"));
            if (head == null) {
                return null;
            }
            if (SHA.matcher(head).matches()) {
                return head;
            }
            String ref = headRef();
            if (ref == null || ref.contains("..")) {
                return null;
            }
            for (Path base : new Path[] {gitDir, commonDir}) {
                String v = firstLine(base.resolve(ref));
                if (v != null && SHA.matcher(v).matches()) {
                    return v;
                }
            }
            String packed = read(commonDir.resolve("packed-refs"));
            if (packed != null) {
                for (String l : packed.split("\n")) {
                    int sp = l.indexOf(' ');
                    if (sp > 0 && !l.startsWith("#") && !l.startsWith("^") && l.substring(sp + 1).trim().equals(ref)) {
                        String sha = l.substring(0, sp);
                        return SHA.matcher(sha).matches() ? sha : null;
                    }
                }
            }
            return null;
        }

        String originUrl() {
            String config = read(commonDir.resolve("config"));
            if (config == null) {
                return null;
            }
            boolean inOrigin = false;
            for (String raw : config.split("\n")) {
                String l = raw.trim();
                if (l.startsWith("[")) {
                    Matcher m = REMOTE_SECTION.matcher(l);
                    inOrigin = m.matches() && "origin".equals(m.group(1));
                    continue;
                }
                if (inOrigin) {
                    int eq = l.indexOf('=');
                    if (eq > 0 && l.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("url")) {
                        String v = l.substring(eq + 1).trim();
                        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                            v = v.substring(1, v.length() - 1);
                        }
                        return stripCredentials(v);
                    }
                }
            }
            return null;
        }
    }

    private static String firstLine(Path p) {
        String s = read(p);
        if (s == null) {
            return null;
        }
        int nl = s.indexOf('\n');
        String l = (nl < 0 ? s : s.substring(0, nl)).trim();
        return l.isEmpty() ? null : l;
    }

    private static String read(Path p) {
        try {
            if (!Files.isRegularFile(p) || Files.size(p) > 4 << 20) {
                return null;
            }
            return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
