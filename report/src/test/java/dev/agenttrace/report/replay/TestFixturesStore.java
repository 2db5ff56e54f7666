package dev.agenttrace.report.replay;

import dev.agenttrace.report.TestSessions;
import java.io.IOException;
import java.nio.file.Path;

final class TestFixturesStore {
    private TestFixturesStore() {
    }

    static Path copy(Path dir) throws IOException {
        TestSessions.copyFixtures(dir);
        return dir;
    }
}
