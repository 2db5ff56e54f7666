package dev.agenttrace.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where the trace store is, and why there. The order, first match wins:
 * <ol>
 * <li>{@code --trace-dir D};</li>
 * <li>{@code $AGENT_TRACE_DIR};</li>
 * <li>{@code trace_dir} of the config file;</li>
 * <li>{@code .agent-traces} in the project root of the working directory: the nearest directory
 * at or above it that holds {@code .git}, {@code .agent-scope.json} or {@code .agent-traces},
 * else the working directory itself;</li>
 * <li>the per-user store {@code ~/.agent-traces}, when that project directory is the file-system
 * root or the home directory (an IDE that starts its servers there would scatter traces) or is not
 * writable.</li>
 * </ol>
 * {@link #why} says which rule chose the directory; the proxies print it on their start line and
 * the readers name it when they find nothing.
 */
public record StoreLocation(Path dir, String why) {
    public static final String DIR_NAME = TraceStore.DEFAULT_DIR_NAME;
    public static final String ENV = TraceStore.ENV_DIR;
    private static final String[] PROJECT_MARKERS = {".git", ".agent-scope.json", DIR_NAME};

    public StoreLocation {
        dir = dir.toAbsolutePath().normalize();
    }

    /** The store of this process: its working directory, environment and home. */
    public static StoreLocation resolve(Path explicit, Path configured, String configSource) {
        return resolve(explicit, System.getenv(), configured, configSource, Path.of("").toAbsolutePath(),
                Path.of(System.getProperty("user.home")));
    }

    public static StoreLocation resolve(Path explicit, Map<String, String> env, Path configured, String configSource,
            Path workingDir, Path home) {
        if (explicit != null) {
            return new StoreLocation(workingDir.resolve(explicit), "--trace-dir");
        }
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new StoreLocation(workingDir.resolve(fromEnv), "$" + ENV);
        }
        if (configured != null) {
            return new StoreLocation(configured, "trace_dir in " + configSource);
        }
        Path wd = workingDir.toAbsolutePath().normalize();
        Path project = projectRoot(wd);
        Path h = home.toAbsolutePath().normalize();
        if (project.getParent() == null) {
            return new StoreLocation(h.resolve(DIR_NAME), "the per-user store (the working directory is " + project + ")");
        }
        if (project.equals(h)) {
            return new StoreLocation(h.resolve(DIR_NAME), "the per-user store (the working directory is the home directory)");
        }
        if (!writable(project)) {
            return new StoreLocation(h.resolve(DIR_NAME), "the per-user store (" + project + " is not writable)");
        }
        return new StoreLocation(project.resolve(DIR_NAME),
                project.equals(wd) ? "the working directory" : "the project root of " + wd);
    }

    /**
     * The stores a reader reads ({@code list}, {@code show}, {@code mcp}, ...): every
     * {@code --trace-dir} given, in order, and nothing else; else the store a writer would choose
     * ({@link #resolve}) and, unless {@code $AGENT_TRACE_DIR} chose it, also the per-user store
     * {@code ~/.agent-traces} when that exists and is another directory.
     */
    public static List<StoreLocation> forReading(List<Path> explicit, Path configured, String configSource) {
        return forReading(explicit, System.getenv(), configured, configSource, Path.of("").toAbsolutePath(),
                Path.of(System.getProperty("user.home")));
    }

    public static List<StoreLocation> forReading(List<Path> explicit, Map<String, String> env, Path configured,
            String configSource, Path workingDir, Path home) {
        List<StoreLocation> out = new ArrayList<>();
        if (explicit != null && !explicit.isEmpty()) {
            for (Path p : explicit) {
                out.add(new StoreLocation(workingDir.resolve(p), "--trace-dir"));
            }
            return out;
        }
        StoreLocation primary = resolve(null, env, configured, configSource, workingDir, home);
        out.add(primary);
        String fromEnv = env.get(ENV);
        if (fromEnv == null || fromEnv.isBlank()) {
            Path user = home.toAbsolutePath().normalize().resolve(DIR_NAME);
            if (!user.equals(primary.dir()) && Files.isDirectory(user)) {
                out.add(new StoreLocation(user, USER_STORE_TOO));
            }
        }
        return out;
    }

    /** Why the per-user store is read beside the project's. */
    public static final String USER_STORE_TOO = "the per-user store, read too";

    /** The nearest directory at or above {@code wd} with a project marker, else {@code wd}. */
    static Path projectRoot(Path wd) {
        for (Path d = wd; d != null; d = d.getParent()) {
            for (String marker : PROJECT_MARKERS) {
                if (Files.exists(d.resolve(marker))) {
                    return d;
                }
            }
        }
        return wd;
    }

    private static boolean writable(Path project) {
        Path store = project.resolve(DIR_NAME);
        return Files.isDirectory(store) ? Files.isWritable(store) : Files.isWritable(project);
    }

    /** "DIR (why)", for start lines and messages. */
    public String describe() {
        return dir + " (" + why + ")";
    }

    /**
     * Creates the store directory when it is missing, with a {@code .gitignore} that keeps it out
     * of version control (written once: a user's edit of it stays). Returns true if it was created.
     */
    public static boolean prepare(Path dir) throws IOException {
        boolean created = !Files.isDirectory(dir);
        Files.createDirectories(dir);
        Path ignore = dir.resolve(".gitignore");
        if (created) {
            try {
                Files.writeString(ignore, "# agent-trace's trace store: recorded sessions stay out of version control\n*\n",
                        StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException raced) {
                // another proxy made the store at the same moment and wrote it
            }
        }
        return created;
    }
}
