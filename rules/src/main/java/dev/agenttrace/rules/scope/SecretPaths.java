package dev.agenttrace.rules.scope;

import dev.agenttrace.rules.scope.paths.NormalisedPath;
import dev.agenttrace.rules.scope.paths.PathGlob;
import dev.agenttrace.rules.scope.paths.PathNormaliser;
import java.util.ArrayList;
import java.util.List;

/**
 * Paths that hold secrets: environment files, private keys, credential stores. A learned policy
 * ({@code agent-trace policy suggest}) never allows them, whatever the agent did, and denies them
 * for reading and writing; an agent that read {@code .env} once is exactly what such a policy is
 * for. Written as deny globs in the policy syntax ({@link PathGlob}), so the deny rules a
 * suggestion carries are these texts, matched by the same evaluator.
 */
public final class SecretPaths {
    /** Deny-style globs: a name without {@code /} matches at any depth, a directory covers what is below it. */
    public static final List<String> GLOBS = List.of(".env", ".env.*", "*.env", ".envrc", "*.pem", "*.key", "*.p12", "*.pfx",
            "*.jks", "*.keystore", "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*", ".ssh", ".gnupg", ".aws", ".azure",
            "**/.config/gcloud", "**/.kube/config", "**/.docker/config.json", ".netrc", ".pgpass", ".git-credentials", ".npmrc",
            ".pypirc", "credentials", "credentials.*", "*.credentials", "secrets", "secrets.*", "*.secret", "*.secrets");
    private static final List<PathGlob> COMPILED = compile();

    private SecretPaths() {
    }

    private static List<PathGlob> compile() {
        List<PathGlob> out = new ArrayList<>();
        for (String g : GLOBS) {
            out.add(PathGlob.compile(g, true));
        }
        return List.copyOf(out);
    }

    /** The secrets glob a path (as a call or a policy names it) matches, or null. */
    public static String matching(String path, PathNormaliser paths) {
        for (NormalisedPath reading : paths.readings(path)) {
            if (!reading.isValid()) {
                continue;
            }
            for (PathGlob g : COMPILED) {
                if (g.matches(reading, paths, false)) {
                    return g.text();
                }
            }
        }
        return null;
    }

    /** True if the text is one of {@link #GLOBS}: a deny rule that keeps a secret out of reach. */
    public static boolean isSecretGlob(String pattern) {
        return pattern != null && GLOBS.contains(pattern);
    }
}
