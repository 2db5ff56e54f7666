package dev.agenttrace.bench.stdio;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The benchmark's MCP stdio server: initialize, ping, tools/list and one tool, {@code echo}, whose
 * answer ({@link Wire#echoResponse}) carries the text back and says whether the request arrived
 * byte for byte as {@link Wire#echoRequest} wrote it. Cheap on purpose: what it costs is the
 * direct path every proxy is compared with.
 *
 * <pre>EchoServer [--framing newline|content-length|auto] [--warm N] [--service-us N]</pre>
 * {@code auto} (the default) answers each message in the framing it came in; a fixed framing
 * answers in that one and reports a message in the other on stderr. {@code --warm N} answers N
 * made-up calls before it reads stdin, so that its JIT has compiled the answering path before
 * the first measured call: the direct path is then steady from the start, and what changes
 * from round to round is the proxy, not the server.
 */
public final class EchoServer {
    private static final byte[] TOOLS = ("{\"tools\":[{\"name\":\"echo\",\"description\":\"Echoes back the input text\","
            + "\"inputSchema\":{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}}]}")
            .getBytes(StandardCharsets.UTF_8);

    private EchoServer() {
    }

    public static void main(String[] args) throws IOException {
        Framing fixed = null;
        int warm = 0;
        long serviceNanos = 0;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--framing") && i + 1 < args.length) {
                String f = args[++i];
                fixed = f.equals("auto") ? null : Framing.parse(f);
            } else if (args[i].equals("--warm") && i + 1 < args.length) {
                warm = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--service-us") && i + 1 < args.length) {
                serviceNanos = Long.parseLong(args[++i]) * 1000; // a server that takes this long per answer (sleeping, not spinning)
            } else {
                System.err.println("usage: EchoServer [--framing newline|content-length|auto] [--warm N] [--service-us N]");
                System.exit(2);
            }
        }
        warmUp(warm);
        FrameReader in = new FrameReader(new FileInputStream(FileDescriptor.in));
        OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
        for (FrameReader.Frame f; (f = in.next()) != null; ) {
            if (fixed != null && f.framing != fixed) {
                System.err.println("echo-server: a message in " + f.framing.label() + " framing, expected " + fixed.label());
            }
            byte[] answer = answer(f.body);
            if (answer == null) continue;
            if (serviceNanos > 0) java.util.concurrent.locks.LockSupport.parkNanos(serviceNanos);
            out.write((fixed != null ? fixed : f.framing).frame(answer));
            out.flush();
        }
        // at once: a JVM's orderly exit waits for its JIT threads, which under load took over a
        // second, and the proxies' exit (which waits for the server's) would be charged for it
        Runtime.getRuntime().halt(0);
    }

    static void warmUp(int calls) {
        long sink = 0;
        for (long id = 1; id <= calls; id++) {
            byte[] request = Wire.echoRequest(id, Wire.text(id, 100));
            sink += Framing.NEWLINE.frame(answer(request)).length;
            sink += Framing.CONTENT_LENGTH.frame(request).length;
        }
        if (sink < 0) System.err.println(sink);   // keeps the loop from being optimised away
    }

    /** The answer to one message, or null for a notification. */
    static byte[] answer(byte[] body) {
        JsonNode msg;
        try {
            msg = Wire.JSON.readTree(body);
        } catch (IOException e) {
            return error("null", -32700, "Parse error");
        }
        if (msg == null || !msg.isObject()) return error("null", -32600, "Invalid Request");
        JsonNode idNode = msg.get("id");
        if (idNode == null) return null;
        String method = msg.path("method").asText();
        String id = idNode.toString();
        switch (method) {
            case "tools/call": {
                JsonNode params = msg.path("params");
                JsonNode text = params.path("arguments").path("text");
                if (!params.path("name").asText().equals("echo")) return error(id, -32602, "Unknown tool");
                if (!text.isTextual()) return error(id, -32602, "text must be a string");
                Object wireId = idNode.isIntegralNumber() ? (Object) idNode.asLong() : idNode.asText();
                boolean intact = Arrays.equals(body, Wire.echoRequest(wireId, text.asText()));
                return Wire.echoResponse(wireId, text.asText(), intact ? Wire.INTACT : Wire.ALTERED);
            }
            case "initialize": {
                String pv = msg.path("params").path("protocolVersion").asText("2025-06-18");
                return result(id, "{\"protocolVersion\":" + Wire.JSON.getNodeFactory().textNode(pv)
                        + ",\"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"bench-echo\",\"version\":\"1.0.0\"}}");
            }
            case "tools/list":
                return result(id, new String(TOOLS, StandardCharsets.UTF_8));
            case "ping":
                return result(id, "{}");
            default:
                return error(id, -32601, "Method not found");
        }
    }

    private static byte[] result(String id, String result) {
        return ("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] error(String id, int code, String message) {
        return ("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }
}
