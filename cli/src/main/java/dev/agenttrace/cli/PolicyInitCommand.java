package dev.agenttrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.rules.StarterPolicy;
import dev.agenttrace.rules.config.AgentTraceConfig;
import dev.agenttrace.rules.scope.PolicyException;
import dev.agenttrace.rules.scope.ScopePolicyParser;
import dev.agenttrace.store.TraceJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code agent-trace policy init}: writes the starter {@code .agent-scope.json} into the project
 * (the git root of the directory), and its mode ({@code policy_mode}, shadow unless {@code --enforce})
 * into the project's {@code .agent-trace.json}, which every command started in the project reads.
 */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Write a starter .agent-scope.json into the project: secrets unreadable, writes kept in the project, "
                + "hook configs and shell start-up files write-protected, destructive git denied, the network limited; "
                + "in shadow mode (record what it would block) unless --enforce. Refuses to replace files without --force.")
final class PolicyInitCommand implements Callable<Integer> {
    @Option(names = "--dir", paramLabel = "DIR", description = "A directory of the project (default: the working directory); "
            + "the files go to its git root, else to DIR itself.")
    Path dir;

    @Option(names = "--force", description = "Replace an existing .agent-scope.json, and a different policy_mode in .agent-trace.json.")
    boolean force;

    @Option(names = "--enforce", description = "Refuse the calls the policy forbids (default: shadow, record them as would-be blocked).")
    boolean enforce;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Path start = (dir != null ? dir : Path.of("")).toAbsolutePath().normalize();
        if (!Files.isDirectory(start)) {
            throw new UserError("--dir " + start + ": no such directory");
        }
        Path root = projectRoot(start.toRealPath());
        Path policyFile = root.resolve(".agent-scope.json");
        Path configFile = root.resolve(AgentTraceConfig.PROJECT_FILE);
        String mode = enforce ? "enforce" : "shadow";

        if (Files.exists(policyFile) && !force) {
            throw new UserError(policyFile + " exists; pass --force to replace it (or compare first: agent-trace policy check "
                    + policyFile + ")");
        }
        String policyText = StarterPolicy.text();
        try {
            ScopePolicyParser.parse(policyText, policyFile.toString());
        } catch (PolicyException e) {
            throw new IllegalStateException("the starter policy does not parse: " + e.getMessage(), e);
        }
        String configText = configWithMode(configFile, mode);

        writeAtomically(policyFile, policyText);
        boolean configChanged = configText != null;
        if (configChanged) {
            writeAtomically(configFile, configText);
        }

        PrintWriter out = spec.commandLine().getOut();
        out.println("wrote " + policyFile);
        out.println("  reads of .env files, private keys and cloud, registry and SSH credentials: denied");
        out.println("  writes outside the project and /tmp (rm -rf included): denied; hook configs, the firewall's files,");
        out.println("  git hooks and shell start-up files: write-protected");
        out.println("  git push --force, reset --hard, clean -f, branch -D, stash drop/clear, sudo: denied");
        out.println("  network: this machine, the package registries and the code hosts only");
        out.println((configChanged ? "wrote " : "kept ") + configFile + ": policy_mode " + mode
                + (mode.equals("shadow") ? " (forbidden calls still run, and are recorded as would-be blocked)"
                : " (forbidden calls are refused)"));
        out.println();
        out.println("Next:");
        out.println("  agent-trace policy check " + policyFile + "        what it enforces; edit the file to fit the project");
        out.println("  agent-trace policy explain --tool Bash --args '{\"command\":\"cat .env\"}'   the rule that decides one call");
        out.println("  agent-trace setup claude-code --project        judge the agent's own tools (Bash, Read, Write, ...)");
        out.println("  agent-trace import --claude-code --project " + root + "   past Claude Code sessions into the store");
        out.println("  agent-trace audit --all --policy " + policyFile + "   what this policy would have blocked in them");
        if (mode.equals("shadow")) {
            out.println("  when audit blocks only what should be blocked: set \"policy_mode\": \"enforce\" in " + configFile);
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** The nearest directory at or above {@code dir} holding {@code .git}, else {@code dir}. */
    static Path projectRoot(Path dir) {
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.exists(p.resolve(".git"))) {
                return p;
            }
        }
        return dir;
    }

    /** The config file's new text with {@code policy_mode}, or null when it already says so. */
    private String configWithMode(Path file, String mode) throws IOException {
        if (!Files.exists(file)) {
            return "{\n  \"policy_mode\": \"" + mode + "\"\n}\n";
        }
        try {
            AgentTraceConfig.read(file, Path.of(System.getProperty("user.home")));
        } catch (dev.agenttrace.rules.config.ConfigException e) {
            throw new UserError(e.getMessage() + " (fix " + file + " first: policy init sets policy_mode in it)");
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        JsonNode tree = text.isBlank() ? TraceJson.mapper().createObjectNode() : TraceJson.mapper().readTree(text);
        if (!(tree instanceof ObjectNode config)) {
            throw new UserError(file + " is not a JSON object; fix it first: policy init sets policy_mode in it");
        }
        JsonNode current = config.get("policy_mode");
        if (current != null && current.asText().equals(mode)) {
            return null;
        }
        if (current != null && !force) {
            throw new UserError(file + " sets policy_mode \"" + current.asText() + "\"; pass --force to make it \"" + mode
                    + "\"" + (mode.equals("shadow") ? ", or --enforce to keep enforcing" : ""));
        }
        config.put("policy_mode", mode);
        return TraceJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(config) + "\n";
    }

    private static void writeAtomically(Path target, String text) throws IOException {
        Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName() + "-", ".tmp");
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
