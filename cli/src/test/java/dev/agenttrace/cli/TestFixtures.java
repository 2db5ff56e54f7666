package dev.agenttrace.cli;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** The agent-strace fixture store: tests/fixtures, copied onto the test classpath by the build. */
final class TestFixtures {
    private TestFixtures() {
    }

    /** Copies the fixture store into {@code dir}, for a test that may change it. */
    static void copyAgentStraceStore(Path dir) throws java.io.IOException {
        Path from = agentStraceStore();
        try (java.util.stream.Stream<Path> all = java.nio.file.Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = dir.resolve(from.relativize(p).toString());
                if (java.nio.file.Files.isDirectory(p)) {
                    java.nio.file.Files.createDirectories(target);
                } else {
                    java.nio.file.Files.copy(p, target);
                }
            }
        }
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
