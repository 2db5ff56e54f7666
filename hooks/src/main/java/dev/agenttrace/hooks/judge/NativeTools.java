package dev.agenttrace.hooks.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.hooks.event.Agent;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How another agent's native tools are judged: as the Claude Code tool that does the same thing,
 * whose arguments the firewall's tool table already knows ({@code Read/Write/Edit file_path},
 * {@code Bash command}). Only what the default table lacks is here; every other tool goes to the
 * firewall under its own name. (Kept in this module while the table in rules/scope grows its own
 * entries for these agents.)
 *
 * <table>
 *   <caption>native tools judged as</caption>
 *   <tr><th>agent</th><th>tool</th><th>judged as</th></tr>
 *   <tr><td>Gemini CLI</td><td>read_file (absolute_path | file_path), read_many_files (paths[])</td><td>Read file_path</td></tr>
 *   <tr><td></td><td>write_file, replace (file_path)</td><td>Write / Edit file_path</td></tr>
 *   <tr><td>Copilot CLI</td><td>bash, view, create, edit (path), web_fetch (url)</td><td>Bash, Read, Write, Edit, WebFetch</td></tr>
 *   <tr><td>Codex</td><td>apply_patch (patch text in command)</td><td>Write file_path, once per file the patch adds, updates, deletes or moves to</td></tr>
 *   <tr><td>Cursor</td><td>Shell (beforeShellExecution), Read (beforeReadFile)</td><td>as named</td></tr>
 * </table>
 */
public final class NativeTools {
    private static final Pattern PATCH_FILE = Pattern.compile("^\\*\\*\\* (?:Add|Update|Delete) File: (.+)$|^\\*\\*\\* Move to: (.+)$",
            Pattern.MULTILINE);

    private NativeTools() {
    }

    /** One call as the firewall should see it. */
    public record Judged(String tool, JsonNode arguments) {
    }

    public static List<Judged> judgedAs(Agent agent, String tool, JsonNode input) {
        String t = tool == null ? "" : tool;
        JsonNode in = input == null ? JsonNodeFactory.instance.objectNode() : input;
        switch (agent) {
            case GEMINI -> {
                switch (t) {
                    case "read_file" -> {
                        return List.of(new Judged("Read", path(in, "file_path", in.path("absolute_path").asText(in.path("file_path").asText("")))));
                    }
                    case "write_file" -> {
                        return List.of(new Judged("Write", path(in, "file_path", in.path("file_path").asText(in.path("absolute_path").asText("")))));
                    }
                    case "replace" -> {
                        return List.of(new Judged("Edit", path(in, "file_path", in.path("file_path").asText(in.path("absolute_path").asText("")))));
                    }
                    case "read_many_files" -> {
                        List<Judged> out = new ArrayList<>();
                        for (JsonNode p : in.path("paths")) {
                            out.add(new Judged("Read", only("file_path", p.asText(""))));
                        }
                        return out.isEmpty() ? List.of(new Judged(t, in)) : out;
                    }
                    default -> {
                        return List.of(new Judged(t, in));
                    }
                }
            }
            case COPILOT -> {
                return switch (t) {
                    case "bash" -> List.of(new Judged("Bash", in));
                    case "view" -> List.of(new Judged("Read", path(in, "file_path", in.path("path").asText(""))));
                    case "create" -> List.of(new Judged("Write", path(in, "file_path", in.path("path").asText(""))));
                    case "edit" -> List.of(new Judged("Edit", path(in, "file_path", in.path("path").asText(""))));
                    case "web_fetch" -> List.of(new Judged("WebFetch", in));
                    default -> List.of(new Judged(t, in));
                };
            }
            case CODEX -> {
                if ("apply_patch".equals(t)) {
                    String patch = in.path("command").isTextual() ? in.path("command").asText() : in.path("patch").asText(in.toString());
                    List<Judged> out = new ArrayList<>();
                    Matcher m = PATCH_FILE.matcher(patch);
                    while (m.find()) {
                        String p = (m.group(1) != null ? m.group(1) : m.group(2)).strip();
                        out.add(new Judged("Write", only("file_path", p)));
                    }
                    // a patch whose files cannot be found is judged as a command, so a policy with
                    // command rules still sees it
                    return out.isEmpty() ? List.of(new Judged(t, in)) : out;
                }
                return List.of(new Judged(t, in));
            }
            default -> {
                return List.of(new Judged(t, in));
            }
        }
    }

    /**
     * One call judged as one: the agent's own arguments (what the trace records: the content a
     * write_file wrote, the strings a replace swapped), with the path under the key the firewall knows.
     */
    private static ObjectNode path(JsonNode original, String key, String value) {
        ObjectNode n = original.isObject() ? ((ObjectNode) original).deepCopy() : JsonNodeFactory.instance.objectNode();
        n.put(key, value);
        return n;
    }

    /** One part of a call that stands for several (a patch's files): the path alone. */
    private static ObjectNode only(String key, String value) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put(key, value);
        return n;
    }
}
