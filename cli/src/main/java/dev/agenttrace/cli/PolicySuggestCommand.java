package dev.agenttrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.rules.scope.PolicyException;
import dev.agenttrace.rules.scope.ScopePolicy;
import dev.agenttrace.rules.scope.ScopePolicyParser;
import dev.agenttrace.rules.suggest.PolicySuggester;
import dev.agenttrace.store.SessionCoverage;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceJson;
import dev.agenttrace.store.TraceStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agent-trace policy suggest}: a policy learned from what the agent really did. */
@Command(name = "suggest", mixinStandardHelpOptions = true,
        description = {"Learn a firewall policy from recorded tool calls (MCP proxy and hook sessions): the commands and subcommands run,",
                "the paths read and written (a directory becomes dir/** once " + PolicySuggester.DIRECTORY_THRESHOLD
                        + " distinct paths under it were touched), the hosts reached.",
                "Secrets-bearing paths (.env*, keys, credentials) are denied whatever the agent did; calls the firewall cannot see",
                "(undetermined) are listed for a person, never allowed. Each rule's $comment says how many calls in how many sessions support it.",
                "The policy goes to stdout (or -o FILE), the report to stderr (stdout with -o). Start it in shadow mode:",
                "  agent-trace record --policy-mode shadow --policy FILE -- <server...>   then audit/diff, then enforce.",
                "Exit 0 with a suggestion, 1 on failure, 2 for bad input (no session, -o FILE exists without --force, a bad --merge policy)."})
final class PolicySuggestCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SESSION", arity = "0..*", description = "Session ids or prefixes ('latest' too); default: every session.")
    List<String> sessions;

    @Mixin
    SessionSelection selection;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the policy to FILE (refused if it exists, unless --force).")
    Path output;

    @Option(names = "--force", description = "Let -o replace an existing file.")
    boolean force;

    @Option(names = "--merge", paramLabel = "EXISTING",
            description = "Add what the calls need to this policy: its rules are kept, its denies, deny_all and protect never loosened.")
    Path merge;

    @Option(names = "--root", paramLabel = "DIR", description = "Judge every session against this project root (default: the directory each was recorded in).")
    Path root;

    @Mixin
    TraceDirOption traceDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (output != null && Files.exists(output) && !force) {
            throw new UserError("-o " + output + ": the file exists; pass --force to replace it, or name another file");
        }
        ScopePolicy base = null;
        JsonNode baseTree = null;
        if (merge != null) {
            try {
                base = ScopePolicyParser.parse(merge);
            } catch (PolicyException e) {
                throw new UserError("--merge " + e.getMessage());
            }
            String text = Files.readString(merge);
            baseTree = text.isBlank() ? null : TraceJson.mapper().readTree(text);
        }
        TraceStore store = traceDir.store();
        List<SessionMeta> chosen = selection.select(store, sessions);
        if (chosen.isEmpty()) {
            throw new UserError("no sessions" + selection.describe() + " in " + traceDir.resolve().toAbsolutePath()
                    + ": record some first (agent-trace record, or hooks), or widen the selection");
        }
        PrintWriter err = spec.commandLine().getErr();
        PolicySuggester suggester = new PolicySuggester(Path.of(System.getProperty("user.home")), root, base, baseTree);
        int unreadable = 0;
        for (SessionMeta m : chosen) {
            List<String> warnings = suggester.add(store, m);
            for (String w : warnings) {
                err.println("agent-trace: " + w);
            }
            if (SessionCoverage.of(store, m, warnings).unreadable() != null) {
                unreadable++;
            }
        }
        PolicySuggester.Suggestion s = suggester.suggest();
        PrintWriter report;
        if (output != null) {
            Path target = output.toAbsolutePath();
            Path temp = Files.createTempFile(target.getParent(), ".agent-scope-", ".tmp");
            try {
                Files.writeString(temp, s.json());
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
            report = spec.commandLine().getOut();
        } else {
            spec.commandLine().getOut().print(s.json());
            spec.commandLine().getOut().flush();
            report = err;
        }
        report(report, s, output);
        if (unreadable > 0) {
            report.printf("%d session%s could not be read at all: nothing was learned from %s%n", unreadable, unreadable == 1 ? "" : "s",
                    unreadable == 1 ? "it" : "them");
            report.flush();
        }
        return ExitCodes.OK;
    }

    private void report(PrintWriter out, PolicySuggester.Suggestion s, Path written) {
        out.printf("learned from %d tool calls in %d sessions%s%n", s.calls(), s.sessions(), merge == null ? "" : ", added to " + merge);
        if (written != null) {
            out.println("wrote " + written);
        }
        if (!s.rules().isEmpty()) {
            out.println("rules (calls in sessions that support them):");
            for (PolicySuggester.Rule r : s.rules()) {
                out.printf("  %-18s %-32s %s%n", r.section(), "\"" + r.pattern() + "\"", r.evidence());
            }
        }
        if (!s.secrets().isEmpty()) {
            out.println("blocked because they touch secrets-bearing paths (never allowed by a suggestion):");
            for (PolicySuggester.Refusal r : s.secrets()) {
                out.printf("  %s: %s (%s)%n", r.tool(), r.why(), r.evidence());
            }
        }
        if (!s.forAPerson().isEmpty()) {
            out.println("for a person to decide (not allowed; also in the policy's $comment):");
            for (PolicySuggester.Refusal r : s.forAPerson()) {
                out.printf("  %s: %s (%s)%n", r.tool(), r.why(), r.evidence());
            }
        }
        String file = written != null ? written.toString() : "FILE";
        out.println("next: agent-trace record --policy-mode shadow --policy " + file + " -- <server...>  (observe), "
                + "agent-trace audit --policy " + file + " --all, then enforce");
        out.flush();
    }
}
