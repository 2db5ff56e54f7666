package dev.agenttrace.rules.scope.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellPathExpanderTest {
    @TempDir
    Path root;

    @Test
    void expandsGlobsLikeBashIncludingTheLeadingDotRule() throws IOException {
        Files.writeString(root.resolve(".env"), "x");
        Files.writeString(root.resolve("a.txt"), "x");
        ShellPathExpander expander = new ShellPathExpander(PathNormaliser.resolving(root, root));
        assertEquals(List.of(".env"), expander.expand(".e*", true));
        assertEquals(List.of("a.txt"), expander.expand("*", true));
        assertEquals(List.of("nomatch*"), expander.expand("nomatch*", true));
        assertEquals(List.of(".e*"), expander.expand(".e*", false));
    }

    @Test
    void substitutesHomeAndPwd() throws IOException {
        PathNormaliser n = PathNormaliser.resolving(root, Path.of("/home/u"));
        ShellPathExpander expander = new ShellPathExpander(n);
        assertEquals(List.of("/home/u/.ssh/id_rsa"), expander.expand("$HOME/.ssh/id_rsa", false));
        assertEquals(List.of("/home/u/.aws"), expander.expand("${HOME}/.aws", false));
        assertEquals(List.of("$HOMEX/y"), expander.expand("$HOMEX/y", false));
        assertEquals(List.of(n.root() + "/.env"), expander.expand("$PWD/.env", false));
    }
}
