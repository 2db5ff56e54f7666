package dev.agenttrace.rules.scope.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PathNormaliserTest {
    @TempDir
    Path base;
    Path root;
    Path home;
    PathNormaliser paths;

    @BeforeEach
    void layout() throws IOException {
        root = Files.createDirectories(base.resolve("proj"));
        home = Files.createDirectories(base.resolve("home"));
        Files.createDirectories(base.resolve("outside"));
        Files.writeString(root.resolve(".env"), "SECRET=1");
        Files.createDirectories(root.resolve("src"));
        Files.createSymbolicLink(root.resolve("escape"), base.resolve("outside"));
        Files.createSymbolicLink(root.resolve("src/innocent.txt"), Path.of("../.env"));
        Files.createSymbolicLink(root.resolve("dangling"), base.resolve("outside/new-file"));
        paths = PathNormaliser.resolving(root, home);
    }

    private String real(Path p) throws IOException {
        return p.toRealPath().toString();
    }

    @Test
    void makesPathsInsideTheRootRelative() {
        assertEquals("src/a.py", paths.normalise("src/a.py").relative());
        assertEquals("src/a.py", paths.normalise(root + "/src/a.py").relative());
        assertEquals("src/a.py", paths.normalise("./src/./x/../a.py").relative());
        assertEquals("", paths.normalise(".").relative());
        assertEquals(".", paths.normalise(root.toString()).display());
    }

    @Test
    void resolvesTraversalOutOfTheRoot() throws IOException {
        NormalisedPath p = paths.normalise("src/../../outside/secret");
        assertNull(p.relative());
        assertEquals(real(base) + "/outside/secret", p.absolute());
    }

    @Test
    void followsSymlinksThatEscapeOrPointAtDeniedFiles() throws IOException {
        assertNull(paths.normalise("escape/secret.txt").relative());
        assertEquals(".env", paths.normalise("src/innocent.txt").relative());
        assertEquals(real(base) + "/outside/new-file", paths.normalise("dangling").absolute());
    }

    @Test
    void resolvesDotDotAfterASymlinkPhysically() throws IOException {
        // escape -> ../outside, so escape/.. is the parent of outside, not the root
        NormalisedPath p = paths.normalise("escape/../proj/.env");
        assertEquals(".env", p.relative());
        assertEquals(real(base) + "/x", paths.normalise("escape/../x").absolute());
    }

    @Test
    void offersTheLexicalReadingOfDotDotWhenItDiffersFromTheKernels() throws IOException {
        var readings = paths.readings("escape/../proj/.env");
        assertEquals(2, readings.size());
        assertEquals(".env", readings.get(0).relative());
        assertEquals("proj/.env", readings.get(1).relative(), "lexically, escape/.. is the root itself");
        assertEquals(1, paths.readings("src/../.env").size());
        assertEquals(1, paths.readings("src/a.py").size());
    }

    @Test
    void expandsTildeAndOtherUsersHomes() throws IOException {
        assertEquals(real(home) + "/.ssh/id_rsa", paths.normalise("~/.ssh/id_rsa").absolute());
        assertEquals(real(home), paths.normalise("~").absolute());
        assertEquals(real(base) + "/bob/.ssh", paths.normalise("~bob/.ssh").absolute());
    }

    @Test
    void decodesFileUrlsAndTreatsBackslashesAsSeparators() {
        assertEquals(".env", paths.normalise("file://" + root + "/%2Eenv").relative());
        assertEquals(".env", paths.normalise("file://localhost" + root + "/src/%2e%2e/.env").relative());
        assertEquals(".env", paths.normalise("src\\..\\.env").relative());
    }

    @Test
    void rejectsNulBytesEvenWhenPercentEncoded() {
        assertFalse(paths.normalise(".env\0.txt").isValid());
        assertFalse(paths.normalise("file:///etc/passwd%00.txt").isValid());
    }
}
