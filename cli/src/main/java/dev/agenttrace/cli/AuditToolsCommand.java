package dev.agenttrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.store.TraceJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code agent-trace audit-tools}, first slice: the repository's {@code .mcp.json} servers and whether
 * each runs through {@code agent-trace record}. Exit 0 all guarded, 1 something unguarded or unreadable.
 */
@Command(name = "audit-tools", mixinStandardHelpOptions = true,
        description = {"List the MCP servers a repository's .mcp.json declares and whether each runs through agent-trace record.",
                "Exit 0 all guarded, 1 a server unguarded or a config unreadable, 2 bad input."})
final class AuditToolsCommand implements Callable<Integer> {
    static final long MAX_BYTES = 1 << 20;

    @Option(names = "--repo", paramLabel = "DIR", description = "Repository to audit (default: the working directory).")
    Path repo = Path.of("");

    @Option(names = "--json", description = "Print JSON: {\"servers\":[{\"file\",\"name\",\"status\"}],\"errors\":[...]}.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ObjectNode report = TraceJson.mapper().createObjectNode();
        ArrayNode servers = report.putArray("servers");
        ArrayNode errors = report.putArray("errors");
        Path file = repo.resolve(".mcp.json");
        boolean bad = false;
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            try {
                if (Files.isSymbolicLink(file) || Files.size(file) > MAX_BYTES) {
                    throw new IOException("a symbolic link or larger than 1 MiB, not read");
                }
                JsonNode root = TraceJson.mapper().readTree(Files.readString(file));
                JsonNode decl = root == null ? null : root.get("mcpServers");
                if (decl != null && decl.isObject()) {
                    for (Iterator<Map.Entry<String, JsonNode>> it = decl.fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> e = it.next();
                        String status = status(e.getValue());
                        bad |= !status.equals("guarded");
                        ObjectNode s = servers.addObject();
                        s.put("file", file.toString());
                        s.put("name", e.getKey());
                        s.put("status", status);
                    }
                }
            } catch (IOException | RuntimeException ex) {
                bad = true;
                errors.add(file + ": " + ex.getMessage().lines().findFirst().orElse(""));
            }
        }
        if (json) {
            out.println(report.toString());
        } else {
            for (JsonNode s : servers) {
                out.println(s.get("file").asText() + "  " + s.get("name").asText() + "  " + s.get("status").asText());
            }
            for (JsonNode e : errors) {
                out.println("error: " + e.asText());
            }
        }
        return bad ? ExitCodes.FAILURE : 0;
    }

    /** "guarded", "recorded, not enforced" or "UNGUARDED" for one stdio server declaration. */
    static String status(JsonNode server) {
        JsonNode command = server == null ? null : server.get("command");
        if (command == null || !command.isTextual()) {
            return "UNGUARDED";
        }
        String name = Path.of(command.asText()).getFileName() == null ? "" : Path.of(command.asText()).getFileName().toString();
        JsonNode args = server.get("args");
        if (!(name.equals("agent-trace") || name.equals("agent-trace.cmd")) || args == null || !args.isArray()
                || args.size() == 0 || !"record".equals(args.get(0).asText())) {
            return "UNGUARDED";
        }
        String joined = args.toString();
        return joined.contains("\"--policy\"") && !joined.contains("\"shadow\"") ? "guarded" : "recorded, not enforced";
    }
}
