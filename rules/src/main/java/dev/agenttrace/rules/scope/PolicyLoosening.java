package dev.agenttrace.rules.scope;

import dev.agenttrace.rules.scope.network.HostPattern;
import dev.agenttrace.rules.scope.paths.PathGlob;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Whether a new version of a policy could allow a call the old one refuses. A live reload that
 * loosens is what an agent that managed to edit the policy would want, so the proxy refuses it
 * unless started with {@code --allow-live-loosening}; tightening always applies at once.
 *
 * <p>Judged on the rules as written, conservatively: a deny pattern that disappears, an allow or
 * trust entry that appears, an allow list that becomes empty (no longer restricting),
 * {@code network.deny_all} turned off, {@code "protect": false}, or any tool table entry added or
 * changed (a tool relabelled {@code none} is no longer judged).
 */
public final class PolicyLoosening {
    private PolicyLoosening() {
    }

    /** What the new policy loosens, one line each; empty if it loosens nothing. */
    public static List<String> of(ScopePolicy before, ScopePolicy after) {
        List<String> out = new ArrayList<>();
        files(out, "files.read", before.read(), after.read());
        files(out, "files.write", before.write(), after.write());
        lists(out, "commands.deny", "commands.allow", before.commands().deny(), after.commands().deny(),
                before.commands().allow(), after.commands().allow(), CommandPattern::text);
        for (String t : added(before.commands().trust(), after.commands().trust(), CommandPattern::text)) {
            out.add("commands.trust gains \"" + t + "\"");
        }
        if (before.network().denyAll() && !after.network().denyAll()) {
            out.add("network.deny_all is turned off");
        } else if (after.network().denyAll()) {
            for (String h : added(before.network().allow(), after.network().allow(), HostPattern::text)) {
                out.add("network.allow gains \"" + h + "\"");
            }
        }
        if (before.protect() && !after.protect()) {
            out.add("\"protect\": false turns off the protection of the policy and agent configuration files");
        }
        for (ToolSpec s : after.tools().entries()) {
            ToolSpec old = before.tools().lookup(s.name()).orElse(null);
            if (old == null || !old.equals(s)) {
                out.add("tools entry \"" + s.name() + "\" is " + (old == null ? "added" : "changed"));
            }
        }
        return out;
    }

    private static void files(List<String> out, String section, FileAccessRules before, FileAccessRules after) {
        lists(out, section + ".deny", section + ".allow", before.deny(), after.deny(), before.allow(), after.allow(), PathGlob::text);
    }

    private static <T> void lists(List<String> out, String denySection, String allowSection, List<T> denyBefore, List<T> denyAfter,
                                  List<T> allowBefore, List<T> allowAfter, Function<T, String> text) {
        for (String d : added(denyAfter, denyBefore, text)) {
            out.add(denySection + " loses \"" + d + "\"");
        }
        if (!allowBefore.isEmpty() && allowAfter.isEmpty()) {
            out.add(allowSection + " becomes empty, so it no longer restricts anything");
        } else if (!allowBefore.isEmpty()) {
            for (String a : added(allowBefore, allowAfter, text)) {
                out.add(allowSection + " gains \"" + a + "\"");
            }
        }
    }

    /** Texts in {@code after} that are not in {@code before}. */
    private static <T> List<String> added(List<T> before, List<T> after, Function<T, String> text) {
        Set<String> old = new HashSet<>();
        for (T t : before) {
            old.add(text.apply(t));
        }
        List<String> out = new ArrayList<>();
        for (T t : after) {
            if (!old.contains(text.apply(t))) {
                out.add(text.apply(t));
            }
        }
        return out;
    }
}
