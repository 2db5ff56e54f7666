package dev.agenttrace.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.rules.ScopeFirewall;
import dev.agenttrace.rules.scope.Decision;
import dev.agenttrace.store.TraceJson;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agent-trace policy init|check|explain|suggest|diff}: start from a starter policy, test a policy before trusting it, learn one, compare two. */
@Command(name = "policy", mixinStandardHelpOptions = true,
        description = "Write a starter firewall policy, validate one, see what it decides for a call, learn one from recorded sessions, or compare two.",
        subcommands = {PolicyInitCommand.class, PolicyCommand.Check.class, PolicyCommand.Explain.class, PolicySuggestCommand.class, PolicyDiffCommand.class})
final class PolicyCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (init, check, explain, suggest, diff)");
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validate a policy file; print what it enforces. Exit 0 if valid, 2 with file:line:column and the fix if not.")
    static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "0..1", description = "Policy file (default: --policy, else .agent-scope.json).")
        Path file;

        @Mixin
        PolicyOptions policy;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ScopeFirewall fw = policy.load(file, null);
            PrintWriter out = spec.commandLine().getOut();
            out.println("valid: " + (file != null ? file : policy.resolveFile()));
            out.println(fw.describe());
            out.flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "explain", mixinStandardHelpOptions = true,
            description = "Print the decision for one tool call and the rule that made it. Exit 0 if allowed, 1 if blocked.")
    static final class Explain implements Callable<Integer> {
        @Option(names = "--tool", required = true, paramLabel = "NAME", description = "Tool name, e.g. Bash, read_file, write_file.")
        String tool;

        @Option(names = "--args", paramLabel = "JSON", defaultValue = "{}", description = "The call's arguments as a JSON object.")
        String args;

        @Option(names = "--json", description = "Print the decision as JSON.")
        boolean json;

        @Parameters(paramLabel = "FILE", arity = "0..1", description = "Policy file (default: --policy, else .agent-scope.json).")
        Path file;

        @Mixin
        PolicyOptions policy;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode arguments;
            try {
                arguments = TraceJson.mapper().readTree(args);
            } catch (JsonProcessingException e) {
                throw new UserError("--args is not valid JSON: " + e.getOriginalMessage() + ". Pass an object, e.g. --args '{\"command\":\"ls\"}'");
            }
            if (arguments == null || !arguments.isObject()) {
                throw new UserError("--args must be a JSON object, e.g. --args '{\"file_path\":\"src/a.py\"}'");
            }
            Decision d = policy.load(file, null).judge(tool, arguments);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(d.toJson().toPrettyString());
            } else {
                out.println((d.blocked() ? "BLOCK  " : "ALLOW  ") + d.reason());
                if (d.rule() != null) {
                    out.println("rule   " + d.rule().display());
                }
                if (d.argument() != null) {
                    out.println("arg    " + d.argument() + (d.value() == null ? "" : " = " + d.value()));
                }
                if (d.note() != null) {
                    out.println("note   " + d.note());
                }
            }
            out.flush();
            return d.blocked() ? ExitCodes.FOUND : ExitCodes.OK;
        }
    }
}
