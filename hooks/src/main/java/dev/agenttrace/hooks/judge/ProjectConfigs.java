package dev.agenttrace.hooks.judge;

import dev.agenttrace.rules.LivePolicy;
import dev.agenttrace.rules.PolicyMode;
import dev.agenttrace.rules.config.AgentTraceConfig;
import dev.agenttrace.rules.config.ConfigException;
import dev.agenttrace.rules.scope.JudgeContext;
import dev.agenttrace.rules.scope.PolicyException;
import dev.agenttrace.rules.watch.WatchConfig;
import dev.agenttrace.rules.watch.WatchConfigException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which policy and breakers judge a session: {@code .agent-scope.json} (and {@code .agent-watch.json}
 * / {@code .watch-rules.json}) in the session's working directory, else in its git root, else the
 * user's defaults ({@code ~/.config/agent-trace/agent-scope.json}, {@code agent-watch.json}, or
 * what {@code serve --policy/--watch} names). A session keeps the project it started in: an agent
 * that {@code cd}s elsewhere cannot pick a laxer policy. The project's {@code .agent-trace.json}
 * may set its {@code policy_mode} (unless serve was started with an explicit {@code --policy-mode}). Policies are watched for edits
 * ({@link LivePolicy}); one copy per file and project root is shared by all its sessions.
 */
public final class ProjectConfigs implements AutoCloseable {
    public static final String POLICY_FILE = ".agent-scope.json";

    /**
     * @param root          where relative paths in tool calls are judged from
     * @param policyFile    the policy in force, or null when none applies
     * @param policy        the loaded policy, or null (none, or it failed to load)
     * @param policyProblem why the policy could not be loaded ({@code file:line:column: ...}), or null
     * @param watch         the breakers, or null when none apply
     * @param watchProblem  why the watch configuration could not be loaded, or null
     * @param mode          the project's own {@code policy_mode} ({@code .agent-trace.json} between the
     *                      working directory and its git root), or null when it sets none
     */
    public record Project(Path root, Path policyFile, LivePolicy policy, String policyProblem, WatchConfig watch, String watchProblem,
                          PolicyMode mode) {
    }

    private final Path defaultPolicy;
    private final Path defaultWatch;
    private final PrintStream err;
    private final Path home = Path.of(System.getProperty("user.home"));
    private final ConcurrentHashMap<String, Object> policies = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Object> watches = new ConcurrentHashMap<>();

    /**
     * @param defaultPolicy the policy for projects that have none (null: the user's default file, if it exists)
     * @param defaultWatch  the breakers for projects that have none (null: the user's default file, if it exists)
     */
    public ProjectConfigs(Path defaultPolicy, Path defaultWatch, PrintStream err) {
        this.defaultPolicy = defaultPolicy != null ? defaultPolicy : userConfig("agent-scope.json");
        this.defaultWatch = defaultWatch != null ? defaultWatch : userConfig("agent-watch.json");
        this.err = err;
    }

    /** {@code $XDG_CONFIG_HOME/agent-trace/NAME}, else {@code ~/.config/agent-trace/NAME}. */
    public static Path userConfig(String name) {
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("agent-trace").resolve(name);
    }

    /** The project of a session that started in {@code cwd} (null or not a directory: the defaults, judged from serve's own directory). */
    public Project forCwd(String cwd) {
        Path dir = directory(cwd);
        List<Path> candidates = new ArrayList<>(2);
        candidates.add(dir);
        Path git = gitRoot(dir);
        if (git != null && !git.equals(dir)) {
            candidates.add(git);
        }
        Path root = git != null ? git : dir;
        Path policyFile = null;
        for (Path c : candidates) {
            if (Files.isRegularFile(c.resolve(POLICY_FILE))) {
                policyFile = c.resolve(POLICY_FILE);
                root = c;
                break;
            }
        }
        if (policyFile == null && defaultPolicy != null && Files.isRegularFile(defaultPolicy)) {
            policyFile = defaultPolicy;
        }
        List<Path> watchFiles = new ArrayList<>();
        for (Path c : candidates) {
            watchFiles.addAll(WatchConfig.filesIn(c));
            if (!watchFiles.isEmpty()) {
                break;
            }
        }
        if (watchFiles.isEmpty() && defaultWatch != null && Files.isRegularFile(defaultWatch)) {
            watchFiles.add(defaultWatch);
        }
        LivePolicy policy = null;
        String policyProblem = null;
        if (policyFile != null) {
            Object p = policy(policyFile, root);
            if (p instanceof LivePolicy lp) {
                policy = lp;
            } else {
                policyProblem = (String) p;
            }
        }
        WatchConfig watch = null;
        String watchProblem = null;
        if (!watchFiles.isEmpty()) {
            Object w = watch(watchFiles);
            if (w instanceof WatchConfig wc) {
                watch = wc;
            } else {
                watchProblem = (String) w;
            }
        }
        PolicyMode mode = null;
        Path config = AgentTraceConfig.projectFile(dir);
        if (config != null) {
            try {
                String m = AgentTraceConfig.read(config, home).map(AgentTraceConfig::policyMode).orElse(null);
                mode = m == null ? null : PolicyMode.valueOf(m.toUpperCase(java.util.Locale.ROOT));
            } catch (ConfigException | IllegalArgumentException e) {
                // the file that chooses the mode cannot be read: nothing is judged by a guess (enforce refuses every call)
                policyProblem = policyProblem != null ? policyProblem : e.getMessage();
            }
        }
        return new Project(root, policyFile, policy, policyProblem, watch, watchProblem, mode);
    }

    private Object policy(Path file, Path root) {
        String key = file.toAbsolutePath().normalize() + "\u0000" + root;
        Object cached = policies.get(key);
        if (cached instanceof LivePolicy) {
            return cached;
        }
        // a policy that did not parse is tried again on the next session: the user may have fixed it
        try {
            LivePolicy lp = LivePolicy.load(file.toAbsolutePath().normalize(), new JudgeContext(root, home), err, 500);
            Object prev = policies.putIfAbsent(key, lp);
            if (prev instanceof LivePolicy other) {
                lp.close();
                return other;
            }
            policies.put(key, lp);
            return lp;
        } catch (PolicyException e) {
            return e.getMessage();
        }
    }

    private Object watch(List<Path> files) {
        String key = files.toString();
        Object cached = watches.get(key);
        if (cached instanceof WatchConfig) {
            return cached;
        }
        WatchConfig merged;
        try {
            merged = files.isEmpty() ? WatchConfig.empty() : WatchConfig.load(files);
        } catch (WatchConfigException e) {
            return e.getMessage();
        }
        watches.put(key, merged);
        return merged;
    }

    private static Path directory(String cwd) {
        if (cwd != null && !cwd.isBlank()) {
            try {
                Path p = Path.of(cwd);
                if (p.isAbsolute() && Files.isDirectory(p)) {
                    return p.toRealPath();
                }
            } catch (InvalidPathException | java.io.IOException | SecurityException e) {
                // not a usable directory: the defaults
            }
        }
        return Path.of("").toAbsolutePath();
    }

    /** The nearest directory at or above {@code dir} holding {@code .git} (a directory or a worktree's file), or null. */
    static Path gitRoot(Path dir) {
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.exists(p.resolve(".git"))) {
                return p;
            }
        }
        return null;
    }

    @Override
    public void close() {
        for (Object o : policies.values()) {
            if (o instanceof LivePolicy lp) {
                lp.close();
            }
        }
    }
}
