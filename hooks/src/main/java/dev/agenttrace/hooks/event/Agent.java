package dev.agenttrace.hooks.event;

import java.util.Locale;

/** The coding agents whose hooks agent-trace answers, by the name used on the command line and in URLs. */
public enum Agent {
    CLAUDE_CODE("claude-code"),
    CURSOR("cursor"),
    GEMINI("gemini"),
    CODEX("codex"),
    COPILOT("copilot");

    private final String wireName;

    Agent(String wireName) {
        this.wireName = wireName;
    }

    /** {@code claude-code}, {@code cursor}, ...: the path segment of {@code /hooks/<agent>} and the CLI argument. */
    public String wireName() {
        return wireName;
    }

    /** The agent for a CLI argument or URL segment; null if none (the caller names the choices). */
    public static Agent parse(String s) {
        if (s == null) {
            return null;
        }
        String k = s.toLowerCase(Locale.ROOT);
        for (Agent a : values()) {
            if (a.wireName.equals(k)) {
                return a;
            }
        }
        return switch (k) {
            case "claude", "claudecode" -> CLAUDE_CODE;
            case "gemini-cli" -> GEMINI;
            case "copilot-cli" -> COPILOT;
            default -> null;
        };
    }

    /** For error messages: "claude-code, cursor, gemini, codex, copilot". */
    public static String choices() {
        StringBuilder b = new StringBuilder();
        for (Agent a : values()) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(a.wireName);
        }
        return b.toString();
    }
}
