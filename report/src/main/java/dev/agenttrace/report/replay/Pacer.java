package dev.agenttrace.report.replay;

/** Time for replay and follow: the system's, or a test's that only counts. */
public interface Pacer {
    Pacer SYSTEM = millis -> {
        if (millis > 0) {
            Thread.sleep(millis);
        }
    };

    void sleep(long millis) throws InterruptedException;
}
