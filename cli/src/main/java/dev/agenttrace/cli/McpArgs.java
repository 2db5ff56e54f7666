package dev.agenttrace.cli;

import java.nio.file.Path;

/**
 * The argument line of {@code mcp}, read without picocli, as {@link RecordArgs} reads record's: a
 * debugging client starts {@code mcp} on every launch and waits for its answer to
 * {@code initialize}, and picocli's model of even one command costs ~0.1 s. Only the lines users
 * paste ({@code mcp} and {@code mcp --trace-dir DIR}, the option repeated for several stores) are read here; anything else returns null
 * and picocli reads the line, with its own help and messages. {@code McpArgsTest} checks that
 * {@link McpCommand} has no option this does not read.
 */
final class McpArgs {
    private McpArgs() {
    }

    /** The command as picocli would fill it, or null when picocli must read this line. */
    static McpCommand parse(String[] args) {
        McpCommand c = new McpCommand();
        c.traceDir = new TraceDirsOption();
        int i = 0;
        while (i < args.length) {
            String a = args[i];
            String value;
            if (a.equals("--trace-dir") && i + 1 < args.length) {
                value = args[i + 1];
                i += 2;
            } else if (a.startsWith("--trace-dir=")) {
                value = a.substring("--trace-dir=".length());
                i++;
            } else {
                return null;
            }
            if (value.isEmpty()) {
                return null;
            }
            try {
                c.traceDir.dirs.add(Path.of(value));
            } catch (RuntimeException e) { // a path that does not parse: picocli says why
                return null;
            }
        }
        return c;
    }
}
