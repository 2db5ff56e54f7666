package dev.agenttrace.report.replay;

import dev.agenttrace.store.EventTail;
import dev.agenttrace.store.EventTypes;
import dev.agenttrace.store.TraceEvent;
import dev.agenttrace.store.TraceStore;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * {@code show --follow}: the events of a session another process is writing, as they are
 * appended, until its {@code session_end}, a quiet spell of {@code maxIdleSeconds} (a recorder
 * killed with SIGKILL never writes an end), or {@code stop}.
 */
public final class Follow {
    /** How the follow ended. */
    public enum End { SESSION_ENDED, IDLE, STOPPED }

    private Follow() {
    }

    /**
     * @param pollMillis     how often to look for new lines
     * @param maxIdleSeconds stop after this long without a new event; 0 = never
     * @param warnings       torn or unreadable lines, said once each
     */
    public static End follow(TraceStore store, String sessionId, Consumer<TraceEvent> each, Consumer<String> warnings,
                             long pollMillis, double maxIdleSeconds, BooleanSupplier stop, Pacer pacer) throws InterruptedException {
        EventTail tail = store.tail(sessionId);
        boolean[] ended = {false};
        long idleMillis = 0;
        while (!stop.getAsBoolean()) {
            int[] seen = {0};
            List<String> w = tail.poll(e -> {
                seen[0]++;
                each.accept(e);
                if (EventTypes.SESSION_END.equals(e.eventType())) {
                    ended[0] = true;
                }
            });
            w.forEach(warnings);
            if (ended[0]) {
                return End.SESSION_ENDED;
            }
            idleMillis = seen[0] > 0 ? 0 : idleMillis + pollMillis;
            if (maxIdleSeconds > 0 && idleMillis >= maxIdleSeconds * 1000) {
                return End.IDLE;
            }
            pacer.sleep(pollMillis);
        }
        return End.STOPPED;
    }
}
