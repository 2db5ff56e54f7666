package dev.agenttrace.tests.peers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A stdio MCP server that really does what it is asked, one request at a time, in its working
 * directory: {@code Bash {"command"}} runs {@code sh -c}, {@code read_file {"path"}} returns the
 * file's text. Every message it receives is appended to the {@code --log} file, one line each.
 */
public final class ShellServer {
    private ShellServer() {
    }

    public static void main(String[] args) throws Exception {
        Path log = Path.of(args[1]);
        ObjectMapper json = new ObjectMapper();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            Files.writeString(log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            JsonNode msg = json.readTree(line);
            if (!msg.hasNonNull("id") || !msg.has("method")) {
                continue;
            }
            ObjectNode reply = json.createObjectNode();
            reply.put("jsonrpc", "2.0");
            reply.set("id", msg.get("id"));
            ObjectNode result = reply.putObject("result");
            if ("tools/call".equals(msg.path("method").asText())) {
                JsonNode a = msg.at("/params/arguments");
                String text;
                boolean error = false;
                try {
                    text = switch (msg.at("/params/name").asText()) {
                        case "Bash" -> {
                            Process p = new ProcessBuilder("sh", "-c", a.path("command").asText()).redirectErrorStream(true).start();
                            p.getOutputStream().close();
                            String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                            yield o + "exit " + p.waitFor();
                        }
                        case "read_file" -> Files.readString(Path.of(a.path("path").asText()).toAbsolutePath());
                        default -> throw new IllegalArgumentException("no such tool");
                    };
                } catch (Exception e) {
                    text = e.toString();
                    error = true;
                }
                result.putArray("content").addObject().put("type", "text").put("text", text);
                result.put("isError", error);
            }
            out.println(json.writeValueAsString(reply));
        }
    }
}
