package dev.agenttrace.hooks.agent;

import dev.agenttrace.hooks.event.Agent;

/** The protocol of each agent. */
public final class Protocols {
    private static final ClaudeCodeProtocol CLAUDE = new ClaudeCodeProtocol();

    private Protocols() {
    }

    public static AgentProtocol of(Agent agent) {
        return switch (agent) {
            case CLAUDE_CODE -> CLAUDE;
            case CURSOR -> new CursorProtocol();
            case GEMINI -> new GeminiProtocol();
            case CODEX -> new CodexProtocol();
            case COPILOT -> new CopilotProtocol();
        };
    }
}
