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

    @Test
    void readersReadEveryTraceDirGivenAndNothingElse() throws IOException {
        Files.createDirectories(tmp.resolve("home/.agent-traces"));
        Path wd = tmp.resolve("proj");
        var l = StoreLocation.forReading(java.util.List.of(Path.of("a"), Path.of("/b")), Map.of(), null, "c", wd, tmp.resolve("home"));
        assertEquals(java.util.List.of(wd.resolve("a"), Path.of("/b")), l.stream().map(StoreLocation::dir).toList());
        assertTrue(l.stream().allMatch(x -> x.why().equals("--trace-dir")));
    }

    @Test
    void readersAlsoReadThePerUserStoreWhenItExistsAndIsAnother() throws IOException {
        Path home = tmp.resolve("home");
        Path project = Files.createDirectories(tmp.resolve("proj"));
        Files.createDirectory(project.resolve(".git"));
        var none = StoreLocation.forReading(java.util.List.of(), Map.of(), null, "c", project, home);
        assertEquals(java.util.List.of(project.resolve(".agent-traces")), none.stream().map(StoreLocation::dir).toList(),
                "no per-user store on disk: only the project's");
        Files.createDirectories(home.resolve(".agent-traces"));
        var two = StoreLocation.forReading(java.util.List.of(), Map.of(), null, "c", project, home);
        assertEquals(java.util.List.of(project.resolve(".agent-traces"), home.resolve(".agent-traces")),
                two.stream().map(StoreLocation::dir).toList());
        assertEquals(StoreLocation.USER_STORE_TOO, two.get(1).why());
        var inHome = StoreLocation.forReading(java.util.List.of(), Map.of(), null, "c", home, home);
        assertEquals(1, inHome.size(), "the per-user store is the store: read once");
        var env = StoreLocation.forReading(java.util.List.of(), Map.of("AGENT_TRACE_DIR", "/e"), null, "c", project, home);
        assertEquals(java.util.List.of(Path.of("/e")), env.stream().map(StoreLocation::dir).toList(), "$AGENT_TRACE_DIR names the one store");
        var conf = StoreLocation.forReading(java.util.List.of(), Map.of(), Path.of("/c"), "c", project, home);
        assertEquals(2, conf.size(), "a config's trace_dir plus the per-user store");
    }
}
