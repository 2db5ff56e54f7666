package dev.agenttrace.rules.scope;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a call is judged from: paths are relative to {@code root}, {@code ~} is {@code home}.
 * Both are resolved to real paths when the context is made, once, so a project reached through a
 * symlink ({@code /tmp} on macOS) still contains its own files.
 *
 * @param root        the project root: the proxy's working directory or {@code --root}
 * @param home        the user's home directory
 * @param protectedFiles files and directories no judged call may write whatever the policy says
 *                    (the policy file in force, the watch file, the trace store), beside the
 *                    names {@link ProtectedPaths} always protects
 * @param serverHome  the home directory of the server's environment when it differs from
 *                    {@code home} ({@code HOME} passed to the child), else null: {@code ~} is
 *                    judged under both
 */
public record JudgeContext(Path root, Path home, List<Path> protectedFiles, Path serverHome) {

    public JudgeContext {
        root = real(root);
        home = real(home);
        List<Path> files = new ArrayList<>();
        for (Path p : protectedFiles) {
            files.add(real(p));
        }
        protectedFiles = List.copyOf(files);
        serverHome = serverHome == null ? null : real(serverHome);
        if (home.equals(serverHome)) {
            serverHome = null;
        }
    }

    public JudgeContext(Path root, Path home) {
        this(root, home, List.of(), null);
    }

    /** The current working directory and {@code user.home}. */
    public static JudgeContext forCurrentProcess() {
        return new JudgeContext(Path.of(""), Path.of(System.getProperty("user.home")));
    }

    /** This context with more files that no call may write. */
    public JudgeContext protecting(Path... files) {
        List<Path> all = new ArrayList<>(protectedFiles);
        for (Path f : files) {
            if (f != null) {
                all.add(f);
            }
        }
        return new JudgeContext(root, home, all, serverHome);
    }

    /** This context with the server's own {@code $HOME}, when it is not the JVM's. */
    public JudgeContext withServerHome(Path serverHome) {
        return new JudgeContext(root, home, protectedFiles, serverHome);
    }

    private static Path real(Path p) {
        Path absolute = p.toAbsolutePath().normalize();
        try {
            return absolute.toRealPath();
        } catch (IOException | SecurityException e) {
            return absolute;
        }
    }
}
