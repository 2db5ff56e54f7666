package dev.agenttrace.mcp;

import java.net.URISyntaxException;
import java.net.URL;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.stream.Stream;

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

    /**
     * A copy of the fixture store in a new temporary directory whose store directory has no owner
     * write bit: read-only by intent, which the store honours whoever runs it (root included, for
     * whom the permission alone would not stop a write).
     */
    static Path readOnlyCopy() {
        try {
            Path store = Files.createTempDirectory("agent-trace-fixtures").resolve(".agent-traces");
            Path from = agentStraceStore();
            try (Stream<Path> all = Files.walk(from)) {
                for (Path p : (Iterable<Path>) all::iterator) {
                    Files.copy(p, store.resolve(from.relativize(p).toString()));
                }
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(store);
            perms.remove(PosixFilePermission.OWNER_WRITE);
            Files.setPosixFilePermissions(store, perms);
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
