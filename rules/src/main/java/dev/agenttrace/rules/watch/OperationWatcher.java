package dev.agenttrace.rules.watch;

import java.util.regex.Pattern;

/**
 * agent-strace's {@code operation_rules}: a tool ({@code *} for any, else the name, case-insensitive)
 * whose target (the command it runs, else the path or {@code pattern} argument) matches a
 * shell-style pattern ({@code rm *}). agent-strace could only alert; here {@code block} refuses it.
 */
final class OperationWatcher implements Watcher {
    private final RuleSpec rule;
    private final String tool;
    private final Pattern pattern;
    private final String patternText;
    private final String reason;

    OperationWatcher(RuleSpec rule, String tool, String pattern, String reason) {
        this.rule = rule;
        this.tool = tool;
        this.patternText = pattern;
        this.pattern = Pattern.compile(fnmatch(pattern), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
        this.reason = reason;
    }

    @Override
    public void onEvent(Observation o, Trips trips) {
        Call c = o.call;
        if (c == null || !("*".equals(tool) || tool.equalsIgnoreCase(c.tool))) {
            return;
        }
        String target = c.command != null ? c.command.strip()
                : !c.paths.isEmpty() ? c.paths.get(0)
                : c.arguments != null && c.arguments.path("pattern").isTextual() ? c.arguments.path("pattern").asText() : "";
        if (!pattern.matcher(target).matches()) {
            return;
        }
        String shown = target.length() > 60 ? target.substring(0, 59) + "…" : target;
        trips.trip(rule, target.length() > 200 ? target.substring(0, 200) : target,
                c.tool + " '" + shown + "' matches \"" + patternText + "\"" + (reason == null || reason.isBlank() ? "" : ": " + reason),
                reason == null || reason.isBlank() ? "This operation is not allowed here." : reason, o.event, o.timestamp);
    }

    /** Python's fnmatch: {@code *} anything (slashes too), {@code ?} one character, {@code [...]} a set. */
    static String fnmatch(String glob) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> b.append(".*");
                case '?' -> b.append('.');
                case '[' -> {
                    int close = glob.indexOf(']', i + 2);
                    if (close < 0) {
                        b.append("\\[");
                    } else {
                        String set = glob.substring(i + 1, close);
                        if (set.startsWith("!")) {
                            set = "^" + set.substring(1);
                        }
                        b.append('[').append(set.replace("\\", "\\\\")).append(']');
                        i = close;
                    }
                }
                default -> b.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return b.toString();
    }
}
