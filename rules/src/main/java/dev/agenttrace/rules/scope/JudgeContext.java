package dev.agenttrace.rules.scope;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where a call is judged from: paths are relative to {@code root}, {@code ~} is {@code home}.
 * Both are resolved to real paths when the context is made, once, so a project reached through a
 * symlink ({@code /tmp} on macOS) still contains its own files.
 *
 * @param root the project root: the proxy's working directory or {@code --root}
 * @param home the user's home directory
 */
public record JudgeContext(Path root, Path home) {

    public JudgeContext {
        root = real(root);
        home = real(home);
    }

    /** The current working directory and {@code user.home}. */
    public static JudgeContext forCurrentProcess() {
        return new JudgeContext(Path.of(""), Path.of(System.getProperty("user.home")));
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
