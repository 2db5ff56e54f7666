package dev.agenttrace.rules.inline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agenttrace.rules.Guard;
import dev.agenttrace.rules.LivePolicy;
import dev.agenttrace.rules.PolicyMode;
import dev.agenttrace.rules.scope.JudgeContext;
import dev.agenttrace.store.mcp.Direction;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, "Time": a call that names paths is not judged while a call that may change files is
 * forwarded and unanswered, so a link made by the first is seen when the second is judged.
 */
@Timeout(60)
class ChangeFenceTest {
    @TempDir
    Path dir;
    Path root;
    Path home;
    Checkpoint checkpoint;
    final ExecutorService judging = Executors.newSingleThreadExecutor();
    /** The verdicts of calls that waited, in the order they were given. */
    final LinkedBlockingQueue<Object[]> late = new LinkedBlockingQueue<>();

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(dir.toRealPath().resolve("proj"));
        home = Files.createDirectories(dir.toRealPath().resolve("home"));
        Files.createDirectories(root.resolve("src"));
        Files.writeString(root.resolve("src/a.txt"), "a");
        Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(home.resolve(".ssh/id_rsa"), "PRIVATE KEY");
        Path policy = dir.resolve("policy.json");
        Files.writeString(policy, "{\"files\":{\"read\":{\"deny\":[\"~/.ssh/**\"]},\"write\":{\"allow\":[\"src/**\"]}}}");
        checkpoint = new Checkpoint(new Guard(LivePolicy.load(policy, new JudgeContext(root, home),
                new PrintStream(new ByteArrayOutputStream(), true), 0), PolicyMode.ENFORCE));
    }

    @AfterEach
    void tearDown() {
        judging.shutdownNow();
    }

    static byte[] call(int id, String tool, String argsJson) {
        return ("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + argsJson + "}}").getBytes(StandardCharsets.UTF_8);
    }

    static void answer(SessionRecorder rec, int id) {
        rec.message(Direction.SERVER_TO_CLIENT, ("{\"result\":{\"content\":[]},\"jsonrpc\":\"2.0\",\"id\":" + id + "}")
                .getBytes(StandardCharsets.UTF_8), "newline");
    }

    Checkpoint.Verdict send(SessionRecorder rec, byte[] body, int tag) {
        Checkpoint.Verdict v = checkpoint.clientMessage(body, "newline", rec, null, Checkpoint.Batches.SPLIT);
        if (v.waiting() != null) {
            v.waiting().then(judging, w -> late.add(new Object[] {tag, w}));
        }
        return v;
    }

    Object[] nextLate() throws InterruptedException {
        Object[] v = late.poll(20, TimeUnit.SECONDS);
        assertNotNull(v, "a waiting call was never judged");
        return v;
    }

    static String text(Checkpoint.Verdict v) {
        return v.reply() == null ? "" : new String(v.reply(), StandardCharsets.UTF_8);
    }

    @Test
    void aReadPipelinedBehindAChangeIsJudgedThroughTheLinkTheChangeMade() throws Exception {
        byte[] read = call(2, "read_file", "{\"path\":\"src/h/.ssh/id_rsa\"}");
        // judged the moment it arrives, the read names a path under src/ that does not exist yet: allowed
        assertTrue(checkpoint.clientMessage(read, "newline", new SessionRecorder(), null, Checkpoint.Batches.SPLIT).forwardOriginal());

        SessionRecorder rec = new SessionRecorder();
        assertTrue(send(rec, call(1, "write_file", "{\"path\":\"src/setup.sh\",\"content\":\"x\"}"), 1).forwardOriginal());
        Checkpoint.Verdict held = send(rec, read, 2);
        assertNotNull(held.waiting(), "the read waits for the write");
        assertFalse(held.forwards());
        // other traffic is not held: a ping, a notification, a tool that touches no files
        assertTrue(send(rec, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}".getBytes(StandardCharsets.UTF_8), 3).forwardOriginal());
        assertTrue(send(rec, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{}}".getBytes(StandardCharsets.UTF_8), 4)
                .forwardOriginal());
        assertTrue(send(rec, call(5, "update_plan", "{\"plan\":[]}"), 5).forwardOriginal());
        // the server runs the write (in this story, a script that links the home directory), then answers
        Files.createSymbolicLink(root.resolve("src/h"), home);
        answer(rec, 3);
        assertTrue(late.isEmpty(), "an answer to another request releases nothing");
        answer(rec, 1);
        Object[] v = nextLate();
        assertEquals(2, v[0]);
        Checkpoint.Verdict judged = (Checkpoint.Verdict) v[1];
        assertFalse(judged.forwards(), text(judged));
        assertTrue(text(judged).contains("NOT executed") && text(judged).contains(".ssh"), text(judged));
    }

    @Test
    void waitingCallsAreJudgedInOrderAndAChangeAmongThemRunsAlone() throws Exception {
        SessionRecorder rec = new SessionRecorder();
        send(rec, call(1, "Bash", "{\"command\":\"make\"}"), 1);
        assertNotNull(send(rec, call(2, "read_file", "{\"path\":\"src/a.txt\"}"), 2).waiting());
        assertNotNull(send(rec, call(3, "write_file", "{\"path\":\"src/b.txt\",\"content\":\"b\"}"), 3).waiting());
        assertNotNull(send(rec, call(4, "read_file", "{\"path\":\"src/a.txt\"}"), 4).waiting());
        answer(rec, 1);
        Object[] first = nextLate();
        Object[] second = nextLate();
        assertEquals(2, first[0]);
        assertEquals(3, second[0]);
        assertTrue(((Checkpoint.Verdict) first[1]).forwardOriginal());
        assertTrue(((Checkpoint.Verdict) second[1]).forwardOriginal());
        // the write now runs: the last read waits for it
        assertNull(late.poll(300, TimeUnit.MILLISECONDS), "judged while the write it follows was running");
        answer(rec, 3);
        Object[] third = nextLate();
        assertEquals(4, third[0]);
        assertTrue(((Checkpoint.Verdict) third[1]).forwardOriginal());
        // the late judgement hands its turn back just after it delivered its verdict
        assertTrue(rec.changeFence().awaitNoWaiters(10_000));
        // all answered: the next call is judged at once
        Checkpoint.Verdict now = send(rec, call(5, "read_file", "{\"path\":\"src/a.txt\"}"), 5);
        assertNull(now.waiting());
        assertTrue(now.forwardOriginal());
    }

    @Test
    void aChangeThatIsNeverAnsweredGetsWaitingCallsRefusedAtTheBoundNotJudgedAnyway() throws Exception {
        SessionRecorder rec = new SessionRecorder(new ChangeFence(200));
        send(rec, call(7, "Bash", "{\"command\":\"make\"}"), 7);
        send(rec, call(8, "read_file", "{\"path\":\"src/a.txt\"}"), 8);
        Object[] v = nextLate();
        Checkpoint.Verdict refused = (Checkpoint.Verdict) v[1];
        assertFalse(refused.forwards());
        String t = text(refused);
        assertTrue(t.contains("not judged in time") && t.contains("Bash (id 7") && t.contains("NOT executed")
                && t.contains("\"id\":8"), t);
        assertEquals("checkpoint", refused.refusals().get(0).by());
        // still running: the next one too; once answered, calls go through again
        send(rec, call(9, "read_file", "{\"path\":\"src/a.txt\"}"), 9);
        assertFalse(((Checkpoint.Verdict) nextLate()[1]).forwards());
        assertTrue(rec.changeFence().awaitNoWaiters(10_000));
        answer(rec, 7);
        assertTrue(send(rec, call(10, "read_file", "{\"path\":\"src/a.txt\"}"), 10).forwardOriginal());
    }

    @Test
    void aCancelledChangeStopsHoldingOthersOneBoundLater() throws Exception {
        SessionRecorder rec = new SessionRecorder(new ChangeFence(300));
        send(rec, call(1, "Bash", "{\"command\":\"make\"}"), 1);
        assertTrue(send(rec, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":1}}"
                .getBytes(StandardCharsets.UTF_8), 0).forwardOriginal());
        assertNotNull(send(rec, call(2, "read_file", "{\"path\":\"src/a.txt\"}"), 2).waiting());
        Object[] v = nextLate();
        assertEquals(2, v[0]);
        assertTrue(((Checkpoint.Verdict) v[1]).forwardOriginal(), text((Checkpoint.Verdict) v[1]));
    }

    @Test
    void shadowModeNeverWaits() throws Exception {
        Path policy = dir.resolve("policy.json");
        Checkpoint shadow = new Checkpoint(new Guard(LivePolicy.load(policy, new JudgeContext(root, home),
                new PrintStream(new ByteArrayOutputStream(), true), 0), PolicyMode.SHADOW));
        SessionRecorder rec = new SessionRecorder();
        shadow.clientMessage(call(1, "Bash", "{\"command\":\"make\"}"), "newline", rec, null, Checkpoint.Batches.SPLIT);
        Checkpoint.Verdict v = shadow.clientMessage(call(2, "read_file", "{\"path\":\"src/a.txt\"}"), "newline", rec, null,
                Checkpoint.Batches.SPLIT);
        assertNull(v.waiting());
        assertTrue(v.forwardOriginal());
    }

    @Test
    void serverRequestsAndNotificationsAreNotAnswers() {
        assertEquals(java.util.List.of("n:1", "s:x"), ChangeFence.answeredIds(
                "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"id\":5}},{\"id\":\"x\",\"error\":{}}]".getBytes(StandardCharsets.UTF_8), 0,
                66));
        assertEquals(java.util.List.of(), ChangeFence.answeredIds(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"sampling/createMessage\"}".getBytes(StandardCharsets.UTF_8), 0, 58));
    }
}
