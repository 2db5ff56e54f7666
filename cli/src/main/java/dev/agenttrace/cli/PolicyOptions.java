package dev.agenttrace.cli;

import dev.agenttrace.rules.LivePolicy;
import dev.agenttrace.rules.ScopeFirewall;
import dev.agenttrace.rules.scope.JudgeContext;
import dev.agenttrace.rules.scope.PolicyException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --policy} and {@code --root}, shared by record, audit and the policy commands. */
final class PolicyOptions {
    static final String DEFAULT_FILE = ".agent-scope.json";

    @Option(names = "--policy", paramLabel = "FILE",
            description = "Firewall policy (default: .agent-scope.json in the working directory, when present).")
    Path file;

    @Option(names = "--root", paramLabel = "DIR",
            description = "Project root that relative paths in tool calls are judged against (default: the working directory).")
    Path root;

    /** The policy file to use: the explicit one, else the default if it exists, else null. */
    Path resolveFile() {
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new UserError("--policy " + file + ": no such file. Create it (see README, 'Firewall') or drop --policy");
            }
            return file;
        }
        Path configured = Config.get().policy();
        if (configured != null) {
            if (!Files.isRegularFile(configured)) {
                throw new UserError("policy " + configured + " (in " + Config.get().source() + "): no such file. "
                        + "Create it (see README, 'Firewall') or remove the key");
            }
            return configured;
        }
        Path dflt = Path.of(DEFAULT_FILE);
        return Files.isRegularFile(dflt) ? dflt : null;
    }

    JudgeContext context(Path rootOverride) {
        Path r = rootOverride != null ? rootOverride : root != null ? root : Path.of("");
        return new JudgeContext(r.toAbsolutePath().normalize(), Path.of(System.getProperty("user.home")));
    }

    /** Loads the policy for a proxy, watched for edits; null when there is none. */
    LivePolicy loadLive(PrintStream err) {
        return loadLive(err, false);
    }

    /** @param allowLoosening apply loosening edits while running ({@code --allow-live-loosening}) */
    LivePolicy loadLive(PrintStream err, boolean allowLoosening) {
        Path f = resolveFile();
        if (f == null) {
            return null;
        }
        try {
            return LivePolicy.load(f.toAbsolutePath(), context(null), err, 500, allowLoosening);
        } catch (PolicyException e) {
            throw new UserError(e.getMessage());
        }
    }

    /** Loads the policy once (audit, explain); {@code required} makes a missing file an error. */
    ScopeFirewall load(Path explicit, Path rootOverride) {
        Path f = explicit != null ? explicit : resolveFile();
        if (f == null) {
            throw new UserError("no policy: name one with --policy FILE, or create " + DEFAULT_FILE + " in the working directory");
        }
        if (!Files.isRegularFile(f)) {
            throw new UserError(f + ": no such policy file");
        }
        try {
            return ScopeFirewall.load(f, context(rootOverride));
        } catch (PolicyException e) {
            throw new UserError(e.getMessage());
        }
    }
}
