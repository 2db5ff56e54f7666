package dev.agenttrace.rules.scope.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PathGlobTest {
    private final PathNormaliser paths = PathNormaliser.ofRealPaths(Path.of("/work/proj"), Path.of("/home/u"));

    private boolean deny(String pattern, String path) {
        return PathGlob.compile(pattern, true).matches(paths.normalise(path), paths, false);
    }

    private boolean allow(String pattern, String path) {
        return PathGlob.compile(pattern, false).matches(paths.normalise(path), paths, true);
    }

    @Test
    void patternWithoutSlashMatchesTheNameAtAnyDepthInsideAndOutsideTheRoot() {
        assertTrue(deny(".env", ".env"));
        assertTrue(deny(".env", "src/.env"));
        assertTrue(deny(".env", "/work/proj/config/.env"));
        assertTrue(deny(".env", "/etc/app/.env"));
        assertFalse(deny(".env", "src/.envrc"));
        assertFalse(deny(".env", "environment.py"));
        assertTrue(deny("*.pem", "/etc/ssl/server.pem"));
    }

    @Test
    void starStaysInOneDirectoryAndDoubleStarSpansThem() {
        assertTrue(allow("src/*.py", "src/a.py"));
        assertFalse(allow("src/*.py", "src/sub/a.py"));
        assertTrue(allow("src/**/*.py", "src/sub/deep/a.py"));
        assertTrue(allow("src/**/*.py", "src/a.py"));
        assertTrue(deny("**/production.env", "production.env"));
        assertTrue(deny("**/production.env", "a/b/production.env"));
    }

    @Test
    void aDirectoryPatternCoversItsContentsAndTrailingDoubleStarCoversTheDirectory() {
        assertTrue(deny(".git", ".git/config"));
        assertTrue(allow("src/**", "src"));
        assertTrue(allow("src/", "src/a/b.py"));
        assertFalse(allow("src/**", "srcx/a.py"));
    }

    @Test
    void supportsQuestionMarkClassesAndAlternatives() {
        assertTrue(allow("{src,tests}/**", "tests/t.py"));
        assertTrue(allow("{src,tests}/**", "src/x"));
        assertFalse(allow("{src,tests}/**", "docs/x"));
        assertTrue(allow("file?.txt", "file1.txt"));
        assertFalse(allow("file?.txt", "file10.txt"));
        assertTrue(allow("v[0-9].txt", "v3.txt"));
        assertFalse(allow("v[!0-9].txt", "v3.txt"));
    }

    @Test
    void anchorsPatternsWithSlashesAtTheRootAndNeverAdmitsEscapesWithThem() {
        assertTrue(allow("src/**", "/work/proj/src/a.py"));
        assertFalse(allow("src/**", "/other/src/a.py"));
        assertFalse(allow("**", "/etc/passwd"));
        assertFalse(allow("*.py", "/tmp/x.py"));
    }

    @Test
    void absoluteAndHomePatternsMatchWhereTheyPoint() {
        assertTrue(deny("/proc/**", "/proc/self/environ"));
        assertTrue(deny("~/.ssh/**", "~/.ssh/id_rsa"));
        assertTrue(deny("~/.ssh/**", "/home/u/.ssh/id_rsa"));
        assertFalse(deny("~/.ssh/**", "/home/other/.ssh/id_rsa"));
        assertTrue(allow("/tmp/scratch/**", "/tmp/scratch/x"));
    }

    @Test
    void denyIsCaseInsensitiveAndAllowIsNot() {
        assertTrue(deny(".env", "src/.ENV"));
        assertFalse(allow("src/**", "SRC/a.py"));
    }

    @Test
    void rejectsBadGlobsWithTheOffsetAndAFix() {
        GlobSyntaxException e = assertThrows(GlobSyntaxException.class, () -> PathGlob.compile("src/[abc", false));
        assertEquals(4, e.offset());
        assertThrows(GlobSyntaxException.class, () -> PathGlob.compile("{a,b", false));
        assertThrows(GlobSyntaxException.class, () -> PathGlob.compile("a}", false));
        GlobSyntaxException star = assertThrows(GlobSyntaxException.class, () -> PathGlob.compile("src/**.py", false));
        assertTrue(star.fix().contains("src/**/*.py"), star.fix());
        assertThrows(GlobSyntaxException.class, () -> PathGlob.compile("", false));
    }
}
