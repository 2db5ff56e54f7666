package dev.agenttrace.export.otlp;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Says on stderr, once, that telemetry is being dropped and why; the counts go to the
 * {@code agent_trace.telemetry.dropped} metric and to one closing line. Never more: a collector
 * that stays down must not flood the agent's log.
 */
final class DropReport {
    private final PrintStream err;
    private final String where;
    private final AtomicBoolean said = new AtomicBoolean();

    DropReport(PrintStream err, String where) {
        this.err = err;
        this.where = where;
    }

    void dropped(String why) {
        if (said.compareAndSet(false, true)) {
            err.println("agent-trace: OpenTelemetry export to " + where + " is dropping telemetry (" + why
                    + "); drops are counted (agent_trace.telemetry.dropped) and forwarding is not affected");
        }
    }

    boolean said() {
        return said.get();
    }
}
