package dev.agenttrace.rules.watch;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** The agent-strace fixture store: tests/fixtures, copied onto the test classpath by the build. */
final class TestFixtures {
    private TestFixtures() {
    }

    static Path agentStraceStore() {
        URL url = TestFixtures.class.getResource("/fixtures/agent-strace/.agent-traces");
        if (url == null) {
            throw new AssertionError("fixture store not on the test classpath (the build copies tests/fixtures there)");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }
}
