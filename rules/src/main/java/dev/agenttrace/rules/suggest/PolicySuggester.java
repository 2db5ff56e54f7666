package dev.agenttrace.rules.suggest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.rules.SessionAudit;
import dev.agenttrace.rules.scope.CommandPattern;
import dev.agenttrace.rules.scope.Decision;
import dev.agenttrace.rules.scope.JudgeContext;
import dev.agenttrace.rules.scope.PolicyException;
import dev.agenttrace.rules.scope.PolicyLoosening;
import dev.agenttrace.rules.scope.ScopePolicy;
import dev.agenttrace.rules.scope.ScopePolicyParser;
import dev.agenttrace.rules.scope.SecretPaths;
import dev.agenttrace.rules.scope.network.HostPattern;
import dev.agenttrace.rules.scope.paths.PathGlob;
import dev.agenttrace.rules.scope.paths.PathNormaliser;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * {@code agent-trace policy suggest}: a {@code .agent-scope.json} learned from recorded tool calls
 * (MCP proxy and hook sessions alike), so that switching the firewall on does not start with a
 * blank page. What each call needs is asked of the firewall itself ({@link CallLearner}); the
 * answers are generalised only as far as the calls show ({@link PathGeneraliser},
 * {@link CommandGeneraliser}, hosts exactly); every rule carries, under {@code $comment}, how many
 * calls in how many sessions support it.
 *
 * <p>Never allowed by a suggestion, whatever the agent did: secrets-bearing paths
 * ({@link SecretPaths}, denied for reading and writing) and what the firewall cannot see (an
 * undetermined call, a protected file): those are listed for a person to decide. With a base
 * policy ({@code --merge}) its rules are all kept and only added to; its denies, {@code deny_all}
 * and {@code protect} are never loosened (checked with {@link PolicyLoosening} before the
 * suggestion is returned).
 *
 * <p>Before it is returned the suggestion is parsed like any policy file and replayed over the
 * sessions it came from with {@link SessionAudit}: a call it still blocks that is neither
 * secrets-bearing nor already listed is added to the list for a person, so the report never hides
 * a call the suggestion would break.
 */
public final class PolicySuggester {
    /** Distinct paths under a directory that make it {@code dir/**}; see {@link PathGeneraliser}. */
    public static final int DIRECTORY_THRESHOLD = 3;

    /** One rule of the suggestion and what supports it. */
    public record Rule(String section, String pattern, String evidence) {
    }

    /** Calls the suggestion does not allow, grouped by why. */
    public record Refusal(String tool, String why, String evidence, Set<String> calls) {
    }

    /**
     * @param json          the policy text, ready to write
     * @param policy        the same, parsed
     * @param rules         the rules it adds, with their evidence
     * @param forAPerson    calls left out for a person to decide (undetermined, protected, unreadable)
     * @param secrets       calls it blocks because they touch secrets-bearing paths
     */
    public record Suggestion(String json, ScopePolicy policy, int sessions, int calls, List<Rule> rules, List<Refusal> forAPerson,
                             List<Refusal> secrets, List<String> warnings) {
    }

    private record Session(TraceStore store, SessionMeta meta) {
    }

    private final Path home;
    private final Path rootOverride;
    private final ScopePolicy base;
    private final JsonNode baseTree;
    private final Map<String, Evidence> reads = new TreeMap<>();
    private final Map<String, Evidence> writes = new TreeMap<>();
    private final Map<String, Evidence> commands = new TreeMap<>();
    private final Map<String, Evidence> hosts = new TreeMap<>();
    private final Map<String, Evidence> secretReads = new TreeMap<>();
    private final Map<String, Evidence> secretWrites = new TreeMap<>();
    private final Map<String, Refusal> refusals = new LinkedHashMap<>();
    private final Map<String, Evidence> refusalEvidence = new LinkedHashMap<>();
    private final List<Session> sessions = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private int calls;

    /**
     * @param home         the directory {@code ~} expands to
     * @param rootOverride judge every session against this root, else each where it was recorded
     * @param base         the policy to add to ({@code --merge}), or null
     * @param baseTree     its JSON, for the parts kept verbatim ({@code tools}, {@code $schema}), or null
     */
    public PolicySuggester(Path home, Path rootOverride, ScopePolicy base, JsonNode baseTree) {
        this.home = home;
        this.rootOverride = rootOverride;
        this.base = base;
        this.baseTree = baseTree;
    }

    /** Learns from every tool call of a session; returns the store's warnings (a torn line, ...). */
    public List<String> add(TraceStore store, SessionMeta session) {
        sessions.add(new Session(store, session));
        JudgeContext context = new JudgeContext(SessionAudit.rootOf(session, rootOverride), home);
        PathNormaliser paths = PathNormaliser.ofRealPaths(context.root(), context.home());
        List<String> w = store.forEachEvent(session.sessionId, e -> {
            if (!EventTypes.TOOL_CALL.equals(e.eventType())) {
                return;
            }
            calls++;
            String tool = e.data().path("tool_name").asText("");
            CallLearner.Outcome o = CallLearner.learn(tool, e.data().get("arguments"), context, base);
            String sid = session.sessionId;
            String eid = e.eventId();
            if (o.refused() != null) {
                // refused whatever the allow rules say: what it touched supports no rule
                refuse(tool, o.refused().reason(), sid, eid);
                return;
            }
            for (String p : o.reads()) {
                String secret = SecretPaths.matching(p, paths);
                (secret != null ? secretReads.computeIfAbsent(secret, k -> new Evidence()) : reads.computeIfAbsent(p, k -> new Evidence()))
                        .add(sid, eid, p);
            }
            for (String p : o.writes()) {
                String secret = SecretPaths.matching(p, paths);
                (secret != null ? secretWrites.computeIfAbsent(secret, k -> new Evidence()) : writes.computeIfAbsent(p, k -> new Evidence()))
                        .add(sid, eid, p);
            }
            o.commands().forEach(c -> commands.computeIfAbsent(c, k -> new Evidence()).add(sid, eid, c));
            o.hosts().forEach(h -> hosts.computeIfAbsent(h, k -> new Evidence()).add(sid, eid, h));
        });
        warnings.addAll(w);
        return w;
    }

    private void refuse(String tool, String why, String sessionId, String eventId) {
        refusalEvidence.computeIfAbsent(tool + "\u0000" + why, k -> new Evidence()).add(sessionId, eventId, why);
    }

    /** The policy learned so far, checked and replayed over its sessions. */
    public Suggestion suggest() {
        Map<String, Evidence> unreadable = new TreeMap<>();
        Map<String, Evidence> commandPatterns = CommandGeneraliser.generalise(commands, unreadable);
        for (Map.Entry<String, Evidence> u : unreadable.entrySet()) {
            for (String call : u.getValue().callIds()) {
                int cut = call.lastIndexOf('/');
                refuse("command", "command \"" + u.getKey() + "\" does not read as one program a pattern can name",
                        call.substring(0, cut), call.substring(cut + 1));
            }
        }
        Map<String, Evidence> readGlobs = PathGeneraliser.generalise(reads, DIRECTORY_THRESHOLD);
        Map<String, Evidence> writeGlobs = PathGeneraliser.generalise(writes, DIRECTORY_THRESHOLD);
        List<Rule> rules = new ArrayList<>();
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ArrayNode header = root.putArray("$comment");
        if (baseTree != null && baseTree.hasNonNull("$schema")) {
            root.set("$schema", baseTree.get("$schema"));
        }
        ObjectNode files = root.putObject("files");
        fileSection(files.putObject("read"), "files.read", base == null ? List.of() : texts(base.read().allow(), PathGlob::text),
                base == null ? List.of() : texts(base.read().deny(), PathGlob::text), readGlobs, secretReads, "read", rules);
        fileSection(files.putObject("write"), "files.write", base == null ? List.of() : texts(base.write().allow(), PathGlob::text),
                base == null ? List.of() : texts(base.write().deny(), PathGlob::text), writeGlobs, secretWrites, "wrote", rules);
        commandSection(root.putObject("commands"), commandPatterns, rules);
        networkSection(root.putObject("network"), rules);
        if (base != null && !base.protect()) {
            root.put("protect", false);
        }
        if (baseTree != null && baseTree.has("tools")) {
            root.set("tools", baseTree.get("tools"));
        }
        ScopePolicy draft = parse(root.toPrettyString());
        // replay: what the suggestion still blocks, through the evaluator that will enforce it
        List<Refusal> secrets = new ArrayList<>();
        Map<String, Evidence> secretBlocks = new LinkedHashMap<>();
        Set<String> listed = new LinkedHashSet<>();
        refusalEvidence.values().forEach(e -> listed.addAll(e.callIds()));
        for (Session s : sessions) {
            SessionAudit.Report r = SessionAudit.audit(s.store(), s.meta(), draft, rootOverride, home);
            for (SessionAudit.Violation v : r.violations()) {
                Decision d = v.decision();
                String key = v.tool() + "\u0000" + d.reason();
                if (d.rule() != null && d.rule().section().endsWith(".deny") && SecretPaths.isSecretGlob(d.rule().pattern())) {
                    secretBlocks.computeIfAbsent(key, k -> new Evidence()).add(v.sessionId(), v.eventId(), d.reason());
                } else if (!listed.contains(v.sessionId() + "/" + v.eventId())) {
                    refuse(v.tool(), "still blocked by the suggestion: " + d.reason(), v.sessionId(), v.eventId());
                }
            }
        }
        for (Map.Entry<String, Evidence> e : secretBlocks.entrySet()) {
            secrets.add(refusal(e.getKey(), e.getValue()));
        }
        List<Refusal> forAPerson = new ArrayList<>();
        for (Map.Entry<String, Evidence> e : refusalEvidence.entrySet()) {
            forAPerson.add(refusal(e.getKey(), e.getValue()));
        }
        header.add("Suggested by agent-trace policy suggest from " + calls + " tool calls in " + sessions.size() + " sessions"
                + (base != null ? ", added to " + base.source() : "") + ".");
        header.add("Each rule's $comment says how many recorded calls in how many sessions support it.");
        header.add("Secrets-bearing paths (" + String.join(", ", SecretPaths.GLOBS.subList(0, 6)) + ", ...) are denied, whatever the agent did.");
        header.add("Try it in shadow mode first (agent-trace record --policy-mode shadow --policy FILE -- ...), check with "
                + "agent-trace audit --policy FILE --all, then enforce.");
        for (Refusal r : forAPerson) {
            header.add("For a person to decide (not allowed): " + r.tool() + ": " + r.why() + " (" + r.evidence() + ")");
        }
        String json = root.toPrettyString() + "\n";
        ScopePolicy policy = parse(json);
        if (base != null) {
            List<String> loosened = new ArrayList<>();
            for (String l : PolicyLoosening.of(base, policy)) {
                if (l.contains(".deny loses") || l.contains("deny_all") || l.contains("protect") || l.contains("tools entry")) {
                    loosened.add(l);
                }
            }
            if (!loosened.isEmpty()) {
                throw new IllegalStateException("the merged suggestion would loosen " + base.source() + ": " + loosened);
            }
        }
        return new Suggestion(json, policy, sessions.size(), calls, rules, forAPerson, secrets, warnings);
    }

    private static Refusal refusal(String key, Evidence e) {
        int cut = key.indexOf('\u0000');
        return new Refusal(key.substring(0, cut), key.substring(cut + 1), e.describeWithExample(), e.callIds());
    }

    private static ScopePolicy parse(String json) {
        try {
            return ScopePolicyParser.parse(json, "suggested policy");
        } catch (PolicyException e) {
            throw new IllegalStateException("the suggested policy does not parse (a bug): " + e.getMessage(), e);
        }
    }

    private void fileSection(ObjectNode section, String name, List<String> baseAllow, List<String> baseDeny, Map<String, Evidence> learned,
                             Map<String, Evidence> secretTries, String verb, List<Rule> rules) {
        Set<String> allow = new LinkedHashSet<>(baseAllow);
        ObjectNode comments = JsonNodeFactory.instance.objectNode();
        for (String b : baseAllow) {
            comments.put(b, "kept from " + base.source());
        }
        for (Map.Entry<String, Evidence> e : learned.entrySet()) {
            if (allow.add(e.getKey())) {
                int distinct = e.getValue().values().size();
                String evidence = e.getValue().describe() + (distinct > 1 ? ", " + distinct + " distinct paths" : "");
                comments.put(e.getKey(), evidence);
                rules.add(new Rule(name + ".allow", e.getKey(), evidence));
            }
        }
        Set<String> deny = new LinkedHashSet<>(baseDeny);
        for (String b : baseDeny) {
            comments.put(b, "kept from " + base.source());
        }
        for (String s : SecretPaths.GLOBS) {
            if (deny.add(s)) {
                Evidence tried = secretTries.get(s);
                comments.put(s, "secrets-bearing: never allowed by a suggestion"
                        + (tried == null ? "" : "; the agent " + verb + " it in " + tried.describe()));
            }
        }
        if (allow.isEmpty() && deny.add("**")) {
            comments.put("**", "no recorded call " + verb + " a file outside the secrets: every " + name.substring(6) + " is denied");
            rules.add(new Rule(name + ".deny", "**", "no call needed it"));
        }
        section.set("allow", strings(allow));
        section.set("deny", strings(deny));
        section.set("$comment", comments);
    }

    private void commandSection(ObjectNode section, Map<String, Evidence> learned, List<Rule> rules) {
        Set<String> allow = new LinkedHashSet<>(base == null ? List.of() : texts(base.commands().allow(), CommandPattern::text));
        ObjectNode comments = JsonNodeFactory.instance.objectNode();
        allow.forEach(a -> comments.put(a, "kept from " + base.source()));
        for (Map.Entry<String, Evidence> e : learned.entrySet()) {
            if (allow.add(e.getKey())) {
                int distinct = e.getValue().values().size();
                String evidence = e.getValue().describe() + (distinct > 1 ? ", " + distinct + " distinct commands" : "");
                comments.put(e.getKey(), evidence);
                rules.add(new Rule("commands.allow", e.getKey(), evidence));
            }
        }
        Set<String> deny = new LinkedHashSet<>(base == null ? List.of() : texts(base.commands().deny(), CommandPattern::text));
        deny.forEach(d -> comments.put(d, "kept from " + base.source()));
        if (allow.isEmpty() && deny.add("*")) {
            comments.put("*", "no recorded call ran a command: every command is denied");
            rules.add(new Rule("commands.deny", "*", "no call needed it"));
        }
        section.set("allow", strings(allow));
        if (!deny.isEmpty()) {
            section.set("deny", strings(deny));
        }
        if (base != null && !base.commands().trust().isEmpty()) {
            List<String> trust = texts(base.commands().trust(), CommandPattern::text);
            section.set("trust", strings(trust));
            trust.forEach(t -> comments.put(t, "kept from " + base.source()));
        }
        section.set("$comment", comments);
    }

    private void networkSection(ObjectNode section, List<Rule> rules) {
        section.put("deny_all", true);
        Set<String> allow = new LinkedHashSet<>(base == null || !base.network().denyAll() ? List.of()
                : texts(base.network().allow(), HostPattern::text));
        ObjectNode comments = JsonNodeFactory.instance.objectNode();
        allow.forEach(a -> comments.put(a, "kept from " + base.source()));
        for (Map.Entry<String, Evidence> e : hosts.entrySet()) {
            if (allow.add(e.getKey())) {
                comments.put(e.getKey(), e.getValue().describe());
                rules.add(new Rule("network.allow", e.getKey(), e.getValue().describe()));
            }
        }
        if (allow.isEmpty()) {
            comments.put("deny_all", "no recorded call reached a host");
        }
        section.set("allow", strings(allow));
        section.set("$comment", comments);
    }

    private static ArrayNode strings(Iterable<String> values) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        values.forEach(a::add);
        return a;
    }

    private static <T> List<String> texts(List<T> items, Function<T, String> text) {
        List<String> out = new ArrayList<>();
        for (T t : items) {
            out.add(text.apply(t));
        }
        return out;
    }
}
