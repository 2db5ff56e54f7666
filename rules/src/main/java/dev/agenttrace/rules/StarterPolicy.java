package dev.agenttrace.rules;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The policy {@code agent-trace policy init} writes: reads of secrets denied (environment files,
 * private keys, cloud and registry credentials), writes kept inside the project and the temporary
 * directories (so {@code rm -rf} outside the project is refused), the agents' hook and MCP
 * configuration, the firewall's own files, git's hooks and the shell start-up files write-protected,
 * destructive git commands denied, the network limited to this machine, the package registries and
 * the code hosts. Every rule carries a {@code $comment} that says why; the text parses with the
 * strict {@link dev.agenttrace.rules.scope.ScopePolicyParser}.
 */
public final class StarterPolicy {
    private static final String RESOURCE = "starter-policy.json";

    private StarterPolicy() {
    }

    /** The policy file's text, as written (UTF-8, ending in a newline). */
    public static String text() {
        try (InputStream in = StarterPolicy.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the rules jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
