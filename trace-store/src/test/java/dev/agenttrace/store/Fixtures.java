package dev.agenttrace.store;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The stores written by the real Python agent-strace (tests/fixtures, on the test classpath). */
final class Fixtures {
    static final List<String> SESSIONS = List.of("0000000000000002", "31779b9b93994e44", "7f3e9a10-hooks-s",
            "ffff000000000001", "torn0000000000aa");

    private Fixtures() {
    }

    /** The fixture store; fails (never skips) when it is missing, so CI cannot pass by accident. */
    static Path store() {
        Path p = onClasspath("/fixtures/agent-strace/.agent-traces");
        if (!Files.isDirectory(p)) {
            fail("fixture store missing: " + p + " (tests/fixtures is copied to the test classpath by the build)");
        }
        return p;
    }

    /** A directory of the test classpath (tests/fixtures is there under /fixtures). */
    static Path onClasspath(String resource) {
        java.net.URL url = Fixtures.class.getResource(resource);
        if (url == null) {
            throw new AssertionError("not on the test classpath: " + resource + " (run the build: mvn -B verify)");
        }
        try {
            return Path.of(url.toURI());
        } catch (java.net.URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    static Path session(String id) {
        return store().resolve(id);
    }

    /** The lines of a file, split exactly at '\n' (the last element is what follows the last newline). */
    static List<String> rawLines(Path file) throws IOException {
        String s = Files.readString(file);
        return List.of(s.split("\n", -1));
    }

    static List<String> sessionDirs() throws IOException {
        try (Stream<Path> s = Files.list(store())) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
