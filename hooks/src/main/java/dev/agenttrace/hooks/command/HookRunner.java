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
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code agent-trace hook <agent> <event>}: one hook as a command. The payload (stdin) goes to a
 * running {@code serve} when there is one, so the session is recorded and judged in one place;
 * when none answers the connection, the event is judged and recorded in this process instead.
 * A serve that accepts the connection but does not answer in time is not second-guessed (it may
 * still record the event): the call is refused under {@code --strict}, else left to the agent.
 *
 * <p>Every hook is a process start, so the path to serve loads as little as it can: a plain
 * {@link HttpURLConnection} (the JDK's {@code HttpClient} sets up TLS and a selector thread
 * first, about a quarter of a second on a small machine), and the payload is parsed only when
 * agent-trace has to answer it itself (bench/hooks measures the launch).
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
            Answer a = exchange(base.resolve("/health"), null, wait, wait);
            return a.status() == 200 && new String(a.body(), StandardCharsets.UTF_8).contains("agent-trace serve");
        } catch (IOException e) {
            return false;
        }
    }

    /** An HTTP answer: status and body. */
    private record Answer(int status, byte[] body) {
    }

    /** Could not connect at all: nobody listens (or not within the connect timeout). */
    private static final class NotConnected extends IOException {
        NotConnected(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /**
     * One request on a connection of its own, not through a proxy: a GET when {@code body} is
     * null, else a POST of it as JSON. {@link NotConnected} when the connection cannot be made,
     * {@link SocketTimeoutException} when the answer does not come within {@code answerWithin}.
     */
    private static Answer exchange(URI uri, byte[] body, Duration connectWithin, Duration answerWithin) throws IOException {
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
        try {
            c.setConnectTimeout(millis(connectWithin));
            c.setReadTimeout(millis(answerWithin));
            c.setUseCaches(false);
            c.setInstanceFollowRedirects(false);
            if (body != null) {
                c.setRequestMethod("POST");
                c.setDoOutput(true);
                c.setFixedLengthStreamingMode(body.length);
                c.setRequestProperty("Content-Type", "application/json");
            }
            try {
                c.connect();
            } catch (IOException e) {
                throw new NotConnected(e);
            }
            if (body != null) {
                try (OutputStream out = c.getOutputStream()) {
                    out.write(body);
                }
            }
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            byte[] answer;
            if (in == null) {
                answer = new byte[0];
            } else {
                try (in) {
                    answer = in.readAllBytes();
                }
            }
            return new Answer(status, answer);
        } finally {
            c.disconnect();
        }
    }

    private static int millis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }

    /**
     * @param stdin     the hook payload
     * @param inProcess makes the in-process service (used only when serve cannot be reached); null for none
     */
    public Result run(byte[] stdin, Supplier<HookService> inProcess) {
        AgentProtocol protocol = Protocols.of(agent);
        // parsed only to answer the call here, when serve does not
        Supplier<HookCall> call = () -> parseForFallback(protocol, stdin);
        String why;
        if (serve != null) {
            try {
                String path = "/hooks/" + agent.wireName() + (event == null ? "" : "/" + event);
                Answer r = exchange(serve.resolve(path), stdin, Duration.ofMillis(500), timeout);
                if (r.status() == 200) {
                    return new Result(r.body(), null, 0);
                }
                String body = new String(r.body(), StandardCharsets.UTF_8);
                return Result.of(protocol.unavailable(call.get(), "serve refused the hook (HTTP " + r.status() + ": " + clip(body) + ")", strict));
            } catch (NotConnected e) {
                why = "no agent-trace serve at " + serve;
            } catch (SocketTimeoutException e) {
                return Result.of(protocol.unavailable(call.get(), "agent-trace serve at " + serve + " did not answer within " + timeout.toMillis() + " ms",
                        strict));
            } catch (IOException e) {
                why = "agent-trace serve at " + serve + " could not be reached (" + e.getMessage() + ")";
            }
        } else {
            why = "no serve URL";
        }
        if (inProcess == null) {
            return Result.of(protocol.unavailable(call.get(), why, strict));
        }
        HookService service;
        try {
            service = inProcess.get();
        } catch (RuntimeException e) {
            return Result.of(protocol.unavailable(call.get(), why + ", and it cannot judge in-process (" + e.getMessage() + ")", strict));
        }
        try {
            HookReply reply = service.handle(agent, event, stdin, 0, stdin.length).get(timeout.toMillis() + 600_000, TimeUnit.MILLISECONDS);
            return Result.of(reply);
        } catch (Exception e) {
            return Result.of(protocol.unavailable(call.get(), why + ", and judging in-process failed (" + e + ")", strict));
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
