package dev.agenttrace.tests.peers;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;

/**
 * A plain JSON-RPC peer with no SDK and no JSON library, so it writes exactly the bytes a test
 * asks for. It reads either framing (per message), writes the framing it is told to, and logs the
 * exact body bytes it receives and sends.
 *
 * <pre>
 * --framing newline|content-length   how it writes (default newline)
 * --log FILE        appends "in BASE64" / "out BASE64" per body
 * --noise           prints a non-JSON line on stdout before its first reply
 * --crash-after N   exits 3 halfway through writing its Nth reply
 * --ignore-eof      keeps running after stdin closes, and holds off SIGTERM, until killed
 * --exit-code C     exit code at stdin EOF (default 0)
 * </pre>
 * Replies: a request whose body contains {@code "raw_echo"} gets a result holding the request's
 * exact text; a body starting with {@code [} gets {@code [{"batch":true}]}; a body that is not
 * an object gets a -32700 error; any other body with an id gets {@code {"ok":true}}, and a body
 * with a {@code "reply"} string field gets that string spliced in verbatim as the result.
 */
public final class RawServer {
    private RawServer() {
    }

    public static void main(String[] args) throws Exception {
        String framing = "newline";
        Path log = null;
        boolean noise = false;
        boolean ignoreEof = false;
        int crashAfter = -1;
        int exitCode = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--framing" -> framing = args[++i];
                case "--log" -> log = Path.of(args[++i]);
                case "--noise" -> noise = true;
                case "--crash-after" -> crashAfter = Integer.parseInt(args[++i]);
                case "--ignore-eof" -> ignoreEof = true;
                case "--exit-code" -> exitCode = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException(args[i]);
            }
        }
        if (ignoreEof) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> sleep(600_000)));
        }
        InputStream in = new BufferedInputStream(System.in, 1 << 16);
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
        int replies = 0;
        byte[] body;
        while ((body = readFrame(in)) != null) {
            append(log, "in", body);
            String text = new String(body, StandardCharsets.UTF_8);
            String id = idOf(text);
            String reply;
            if (text.startsWith("[")) {
                reply = "[{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":{\"batch\":true}}]";
            } else if (!text.startsWith("{") || !text.endsWith("}")) {
                reply = "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}";
            } else if (id == null) {
                continue; // a notification
            } else if (text.contains("\"raw_echo\"")) {
                reply = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\""
                        + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}]}}";
            } else if (text.contains("\"reply\":\"")) {
                int s = text.indexOf("\"reply\":\"") + 9;
                String raw = new String(Base64.getDecoder().decode(text.substring(s, text.indexOf('"', s))), StandardCharsets.UTF_8);
                reply = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + raw + "}";
            } else {
                reply = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"ok\":true}}";
            }
            if (noise && replies == 0) {
                out.print("server log: starting up (not JSON)\n");
            }
            replies++;
            byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
            append(log, "out", bytes);
            byte[] frame = frame(bytes, framing);
            if (replies == crashAfter) {
                out.write(frame, 0, frame.length / 2);
                out.flush();
                Runtime.getRuntime().halt(3);
            }
            out.write(frame);
            out.flush();
        }
        if (ignoreEof) {
            sleep(600_000);
        }
        out.flush();
        System.exit(exitCode);
    }

    public static byte[] frame(byte[] body, String framing) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        if ("content-length".equals(framing)) {
            b.writeBytes(("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(body);
        } else {
            b.writeBytes(body);
            b.write('\n');
        }
        return b.toByteArray();
    }

    /** One body, in whichever framing it arrives; null at EOF. */
    public static byte[] readFrame(InputStream in) throws IOException {
        int c;
        do {
            c = in.read();
        } while (c == '\n' || c == '\r' || c == ' ');
        if (c < 0) {
            return null;
        }
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        line.write(c);
        while ((c = in.read()) >= 0 && c != '\n') {
            line.write(c);
        }
        String first = line.toString(StandardCharsets.ISO_8859_1);
        if (first.regionMatches(true, 0, "Content-Length:", 0, 15)) {
            int n = Integer.parseInt(first.substring(15).trim());
            String h;
            while (!(h = readLine(in)).isEmpty()) {
                // other headers
                h.length();
            }
            return in.readNBytes(n);
        }
        byte[] b = line.toByteArray();
        int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
        return java.util.Arrays.copyOf(b, len);
    }

    public static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    /** The text of a top-level "id" value (number or string), found the simple way. */
    static String idOf(String text) {
        int i = text.indexOf("\"id\"");
        if (i < 0) {
            return null;
        }
        int s = i + 4;
        while (text.charAt(s) == ' ' || text.charAt(s) == ':') {
            s++;
        }
        if (text.charAt(s) == '"') {
            return text.substring(s, text.indexOf('"', s + 1) + 1);
        }
        int e = s;
        while (e < text.length() && "-+.0123456789eE".indexOf(text.charAt(e)) >= 0) {
            e++;
        }
        return e > s ? text.substring(s, e) : null;
    }

    static void append(Path log, String dir, byte[] body) throws IOException {
        if (log != null) {
            Files.writeString(log, dir + " " + Base64.getEncoder().encodeToString(body) + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
