package dev.agenttrace.rules.scope;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.rules.scope.paths.PathNormaliser;

/**
 * The one evaluator of {@code .agent-scope.json}: the proxies call it inline before forwarding a
 * {@code tools/call}, {@code agent-trace watch} calls it on a live session, {@code agent-trace
 * audit} on stored ones. There is no other copy of these rules.
 *
 * <p>How a call is judged:
 * <ol>
 *   <li>The {@link ToolTable} says which arguments are file reads, file writes, commands and URLs.
 *       A tool it does not know is judged heuristically on every string argument, at any depth:
 *       a {@code scheme://} value is a URL; a value under a key like {@code command}/{@code cmd}/
 *       {@code script} is a command; a value under a key that names a path ({@code *path*},
 *       {@code *file*}, {@code *dir*}, {@code source}, {@code target}, ...) or that looks like one
 *       ({@code /...}, {@code ~/...}, {@code ./...}, {@code ../...}, {@code .env}) is read, and also
 *       written when the tool or key name suggests writing ({@code write}, {@code delete},
 *       {@code move}, {@code destination}, ...); a value under {@code host}/{@code hostname}/
 *       {@code domain} or {@code url}/{@code uri}/{@code endpoint} is a host. The decision's
 *       {@code note} says the call was judged this way.</li>
 *   <li>Paths are normalised ({@link PathNormaliser}) and matched against
 *       {@code files.read|write}: deny first (deny beats allow), then, if the allow list is
 *       non-empty, the path must match one of its patterns. A path outside the root matches no
 *       relative allow pattern; only an absolute ({@code /tmp/**}) or home ({@code ~/x/**}) allow
 *       pattern, written on purpose, can admit it. A path holding a NUL byte is blocked whenever
 *       the policy has file rules.</li>
 *   <li>Commands are split into simple commands ({@link dev.agenttrace.rules.scope.shell.ShellParser}),
 *       wrappers peeled off ({@link dev.agenttrace.rules.scope.shell.CommandUnwrapper}); every layer
 *       ({@code sudo}, {@code env}, the program) is checked against {@code commands.deny}, and the
 *       innermost program against a non-empty {@code commands.allow}; {@code bash -c}, {@code eval}
 *       and friends are transparent to the allow list, their scripts are judged instead. When the
 *       policy has command rules, a program whose name is only known at run time ({@code $X args})
 *       and a shell reading its script from a pipe ({@code curl x | sh}) are blocked, since
 *       neither can be judged. The files a command reads and writes
 *       ({@link dev.agenttrace.rules.scope.shell.CommandFileAccess}) are judged as file accesses,
 *       and the hosts it contacts
 *       ({@link dev.agenttrace.rules.scope.shell.CommandNetworkAccess}) as network accesses.</li>
 *   <li>With {@code network.deny_all}, every host a URL could reach must match
 *       {@code network.allow} ({@link dev.agenttrace.rules.scope.network.HostPattern}).</li>
 * </ol>
 * The first blocking finding, in argument order, decides.
 *
 * <p>Immutable and thread-safe: all patterns were compiled when the policy was parsed.
 */
public final class ScopeEvaluator {
    private final ScopePolicy policy;
    /** The protected locations of the last context judged in: contexts are few and long-lived. */
    private volatile Protection protection;

    private record Protection(JudgeContext context, ProtectedPaths paths) {
    }

    public ScopeEvaluator(ScopePolicy policy) {
        this.policy = policy;
    }

    private ProtectedPaths protection(JudgeContext context) {
        Protection p = protection;
        if (p == null || !p.context().equals(context)) {
            p = new Protection(context, new ProtectedPaths(context));
            protection = p;
        }
        return p.paths();
    }

    public ScopePolicy policy() {
        return policy;
    }

    /**
     * @param toolName  the {@code tools/call} name
     * @param arguments its {@code arguments} (an object; null or another type counts as no arguments)
     * @param context   the project root and home directory
     */
    public Decision judge(String toolName, JsonNode arguments, JudgeContext context) {
        PathNormaliser paths = PathNormaliser.ofRealPaths(context.root(), context.home(), context.serverHome()).forOneCall();
        return new CallJudgement(policy, toolName == null ? "" : toolName, arguments, paths, protection(context)).run();
    }

    /**
     * What the call may do to the file system ({@link Effect}), from the tool table alone: a tool
     * whose every argument is a read is {@link Effect#READS}, one declared to touch nothing is
     * {@link Effect#NONE}, and every other tool, known or not, {@link Effect#CHANGES}. Costs one
     * table look-up.
     */
    public Effect effect(String toolName) {
        var spec = policy.tools().lookup(toolName);
        if (spec.isEmpty()) {
            return Effect.CHANGES;
        }
        Effect e = Effect.NONE;
        for (ArgumentBinding b : spec.get().arguments()) {
            switch (b.kind()) {
                case FILE_READ, TREE_READ, URL -> e = Effect.READS;
                default -> {
                    return Effect.CHANGES;
                }
            }
        }
        return e;
    }
}
