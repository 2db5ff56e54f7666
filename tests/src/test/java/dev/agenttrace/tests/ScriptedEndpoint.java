package dev.agenttrace.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * The model behind a real coding agent, scripted: a loopback HTTP endpoint that answers the
 * agent's main loop with the next turn of a script. Each subclass speaks one model API (Anthropic
 * Messages, Gemini, OpenAI Responses, OpenAI chat completions) and picks the turn from what the
 * conversation already holds, so a retry by the agent cannot skip a step.
 */
abstract class ScriptedEndpoint implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** One model turn: a tool call (its name, the call id where the API has one, its arguments), or a closing text. */
    record Turn(String name, String callId, ObjectNode arguments, String text) {
        static Turn call(String name, String callId, ObjectNode arguments) {
            return new Turn(name, callId, arguments, null);
        }

        static Turn call(String name, ObjectNode arguments) {
            return new Turn(name, null, arguments, null);
        }

        static Turn text(String text) {
            return new Turn(null, null, null, text);
        }
    }

    private final HttpServer server;
    final List<Turn> script;
    /** Every main-loop request body, in order. */
    final List<JsonNode> requests = Collections.synchronizedList(new ArrayList<>());

    ScriptedEndpoint(List<Turn> script, String threadName) throws IOException {
        this.script = List.copyOf(script);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    abstract void handle(HttpExchange ex) throws IOException;

    /** The turn after {@code answered} turns of the script, or a closing text once it has ended. */
    Turn turn(int answered) {
        return answered < script.size() ? script.get(answered) : Turn.text("(the script has ended)");
    }

    int port() {
        return server.getAddress().getPort();
    }

    static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
