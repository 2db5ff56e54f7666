package dev.agenttrace.store.mcp;

/** Which way a message travelled between the MCP client and the server. */
public enum Direction {
    CLIENT_TO_SERVER("client_to_server"),
    SERVER_TO_CLIENT("server_to_client");

    private final String label;

    Direction(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public Direction reverse() {
        return this == CLIENT_TO_SERVER ? SERVER_TO_CLIENT : CLIENT_TO_SERVER;
    }
}
