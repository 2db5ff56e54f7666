package dev.agenttrace.rules.inline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Time, for one session (issue 16, "judge what the server will do"): while a tool call that may
 * change the file system ({@link dev.agenttrace.rules.scope.Effect#CHANGES}: a write, a shell
 * command, an unknown tool) has been forwarded and not yet answered, a later call whose judgement
 * resolves paths is not judged against files that may still be changing. It waits, and is judged
 * once every such call has been answered; so {@code Bash "ln -s ~ src/h"} pipelined with
 * {@code read_file "src/h/.ssh/id_rsa"} has the read judged through the link the command made.
 *
 * <p>Nothing else waits: other messages (notifications, answers to the server's requests, calls
 * of tools that touch no files) go on in their order; waiting calls are judged in the order they
 * arrived, one at a time, each only when no change is running (a waiting call that itself may
 * change files runs alone before the next is judged).
 *
 * <p>The wait is bounded ({@value #WAIT_VARIABLE}, default {@value #DEFAULT_WAIT_MILLIS} ms): a
 * call still waiting then is <em>refused</em>, with a reason naming the call that is still
 * running, never judged anyway (a command may sleep past any bound before it makes its link). A
 * call the client cancelled, or whose exchange failed, stops holding others one bound after that
 * (the server may still be finishing it); a call that is simply never answered holds path calls
 * until it is, each refused at its own bound, so the session is never wedged: every call gets an
 * answer.
 *
 * <p>Thread-safe. The waiting call's judgement runs on the executor its transport gives (the
 * client's Netty event loop, or a thread of the stdio relay): nothing here blocks a thread but
 * {@link #awaitNoWaiters}.
 */
public final class ChangeFence {
    /** How long a call may wait for running changes before it is refused, in milliseconds. */
    public static final String WAIT_VARIABLE = "AGENT_TRACE_CHANGE_WAIT_MS";
    public static final long DEFAULT_WAIT_MILLIS = 30_000;
    private static final long WAIT_MILLIS = configuredWait();
    private static final JsonFactory JSON = new JsonFactory();
    private static volatile ScheduledExecutorService timers;

    private final long waitMillis;
    private final Map<String, Running> running = new LinkedHashMap<>();
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    private Waiter turn;
    /** False while anything runs or waits: read without the lock on every message. */
    private volatile boolean quiet = true;
    /** True while a change runs: server messages are then read for their ids. */
    private volatile boolean changing;

    /** A call that may change files, forwarded and not answered yet. */
    private static final class Running {
        final String tool;
        final long startedNanos = System.nanoTime();
        /** Set when the client gave up on it: it stops holding others then. */
        ScheduledFuture<?> expiry;

        Running(String tool) {
            this.tool = tool;
        }
    }

    /** A judgement that waits: run with null when its turn comes, with the refusal text at its bound. */
    private final class Waiter {
        final Executor executor;
        final Consumer<String> judge;
        ScheduledFuture<?> deadline;
        boolean started;

        Waiter(Executor executor, Consumer<String> judge) {
            this.executor = executor;
            this.judge = judge;
        }

        void start(String refusal) {
            try {
                executor.execute(() -> {
                    try {
                        judge.accept(refusal);
                    } finally {
                        turnDone(this);
                    }
                });
            } catch (RejectedExecutionException gone) {
                // the transport is closing: nothing left to answer
                turnDone(this);
            }
        }
    }

    public ChangeFence() {
        this(WAIT_MILLIS);
    }

    /** @param waitMillis how long a call waits before it is refused */
    public ChangeFence(long waitMillis) {
        this.waitMillis = waitMillis;
    }

    public long waitMillis() {
        return waitMillis;
    }

    /** True when a call that judges paths must wait ({@link #await}) instead of being judged now. */
    public boolean mustWait() {
        return !quiet;
    }

    /** True while a change runs (then a cancellation from the client is worth reading). */
    public boolean changing() {
        return changing;
    }

    /**
     * A call that may change files is being forwarded; {@code id} is its request id. Call before
     * its bytes are written, so nothing judged afterwards can overtake it.
     */
    public void started(JsonNode id, String tool) {
        synchronized (this) {
            Running previous = running.put(key(id), new Running(tool));
            if (previous != null && previous.expiry != null) {
                previous.expiry.cancel(false);
            }
            update();
        }
    }

    /**
     * A call's judgement waits: {@code judge} runs on {@code executor} with null once no change
     * runs and the calls that waited before it are judged, or with the refusal text (why it is
     * not judged) when the bound passes first.
     */
    public void await(Executor executor, Consumer<String> judge) {
        Waiter w = new Waiter(executor, judge);
        synchronized (this) {
            waiting.add(w);
            w.deadline = timers().schedule(() -> expire(w), waitMillis, TimeUnit.MILLISECONDS);
            update();
            releaseNext();
        }
    }

    /** Reads a server message (or batch) for answers to running changes; cheap when none runs. */
    public void serverMessage(byte[] body, int off, int len) {
        if (!changing) {
            return;
        }
        List<String> ids = answeredIds(body, off, len);
        if (ids.isEmpty()) {
            return;
        }
        synchronized (this) {
            boolean removed = false;
            for (String id : ids) {
                Running r = running.remove(id);
                if (r != null) {
                    removed = true;
                    if (r.expiry != null) {
                        r.expiry.cancel(false);
                    }
                }
            }
            if (removed) {
                update();
                releaseNext();
            }
        }
    }

    /**
     * The client cancelled a call, or its exchange failed: if it was a running change, it stops
     * holding others one bound from now (the server may still be finishing it).
     */
    public void abandoned(JsonNode id) {
        abandoned(key(id));
    }

    private void abandoned(String k) {
        synchronized (this) {
            Running r = running.get(k);
            if (r != null && r.expiry == null) {
                r.expiry = timers().schedule(() -> expired(k, r), waitMillis, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** As {@link #abandoned} for every request in a client message (or batch) whose answer will not come. */
    public void abandonedRequests(byte[] body) {
        List<String> ids = new ArrayList<>(1);
        try (JsonParser p = JSON.createParser(body)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_ARRAY) {
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    objectId(p, ids, true);
                }
            } else if (t == JsonToken.START_OBJECT) {
                objectId(p, ids, true);
            }
        } catch (IOException notJson) {
            return;
        }
        for (String k : ids) {
            abandoned(k);
        }
    }

    /** The session is over (the server is gone): nothing runs any more. */
    public void ended() {
        synchronized (this) {
            for (Running r : running.values()) {
                if (r.expiry != null) {
                    r.expiry.cancel(false);
                }
            }
            running.clear();
            update();
            releaseNext();
        }
    }

    /**
     * Blocks until no call waits or is being judged, at most {@code millis}: for a transport that
     * must not close the server's input while a judged call may still be forwarded. Never on an
     * event loop.
     */
    public boolean awaitNoWaiters(long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (this) {
            while (!waiting.isEmpty() || turn != null) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }

    private synchronized void expired(String k, Running r) {
        if (running.get(k) == r) {
            running.remove(k);
            update();
            releaseNext();
        }
    }

    private void expire(Waiter w) {
        String why;
        synchronized (this) {
            if (w.started || !waiting.remove(w)) {
                return;
            }
            w.started = true;
            why = describeRunning();
            update();
        }
        w.start(why);
    }

    private synchronized void turnDone(Waiter w) {
        if (turn == w) {
            turn = null;
        }
        update();
        releaseNext();
        notifyAll();
    }

    /** Under the lock: the next waiting call is judged when nothing runs and no other is being judged. */
    private void releaseNext() {
        if (turn != null || !running.isEmpty()) {
            return;
        }
        Waiter w = waiting.poll();
        if (w == null) {
            notifyAll();
            return;
        }
        w.started = true;
        if (w.deadline != null) {
            w.deadline.cancel(false);
        }
        turn = w;
        update();
        w.start(null);
    }

    private void update() {
        changing = !running.isEmpty();
        quiet = running.isEmpty() && waiting.isEmpty() && turn == null;
    }

    /** Under the lock: why a waiting call is refused, naming what still runs. */
    private String describeRunning() {
        if (running.isEmpty()) {
            return "the calls before it that may change files were still being judged after " + seconds(waitMillis);
        }
        StringBuilder b = new StringBuilder();
        int n = 0;
        long now = System.nanoTime();
        for (Iterator<Map.Entry<String, Running>> it = running.entrySet().iterator(); it.hasNext() && n < 3; n++) {
            Map.Entry<String, Running> e = it.next();
            if (n > 0) {
                b.append(", ");
            }
            b.append("tools/call ").append(e.getValue().tool).append(" (id ").append(e.getKey().substring(2)).append(", running ")
                    .append(seconds(TimeUnit.NANOSECONDS.toMillis(now - e.getValue().startedNanos))).append(')');
        }
        if (running.size() > n) {
            b.append(" and ").append(running.size() - n).append(" more");
        }
        return b + (running.size() == 1 ? " was" : " were") + " still not answered after " + seconds(waitMillis)
                + " of waiting";
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? (millis / 1000) + " s" : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    /** The map key of a request id: its type and text ({@code 1} and {@code "1"} are different ids). */
    static String key(JsonNode id) {
        if (id == null || id.isNull()) {
            return "z:";
        }
        return (id.isTextual() ? "s:" : "n:") + id.asText();
    }

    /** The ids of the responses in a server message (requests and notifications from the server are not answers). */
    static List<String> answeredIds(byte[] body, int off, int len) {
        List<String> out = new ArrayList<>(1);
        try (JsonParser p = JSON.createParser(body, off, len)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_ARRAY) {
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    objectId(p, out, false);
                }
            } else if (t == JsonToken.START_OBJECT) {
                objectId(p, out, false);
            }
        } catch (IOException notJson) {
            // not an answer the client can take either
        }
        return out;
    }

    /**
     * With the parser on an object's start: adds its id when it is a response ({@code request}
     * false) or a request ({@code request} true); leaves the parser at its end.
     */
    private static void objectId(JsonParser p, List<String> out, boolean request) throws IOException {
        String id = null;
        boolean method = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if ("id".equals(name)) {
                if (v == JsonToken.VALUE_STRING) {
                    id = "s:" + p.getText();
                } else if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
                    id = "n:" + p.getText();
                }
            } else if ("method".equals(name)) {
                method = true;
            }
            p.skipChildren();
        }
        if (id != null && method == request) {
            out.add(id);
        }
    }

    private static long configuredWait() {
        String v = System.getenv(WAIT_VARIABLE);
        if (v != null) {
            try {
                long ms = Long.parseLong(v.trim());
                if (ms > 0) {
                    return ms;
                }
            } catch (NumberFormatException ignored) {
                // the default, as for any unreadable setting
            }
            System.err.println("agent-trace: ignoring " + WAIT_VARIABLE + "=" + v + " (a positive number of milliseconds); using "
                    + DEFAULT_WAIT_MILLIS);
        }
        return DEFAULT_WAIT_MILLIS;
    }

    private static ScheduledExecutorService timers() {
        ScheduledExecutorService t = timers;
        if (t == null) {
            synchronized (ChangeFence.class) {
                t = timers;
                if (t == null) {
                    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
                        Thread th = new Thread(r, "agent-trace-change-fence");
                        th.setDaemon(true);
                        return th;
                    });
                    s.setRemoveOnCancelPolicy(true);
                    timers = t = s;
                }
            }
        }
        return t;
    }
}
