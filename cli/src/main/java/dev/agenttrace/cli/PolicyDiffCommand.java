package dev.agenttrace.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.rules.compare.PolicyComparison;
import dev.agenttrace.rules.scope.PolicyException;
import dev.agenttrace.rules.scope.ScopePolicy;
import dev.agenttrace.rules.scope.ScopePolicyParser;
import dev.agenttrace.store.SessionCoverage;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceJson;
import dev.agenttrace.store.TraceStore;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agent-trace policy diff OLD NEW}: what a policy change would change, before making it. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"Compare two policies: the rules added and removed (and what loosens), and, replayed over recorded sessions",
                "(every session unless --sessions, --last, --since or --agent narrow it), the calls each version blocks that the other does not.",
                "Exit 0 if NEW blocks no recorded call that OLD allows, 1 if it blocks some (or a session could not be read),",
                "2 for bad input (a missing or invalid policy, an unknown session)."})
final class PolicyDiffCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "OLD", description = "The policy in force.")
    Path oldFile;

    @Parameters(index = "1", paramLabel = "NEW", description = "The policy proposed.")
    Path newFile;

    @Option(names = "--sessions", paramLabel = "ID", split = ",", description = "Replay only these sessions (ids or prefixes, comma-separated or repeated).")
    List<String> sessions;

    @Mixin
    SessionSelection selection;

    @Option(names = "--root", paramLabel = "DIR", description = "Judge every session against this project root (default: the directory each was recorded in).")
    Path root;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Mixin
    TraceDirOption traceDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ScopePolicy before = load(oldFile, "OLD");
        ScopePolicy after = load(newFile, "NEW");
        List<PolicyComparison.RuleChange> changes = PolicyComparison.rules(before, after);
        List<String> loosens = PolicyComparison.loosening(before, after);
        TraceStore store = traceDir.store();
        List<SessionMeta> chosen = Files.isDirectory(store.dir()) || sessions != null ? selection.select(store, sessions) : List.of();
        PolicyComparison.Replay replay = PolicyComparison.replay(store, chosen, before, after, root, Path.of(System.getProperty("user.home")));
        int unreadable = 0;
        for (SessionMeta m : chosen) {
            if (SessionCoverage.of(store, m, List.of()).unreadable() != null) {
                unreadable++;
            }
        }
        for (String w : replay.warnings()) {
            spec.commandLine().getErr().println("agent-trace: " + w);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = TraceJson.mapper().createObjectNode();
            o.put("old", oldFile.toString());
            o.put("new", newFile.toString());
            ArrayNode rules = o.putArray("rules");
            for (PolicyComparison.RuleChange c : changes) {
                rules.addObject().put("change", String.valueOf(c.sign())).put("section", c.section()).put("rule", c.text());
            }
            ArrayNode l = o.putArray("loosens");
            loosens.forEach(l::add);
            o.put("sessions", replay.sessions());
            o.put("tool_calls", replay.calls());
            o.put("unreadable_sessions", unreadable);
            calls(o.putArray("newly_blocked"), replay.newlyBlocked());
            calls(o.putArray("no_longer_blocked"), replay.noLongerBlocked());
            out.println(o.toPrettyString());
        } else {
            out.printf("rules: %s -> %s%n", oldFile, newFile);
            if (changes.isEmpty()) {
                out.println("  no change");
            }
            for (PolicyComparison.RuleChange c : changes) {
                out.println("  " + c.display());
            }
            if (!loosens.isEmpty()) {
                out.println("loosens (a running proxy refuses this edit without --allow-live-loosening):");
                loosens.forEach(x -> out.println("  " + x));
            }
            out.printf("replayed over %d sessions, %d tool calls%n", replay.sessions(), replay.calls());
            print(out, "NEW blocks " + replay.newlyBlocked().size() + " calls that OLD allows", replay.newlyBlocked());
            print(out, "NEW allows " + replay.noLongerBlocked().size() + " calls that OLD blocks", replay.noLongerBlocked());
            if (unreadable > 0) {
                out.printf("%d session%s could not be read at all: not replayed (exit 1)%n", unreadable, unreadable == 1 ? "" : "s");
            }
        }
        out.flush();
        return unreadable > 0 ? ExitCodes.FAILURE : !replay.newlyBlocked().isEmpty() ? ExitCodes.FOUND : ExitCodes.OK;
    }

    private static ScopePolicy load(Path file, String which) {
        try {
            return ScopePolicyParser.parse(file);
        } catch (PolicyException e) {
            throw new UserError(which + " " + e.getMessage());
        }
    }

    private static void print(PrintWriter out, String title, List<PolicyComparison.CallChange> calls) {
        out.println(title + (calls.isEmpty() ? "" : ":"));
        for (PolicyComparison.CallChange c : calls) {
            out.printf("  session %s  event %s  %s  %-10s %s%n", c.sessionId(), c.eventId(), Format.time(c.timestamp()), c.tool(),
                    c.decision().reason());
            if (c.decision().rule() != null) {
                out.printf("  %s rule: %s%n", " ".repeat(20), c.decision().rule().display());
            }
        }
    }

    private static void calls(ArrayNode into, List<PolicyComparison.CallChange> calls) {
        for (PolicyComparison.CallChange c : calls) {
            ObjectNode o = into.addObject();
            o.put("session_id", c.sessionId());
            o.put("event_id", c.eventId());
            o.put("timestamp", c.timestamp());
            o.put("tool_name", c.tool());
            o.set("arguments", c.arguments());
            o.set("decision", c.decision().toJson());
        }
    }
}
