package dev.agenttrace.rules.scope;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The firewall's answer for one tool call, with enough to tell the model and the user exactly why.
 *
 * @param verdict  allow, block, or undetermined (refused like a block; the reason says what could
 *                 not be seen and how to allow it)
 * @param tool     the tool name as called
 * @param rule     the rule that blocked ({@code files.write.deny ".github/**"},
 *                 {@code files.read.allow (no match)}), or for an allowed call the allow rule
 *                 that admitted its first judged argument; null when no rule applied
 * @param argument the argument that decided ({@code file_path}, {@code command},
 *                 {@code paths[1]}), or null
 * @param value    the offending value as judged: the path relative to the root (or absolute
 *                 outside it), the simple command, or the host
 * @param reason   one line for humans and models, e.g.
 *                 {@code Bash command "cat .env" reads .env, denied by files.read.deny ".env"}
 * @param note     set when the tool was not in the tool table and its arguments were judged
 *                 heuristically; else null
 */
public record Decision(Verdict verdict, String tool, MatchedRule rule, String argument, String value, String reason,
                       String note) {

    /** True for a block and for an undetermined call: neither may reach the server under {@code enforce}. */
    public boolean blocked() {
        return verdict != Verdict.ALLOW;
    }

    /** The firewall could not see what the call does; {@link #reason} says what and how to allow it. */
    public boolean undetermined() {
        return verdict == Verdict.UNDETERMINED;
    }

    public boolean allowed() {
        return verdict == Verdict.ALLOW;
    }

    /** The text of the blocked result a proxy returns (docs/DESIGN.md §5): rule, argument, and that the tool did not run. */
    public String blockedMessage() {
        StringBuilder b = new StringBuilder(undetermined() ? "Blocked by agent-trace policy (undetermined): " : "Blocked by agent-trace policy: ")
                .append(reason)
                .append(". The tool \"").append(tool).append("\" was NOT executed.");
        if (note != null) {
            b.append(" (").append(note).append(')');
        }
        return b.toString();
    }

    /** The decision as JSON, for {@code _meta} of a blocked result and for {@code policy_violation} events. */
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("decision", switch (verdict) {
            case ALLOW -> "allow";
            case BLOCK -> "block";
            case UNDETERMINED -> "undetermined";
        });
        n.put("tool", tool);
        if (rule != null) {
            n.put("rule", rule.display());
            n.put("section", rule.section());
            if (rule.pattern() != null) {
                n.put("pattern", rule.pattern());
            }
        }
        if (argument != null) {
            n.put("argument", argument);
        }
        if (value != null) {
            n.put("value", value);
        }
        n.put("reason", reason);
        if (note != null) {
            n.put("note", note);
        }
        return n;
    }

    @Override
    public String toString() {
        return verdict + " " + reason + (note == null ? "" : " [" + note + "]");
    }
}
