package dev.agenttrace.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agenttrace.store.TraceStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code agent-trace mcp} answers a first {@code initialize} before its SDK server is built; what
 * the client sees is what the SDK server alone would send: every answer once, in order.
 */
@Timeout(120)
class FastStartTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"pipelined\",\"version\":\"1\"}}}\n";
    private static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n";
    private static final String TOOLS_LIST = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}\n";

    @Test
    void aPipelinedClientGetsEachAnswerOnceAndInOrder() throws Exception {
        Pipe pipe = new Pipe();
        CompletableFuture<Integer> served = serve(pipe);
        // everything at once, as a client that does not wait for the first answer writes it
        pipe.send(INITIALIZE + INITIALIZED + TOOLS_LIST);
        List<String> lines = pipe.lines(2, 60);
        assertEquals(2, lines.size(), pipe.output());
        byte[] fast = new Handshake("test").fastAnswer(INITIALIZE.getBytes(StandardCharsets.UTF_8), INITIALIZE.length() - 1).line();
        assertEquals(new String(fast, StandardCharsets.UTF_8), lines.get(0) + "\n", "the first answer");
        JsonNode tools = JSON.readTree(lines.get(1));
        assertEquals(2, tools.get("id").asInt(), lines.get(1));
        assertTrue(tools.path("result").path("tools").size() >= 5, lines.get(1));
        // a later call is answered too, and initialize only ever once
        pipe.send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}\n");
        assertEquals(3, pipe.lines(3, 60).size(), pipe.output());
        pipe.close();
        assertEquals(0, served.get(90, TimeUnit.SECONDS));
        assertEquals(List.of("1", "2", "3"), ids(pipe.output()));
    }

    @Test
    void aFirstMessageOtherThanInitializeGoesToTheSdk() throws Exception {
        Pipe pipe = new Pipe();
        CompletableFuture<Integer> served = serve(pipe);
        // the SDK answers other requests once the session is initialized
        pipe.send("{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"ping\"}\n");
        Thread.sleep(100);
        pipe.send(INITIALIZE + INITIALIZED + TOOLS_LIST);
        assertEquals(3, pipe.lines(3, 60).size(), pipe.output());
        pipe.close();
        assertEquals(0, served.get(90, TimeUnit.SECONDS));
        List<String> ids = ids(pipe.output());
        assertEquals(List.of("1", "2", "p"), ids.stream().sorted().toList(), pipe.output());
        String init = pipe.lines(3, 1).get(ids.indexOf("1"));
        assertTrue(JSON.readTree(init).path("result").has("serverInfo"), init);
    }

    @Test
    void aFirstLineSplitAcrossWritesIsStillAnsweredOnce() throws Exception {
        Pipe pipe = new Pipe();
        CompletableFuture<Integer> served = serve(pipe);
        pipe.send(INITIALIZE.substring(0, 40));
        Thread.sleep(50);
        pipe.send(INITIALIZE.substring(40) + INITIALIZED + TOOLS_LIST.substring(0, 10));
        Thread.sleep(50);
        pipe.send(TOOLS_LIST.substring(10));
        pipe.close();
        assertEquals(0, served.get(90, TimeUnit.SECONDS));
        assertEquals(List.of("1", "2"), ids(pipe.output()));
    }

    private static CompletableFuture<Integer> serve(Pipe pipe) {
        TraceStore store = TraceStore.at(TestFixtures.readOnlyCopy());
        return CompletableFuture.supplyAsync(() -> {
            try {
                return TraceMcpServer.serve(store, pipe.in, pipe.out, "test");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** The ids of the answers written, in order; every line must be an answer with a result. */
    private static List<String> ids(String output) throws Exception {
        List<String> ids = new ArrayList<>();
        for (String line : output.split("\n")) {
            JsonNode msg = JSON.readTree(line);
            assertTrue(msg.has("result"), line);
            ids.add(msg.get("id").asText());
        }
        return ids;
    }
}
