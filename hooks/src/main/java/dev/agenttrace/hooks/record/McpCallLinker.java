package dev.agenttrace.hooks.record;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.SessionMeta;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceStore;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Links an MCP tool call an agent's hooks report ({@code mcp__<server>__<tool>}, Gemini CLI's
 * {@code mcp_<server>_<tool>}) to the same call
 * recorded by {@code agent-trace record --name <server>} (what {@code agent-trace wrap} puts around
 * the agent's MCP servers), so the one call is not counted twice across sessions.
 *
 * <p>At PostToolUse (never on a PreToolUse answer path) the hook session hands the call over; on a
 * thread of its own, the linker looks in the stores it knows for a session whose
 * {@code agent_name} is the server, written to recently, holding a {@code tool_call} of that tool
 * with equal arguments between the hook's call and its result (plus a grace of
 * {@link #GRACE_S} s). The nearest such call not linked already wins; the hook session then gets a
 * {@code decision {kind: "mcp_link", linked_session_id, linked_event_id, mcp_server, mcp_tool}}
 * whose {@code parent_id} is its own call. The record side is another process's file and is left
 * as it is: the record copy is the one every analysis counts, the hook copy is the one skipped.
 * A record session may be a moment behind (its writer flushes in batches): the search is tried
 * again a few times over about three seconds. Each store's sessions are read incrementally (byte
 * offsets kept), so a long-running server session is not re-read for every call.
 */
public final class McpCallLinker implements AutoCloseable {
    /** Seconds around the hook's call and result a recorded call may lie in (clocks of one machine, writer batching). */
    static final double GRACE_S = 2.0;
    private static final long[] RETRY_MS = {50, 250, 1000, 3000};
    private static final int MAX_RECENT = 512;
    private static final int MAX_QUEUE = 4096;

    private final List<TraceStore> stores;
    private final ScheduledThreadPoolExecutor exec;
    private final Map<Path, Cursor> cursors = new HashMap<>();
    private final LinkedHashSet<String> taken = new LinkedHashSet<>();

    /** What was read of one record session so far. */
    private static final class Cursor {
        long offset;
        long nextLine;
        String agentName;
        long metaStamp = Long.MIN_VALUE;
        final ArrayDeque<TraceEvent> calls = new ArrayDeque<>();
    }

    /** A call found in a record session. */
    public record Link(String sessionId, String eventId, Path store) {
    }

    public McpCallLinker(List<TraceStore> stores) {
        this.stores = List.copyOf(stores);
        this.exec = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "agent-trace-mcp-linker");
            t.setDaemon(true);
            return t;
        });
        exec.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** {@code mcp__server__tool} as {server, tool}; null for any other tool name. */
    public static String[] split(String toolName) {
        if (toolName == null || !toolName.startsWith("mcp__")) {
            return null;
        }
        int sep = toolName.indexOf("__", 5);
        if (sep <= 5 || sep + 2 >= toolName.length()) {
            return null;
        }
        return new String[] {toolName.substring(5, sep), toolName.substring(sep + 2)};
    }

    /**
     * The {server, tool} pairs a hook's tool name may stand for: Claude Code's and Codex's
     * {@code mcp__server__tool}, or Gemini CLI's {@code mcp_server_tool}, where both names may hold
     * an underscore, so every split is a candidate (the recorded session's name decides); empty for
     * any other tool name.
     */
    public static List<String[]> candidates(String toolName) {
        String[] claude = split(toolName);
        if (claude != null) {
            return List.<String[]>of(claude);
        }
        if (toolName == null || !toolName.startsWith("mcp_") || toolName.startsWith("mcp__")) {
            return List.of();
        }
        List<String[]> out = new java.util.ArrayList<>();
        for (int i = toolName.indexOf('_', 5); i > 0 && i < toolName.length() - 1; i = toolName.indexOf('_', i + 1)) {
            out.add(new String[] {toolName.substring(4, i), toolName.substring(i + 1)});
        }
        return out;
    }

    /**
     * Looks for the recorded twin of a hook's MCP call, later and on the linker's thread; a link
     * found is written into {@code session}. Returns at once; dropped when the queue is full.
     */
    public void linkLater(HookSession session, String hookCallEventId, String toolName, JsonNode arguments, double callTs, double resultTs) {
        List<String[]> candidates = candidates(toolName);
        if (candidates.isEmpty() || hookCallEventId == null || exec.getQueue().size() >= MAX_QUEUE) {
            return;
        }
        schedule(session, hookCallEventId, candidates, arguments, callTs, resultTs, 0);
    }

    private void schedule(HookSession session, String hookId, List<String[]> candidates, JsonNode args, double from, double to, int attempt) {
        try {
            exec.schedule(() -> {
                for (String[] st : candidates) {
                    Link l = find(st[0], st[1], args, from - GRACE_S, to + GRACE_S);
                    if (l != null) {
                        session.linked(hookId, st[0], st[1], l.sessionId(), l.eventId());
                        return;
                    }
                }
                if (attempt + 1 < RETRY_MS.length) {
                    schedule(session, hookId, candidates, args, from, to, attempt + 1);
                }
            }, RETRY_MS[attempt], TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: the call stays unlinked (counted in both sessions)
        }
    }

    /** The nearest unlinked recorded call of {@code tool} on {@code server} with these arguments in [from, to]; null if none. */
    synchronized Link find(String server, String tool, JsonNode args, double from, double to) {
        Link best = null;
        double bestGap = Double.MAX_VALUE;
        double mid = from + GRACE_S;
        for (TraceStore store : stores) {
            Path dir = store.dir();
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    Path events = p.resolve("events.ndjson");
                    long modified;
                    try {
                        modified = Files.getLastModifiedTime(events).toMillis();
                    } catch (IOException e) {
                        continue;
                    }
                    if (modified < (from - 60) * 1000) {
                        continue; // not written to around the call
                    }
                    String id = p.getFileName().toString();
                    Cursor c = cursors.computeIfAbsent(p, k -> new Cursor());
                    if (!server.equals(agentName(store, id, p, c))) {
                        continue;
                    }
                    read(store, id, c);
                    for (TraceEvent e : c.calls) {
                        JsonNode d = e.data();
                        if (e.timestamp() < from || e.timestamp() > to || !tool.equals(d.path("tool_name").asText(null))
                                || taken.contains(id + "/" + e.eventId()) || !sameArguments(d.get("arguments"), args)) {
                            continue;
                        }
                        double gap = Math.abs(e.timestamp() - mid);
                        if (gap < bestGap) {
                            bestGap = gap;
                            best = new Link(id, e.eventId(), dir);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // a store that cannot be listed now: the next attempt tries again
            }
        }
        if (best != null) {
            taken.add(best.sessionId() + "/" + best.eventId());
            if (taken.size() > 16 * MAX_RECENT) {
                var it = taken.iterator();
                it.next();
                it.remove();
            }
        }
        return best;
    }

    private static String agentName(TraceStore store, String id, Path dir, Cursor c) {
        try {
            var attrs = Files.readAttributes(dir.resolve("meta.json"), java.nio.file.attribute.BasicFileAttributes.class);
            long stamp = attrs.lastModifiedTime().toMillis() * 31 + attrs.size();
            if (stamp != c.metaStamp) {
                SessionMeta m = store.meta(id);
                c.agentName = m.agentName;
                c.metaStamp = stamp;
            }
        } catch (IOException | RuntimeException e) {
            return c.agentName;
        }
        return c.agentName;
    }

    private static void read(TraceStore store, String id, Cursor c) {
        byte[] needle = "tool_call".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        TraceStore.EventScan s = store.scanEvents(id, c.offset, c.nextLine, false, (buf, off, len) -> contains(buf, off, len, needle),
                (e, line, end) -> {
                    if (EventTypes.TOOL_CALL.equals(e.eventType()) && e.data() != null && e.eventId() != null) {
                        c.calls.addLast(e);
                        if (c.calls.size() > MAX_RECENT) {
                            c.calls.pollFirst();
                        }
                    }
                    return false;
                });
        c.offset = s.endOffset();
        c.nextLine = s.nextLine();
    }

    private static boolean contains(byte[] buf, int off, int len, byte[] needle) {
        outer:
        for (int i = off; i <= off + len - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (buf[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Equal arguments; an absent or null argument object equals an empty one. */
    static boolean sameArguments(JsonNode recorded, JsonNode hook) {
        boolean r0 = recorded == null || recorded.isNull() || (recorded.isObject() && recorded.isEmpty());
        boolean h0 = hook == null || hook.isNull() || (hook.isObject() && hook.isEmpty());
        if (r0 || h0) {
            return r0 && h0;
        }
        return recorded.equals(hook);
    }

    @Override
    public void close() {
        exec.shutdownNow();
    }

    /** For tests: waits for the searches queued so far. */
    void awaitIdle(long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end && (exec.getQueue().size() > 0 || exec.getActiveCount() > 0)) {
            Thread.sleep(20);
        }
    }

    /** A listing of what was read, for no one but a debugger. */
    @Override
    public synchronized String toString() {
        List<String> s = new ArrayList<>();
        cursors.forEach((p, c) -> s.add(p.getFileName() + "=" + c.agentName + ":" + c.calls.size()));
        return "McpCallLinker" + s;
    }
}
