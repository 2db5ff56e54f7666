package dev.agenttrace.proxy.stdio;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.agenttrace.rules.inline.Checkpoint;
import dev.agenttrace.rules.watch.WatchedSession;
import dev.agenttrace.store.mcp.Direction;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Moves frames one way, client to server or server to client: read a frame, forward its bytes in
 * the receiver's framing, hand a copy to the recorder. Problems on the wire are answered where the
 * protocol allows it (a request that cannot be forwarded gets a JSON-RPC error with its own id, so
 * the client never waits for an answer that cannot come) and always reported on stderr and in the
 * trace; nothing but whole, valid frames ever reaches a peer.
 */
final class Relay implements Runnable {
    /** Told when a relay stops. {@code receiverGone} is true when writing to the receiver failed. */
    interface Ended {
        void ended(Direction dir, boolean receiverGone);
    }

    /** Loaded on first use: only unusual frames need a parser, and start-up should not pay for it. */
    private static final class Json {
        static final JsonFactory FACTORY = new JsonFactory();
    }

    private final Direction dir;
    private final InputStream in;
    private final PeerWriter sender;
    private final PeerWriter receiver;
    private final PeerWriter client;
    private final ProxyOptions opts;
    private final WireRecorder recorder;
    private final PrintStream err;
    private final Ended ended;
    private final Checkpoint checkpoint;
    private final WatchedSession watch;
    private boolean watchFailed;
    /** Judges and forwards the client messages that waited for running changes ({@link dev.agenttrace.rules.inline.ChangeFence}). */
    private java.util.concurrent.ExecutorService held;
    private FrameReader reader;
    /** Content-Length bodies from this size on are cut through (the pipe holds 64 KiB anyway). */
    static final int STREAM_FROM = 128 * 1024;

    /**
     * @param sender   writer towards the peer this relay reads from (its framing is learned here)
     * @param receiver writer towards the peer this relay forwards to
     * @param client   writer towards the client, for the proxy's own error replies
     * @param checkpoint judges every client message before it is forwarded (client to server only; null
     *                 the other way)
     * @param watch    the inline watch: every message is classified and shown to it (a client message
     *                 before it is forwarded); null for none
     */
    Relay(Direction dir, InputStream in, PeerWriter sender, PeerWriter receiver, PeerWriter client,
          ProxyOptions opts, WireRecorder recorder, PrintStream err, Ended ended, Checkpoint checkpoint, WatchedSession watch) {
        this.dir = dir;
        this.in = in;
        this.sender = sender;
        this.receiver = receiver;
        this.client = client;
        this.opts = opts;
        this.recorder = recorder;
        this.err = err;
        this.ended = ended;
        this.checkpoint = checkpoint;
        this.watch = watch;
    }

    @Override
    public void run() {
        FrameReader reader = new FrameReader(in, opts.maxMessageBytes(), opts.maxHeaderBytes(), receiver::flushQuietly);
        if (dir == Direction.CLIENT_TO_SERVER ? checkpoint.guard() == null && watch == null : watch == null) {
            // nothing judges these messages whole before they go: large Content-Length bodies go on as they arrive
            reader.streamBodiesFrom(STREAM_FROM);
        }
        this.reader = reader;
        boolean receiverGone = false;
        try {
            Frame f;
            while ((f = reader.next()) != null) {
                try {
                    handle(f);
                } catch (IOException writeFailed) {
                    receiverGone = true;
                    break;
                }
            }
        } catch (IOException readFailed) {
            // the sender's stream broke: same as its end
        } catch (RuntimeException | Error bug) {
            // a defect of ours: end the session (the peers see the stream close) rather than hang it
            err.println("agent-trace: internal error relaying " + dir.label() + ", ending the session: " + bug);
            bug.printStackTrace(err);
        } finally {
            if (held != null) {
                // the client is done sending: what still waits is judged (or refused) before the server's input closes
                try {
                    recorder.changeFence().awaitNoWaiters(recorder.changeFence().waitMillis() + 5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                held.shutdown();
            }
            receiver.flushQuietly();
            ended.ended(dir, receiverGone);
        }
    }

    private void handle(Frame f) throws IOException {
        switch (f.kind()) {
            case MESSAGE -> {
                sender.sawFraming(f.framing());
                if (dir == Direction.CLIENT_TO_SERVER) {
                    judged(f);
                } else if (watch != null) {
                    watched(f);
                } else {
                    receiver.forward(f);
                    recorder.message(dir, f);
                }
            }
            case STREAM -> {
                // (only without a watch on this side: what a watch must see is read whole)
                sender.sawFraming(f.framing());
                byte[] body = receiver.forwardStream(f, reader);
                if (body == null) {
                    String who = dir == Direction.CLIENT_TO_SERVER ? "client" : "server";
                    String msg = "agent-trace: the " + who + "'s stream ended inside a " + f.size()
                            + "-byte message that was being forwarded as it arrived";
                    err.println(msg);
                    recorder.problem(dir, "truncated", msg, (String) null);
                } else {
                    recorder.message(dir, body, f.framing());
                }
            }
            case NOISE -> {
                if (dir == Direction.CLIENT_TO_SERVER) {
                    // the checkpoint decides: junk is the server's to answer unless it may hide a call
                    judged(f);
                } else {
                    String line = new String(f.buffer(), f.bodyOffset(), f.bodyLength(), StandardCharsets.UTF_8);
                    err.println("agent-trace: the server wrote non-JSON to stdout; kept off the protocol stream: " + line);
                    recorder.problem(dir, "non_json_output", "the server wrote non-JSON output to stdout (not forwarded)", f);
                }
            }
            case OVERSIZED -> {
                String id = idOf(f);
                String who = dir == Direction.CLIENT_TO_SERVER ? "request from the client" : "response from the server";
                String msg = "agent-trace: " + who + " not forwarded: " + f.problem();
                err.println(msg);
                recorder.problem(dir, "oversized", msg, (String) null);
                if (dir == Direction.CLIENT_TO_SERVER && id != null) {
                    reply(id, -32600, msg);
                } else if (dir == Direction.SERVER_TO_CLIENT && id != null) {
                    reply(id, -32603, msg);
                }
            }
            case BAD_HEADER -> {
                String who = dir == Direction.CLIENT_TO_SERVER ? "client" : "server";
                String msg = "agent-trace: bad frame from the " + who + " (not forwarded): " + f.problem();
                err.println(msg);
                recorder.problem(dir, "bad_header", msg, f);
                if (dir == Direction.CLIENT_TO_SERVER) {
                    reply("null", -32700, msg);
                }
            }
            case TRUNCATED -> {
                String who = dir == Direction.CLIENT_TO_SERVER ? "client" : "server";
                String msg = "agent-trace: incomplete last frame from the " + who + " (not forwarded): " + f.problem();
                err.println(msg);
                recorder.problem(dir, "truncated", msg, f);
            }
        }
    }

    /** A client message: the checkpoint says what goes on and what is answered; this only writes it. */
    private void judged(Frame f) throws IOException {
        Checkpoint.Verdict v;
        try {
            v = checkpoint.clientMessage(f.copyBody(), f.framing().label(), recorder, watch, Checkpoint.Batches.SPLIT);
        } catch (RuntimeException e) {
            if (checkpoint.guard() != null) {
                throw e;
            }
            // only a watch judges here, and it failed: the watch is a breaker, not the policy; forward
            if (!watchFailed) {
                watchFailed = true;
                err.println("agent-trace: the inline watch failed on a message and is skipping it: " + e);
            }
            receiver.forward(f);
            return;
        }
        if (v.waiting() != null) {
            // it names paths while a call that may change files runs: judged once that call is answered
            // (on another thread: this one goes on reading, so what else the client sends is not held up)
            Frame held = f.detached();
            v.waiting().then(heldJudgements(), w -> {
                try {
                    write(held, w);
                    receiver.flush();
                } catch (IOException serverGone) {
                    // this relay notices it on its next write, or has ended already
                }
            });
            return;
        }
        write(f, v);
    }

    private void write(Frame f, Checkpoint.Verdict v) throws IOException {
        recorder.noteFraming(dir, f.framing());
        if (v.forwardOriginal()) {
            receiver.forward(f);
        } else if (v.forward() != null) {
            receiver.reply(v.forward(), f.framing());
        }
        if (v.reply() != null) {
            client.reply(v.reply(), f.framing());
        }
        for (String line : v.stderr()) {
            err.println(line);
        }
    }

    /**
     * A server message with an inline watch: forwarded first (nothing here is refused), then
     * classified and shown to the watch by this thread; a client message judged meanwhile
     * classifies it itself first, so the watch never sees a retry before the error that provoked
     * it, and neither thread waits for the other.
     */
    private void watched(Frame f) throws IOException {
        recorder.arriving(dir, f.copyBody(), f.framing().label());
        recorder.noteFraming(dir, f.framing());
        receiver.forward(f);
        recorder.catchUp();
    }

    private java.util.concurrent.Executor heldJudgements() {
        if (held == null) {
            held = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "agent-trace-waiting-calls");
                t.setDaemon(true);
                return t;
            });
        }
        return held;
    }

    private void reply(String idJson, int code, String message) throws IOException {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":" + idJson + ",\"error\":{\"code\":" + code + ",\"message\":\""
                + new String(JsonStringEncoder.getInstance().quoteAsString(message)) + "\"}}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        client.reply(bytes, null);
    }

    /**
     * The JSON text of the top-level {@code id} of a message, read from its first bytes only;
     * null when it is not there (a notification, or an id after the part that was kept).
     */
    static String idOf(Frame f) {
        try (JsonParser p = Json.FACTORY.createParser(f.buffer(), f.bodyOffset(), f.bodyLength())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ("id".equals(name)) {
                    if (v == JsonToken.VALUE_STRING) {
                        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(p.getText())) + "\"";
                    }
                    if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
                        return p.getText();
                    }
                    return null;
                }
                p.skipChildren();
            }
            return null;
        } catch (IOException truncatedPrefix) {
            return null;
        }
    }
}
