package dev.agenttrace.hooks.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agenttrace.hooks.HookService;
import dev.agenttrace.hooks.agent.AgentProtocol;
import dev.agenttrace.hooks.agent.HookReply;
import dev.agenttrace.hooks.agent.Protocols;
import dev.agenttrace.hooks.event.Agent;
import dev.agenttrace.hooks.event.HookCall;
import dev.agenttrace.hooks.event.HookInputException;
import dev.agenttrace.store.TraceJson;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code agent-trace hook <agent> <event>}: one hook as a command. The payload (stdin) goes to a
 * running {@code serve} when there is one, so the session is recorded and judged in one place;
 * when none answers the connection, the event is judged and recorded in this process instead.
 * A serve that accepts the connection but does not answer in time is not second-guessed (it may
 * still record the event): the call is refused under {@code --strict}, else left to the agent.
 */
public final class HookRunner {
    /** What to print and how to exit. */
    public record Result(byte[] stdout, String stderr, int exitCode) {
        static Result of(HookReply r) {
            return new Result(r.httpStatus() == 200 ? r.body() : HookReply.EMPTY_OBJECT, r.stderr(), r.httpStatus() == 200 ? r.exitCode() : 1);
        }
    }

    private final Agent agent;
    private final String event;
    private final URI serve;
    private final Duration timeout;
    private final boolean strict;

    /**
     * @param serve   the serve base URL ({@code http://127.0.0.1:3100}), or null to judge in-process only
     * @param timeout how long serve may take to answer
     * @param strict  refuse a tool call agent-trace cannot judge (fail closed)
     */
    public HookRunner(Agent agent, String event, URI serve, Duration timeout, boolean strict) {
        this.agent = agent;
        this.event = event;
        this.serve = serve;
        this.timeout = timeout;
        this.strict = strict;
    }

    /** Whether a serve answers its health check at {@code base} within {@code wait}. */
    public static boolean serveAnswers(URI base, Duration wait) {
        try {
            HttpClient c = HttpClient.newBuilder().connectTimeout(wait).build();
            HttpResponse<String> r = c.send(HttpRequest.newBuilder(base.resolve("/health")).timeout(wait).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("agent-trace serve");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * @param stdin     the hook payload
     * @param inProcess makes the in-process service (used only when serve cannot be reached); null for none
     */
    public Result run(byte[] stdin, Supplier<HookService> inProcess) {
        AgentProtocol protocol = Protocols.of(agent);
        HookCall call = parseForFallback(protocol, stdin);
        String why;
        if (serve != null) {
            try {
                HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
                String path = "/hooks/" + agent.wireName() + (event == null ? "" : "/" + event);
                HttpRequest req = HttpRequest.newBuilder(serve.resolve(path)).timeout(timeout)
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(stdin)).build();
                HttpResponse<byte[]> r = c.send(req, HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() == 200) {
                    return new Result(r.body(), null, 0);
                }
                String body = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
                return Result.of(protocol.unavailable(call, "serve refused the hook (HTTP " + r.statusCode() + ": " + clip(body) + ")", strict));
            } catch (HttpConnectTimeoutException | ConnectException e) {
                why = "no agent-trace serve at " + serve;
            } catch (HttpTimeoutException e) {
                return Result.of(protocol.unavailable(call, "agent-trace serve at " + serve + " did not answer within " + timeout.toMillis() + " ms",
                        strict));
            } catch (IOException e) {
                why = "agent-trace serve at " + serve + " could not be reached (" + e.getMessage() + ")";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Result.of(protocol.unavailable(call, "interrupted", strict));
            }
        } else {
            why = "no serve URL";
        }
        if (inProcess == null) {
            return Result.of(protocol.unavailable(call, why, strict));
        }
        HookService service;
        try {
            service = inProcess.get();
        } catch (RuntimeException e) {
            return Result.of(protocol.unavailable(call, why + ", and it cannot judge in-process (" + e.getMessage() + ")", strict));
        }
        try {
            HookReply reply = service.handle(agent, event, stdin, 0, stdin.length).get(timeout.toMillis() + 600_000, TimeUnit.MILLISECONDS);
            return Result.of(reply);
        } catch (Exception e) {
            return Result.of(protocol.unavailable(call, why + ", and judging in-process failed (" + e + ")", strict));
        } finally {
            service.detach();
        }
    }

    /** The call as far as it can be read, for an answer in the agent's protocol when nothing else can judge it; null if it cannot be. */
    private HookCall parseForFallback(AgentProtocol protocol, byte[] stdin) {
        try {
            JsonNode n = TraceJson.mapper().readTree(stdin);
            return n instanceof ObjectNode o ? protocol.parse(event, o) : null;
        } catch (IOException | HookInputException | RuntimeException e) {
            return null;
        }
    }

    private static String clip(String s) {
        String one = s.replace('\n', ' ');
        return one.length() > 200 ? one.substring(0, 200) + "..." : one;
    }
}
