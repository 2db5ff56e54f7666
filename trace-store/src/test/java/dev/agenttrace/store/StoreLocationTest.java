package dev.agenttrace.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The documented order of where the store is: option, variable, config, project root, per-user store. */
class StoreLocationTest {
    @TempDir
    Path tmp;

    private StoreLocation at(Path explicit, Map<String, String> env, Path configured, Path wd) {
        return StoreLocation.resolve(explicit, env, configured, "config.json", wd, tmp.resolve("home"));
    }

    @Test
    void theOptionBeatsTheVariableWhichBeatsTheConfig() {
        Path wd = tmp.resolve("proj");
        assertEquals(wd.resolve("t"), at(Path.of("t"), Map.of("AGENT_TRACE_DIR", "/e"), Path.of("/c"), wd).dir());
        assertEquals("--trace-dir", at(Path.of("t"), Map.of(), null, wd).why());
        StoreLocation env = at(null, Map.of("AGENT_TRACE_DIR", "/e"), Path.of("/c"), wd);
        assertEquals(Path.of("/e"), env.dir());
        assertEquals("$AGENT_TRACE_DIR", env.why());
        StoreLocation conf = at(null, Map.of("AGENT_TRACE_DIR", " "), Path.of("/c"), wd);
        assertEquals(Path.of("/c"), conf.dir());
        assertTrue(conf.why().contains("config.json"), conf.why());
    }

    @Test
    void aServerStartedInASubdirectoryRecordsIntoItsProjectRoot() throws IOException {
        Path project = Files.createDirectories(tmp.resolve("proj"));
        Files.createDirectory(project.resolve(".git"));
        Path deep = Files.createDirectories(project.resolve("src/main"));
        StoreLocation l = at(null, Map.of(), null, deep);
        assertEquals(project.resolve(".agent-traces"), l.dir());
        assertTrue(l.why().startsWith("the project root of"), l.why());
        assertEquals("the working directory", at(null, Map.of(), null, project).why());
    }

    @Test
    void withoutAProjectMarkerTheWorkingDirectoryHoldsTheStore() throws IOException {
        Path plain = Files.createDirectories(tmp.resolve("plain/dir"));
        assertEquals(plain.resolve(".agent-traces"), at(null, Map.of(), null, plain).dir());
    }

    @Test
    void theRootTheHomeDirectoryAndUnwritableDirectoriesFallBackToThePerUserStore() throws IOException {
        Path home = Files.createDirectories(tmp.resolve("home"));
        assertEquals(home.resolve(".agent-traces"), at(null, Map.of(), null, Path.of("/")).dir());
        assertEquals(home.resolve(".agent-traces"), at(null, Map.of(), null, home).dir());
        Path locked = Files.createDirectories(tmp.resolve("locked"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            // root may write anywhere: only then is the project directory writable after all
            boolean root = Files.isWritable(locked);
            StoreLocation l = at(null, Map.of(), null, locked);
            assertEquals(root ? locked.resolve(".agent-traces") : home.resolve(".agent-traces"), l.dir(), l.why());
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aNewStoreGetsAGitignoreOnceAndAUsersEditStays() throws IOException {
        Path store = tmp.resolve("p/.agent-traces");
        assertTrue(StoreLocation.prepare(store));
        Path ignore = store.resolve(".gitignore");
        assertTrue(Files.readString(ignore).lines().anyMatch("*"::equals), "the store ignores all it holds");
        Files.writeString(ignore, "mine\n");
        assertFalse(StoreLocation.prepare(store));
        assertEquals("mine\n", Files.readString(ignore));
        Path existing = Files.createDirectories(tmp.resolve("q/.agent-traces"));
        assertFalse(StoreLocation.prepare(existing));
        assertFalse(Files.exists(existing.resolve(".gitignore")), "a store agent-strace made is left as it is");
    }
}
