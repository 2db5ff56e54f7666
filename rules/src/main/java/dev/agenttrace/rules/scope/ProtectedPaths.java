package dev.agenttrace.rules.scope;

import dev.agenttrace.rules.scope.paths.NormalisedPath;
import dev.agenttrace.rules.scope.paths.PathGlob;
import dev.agenttrace.rules.scope.paths.PathNormaliser;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What no judged call may write, whatever the policy says (unless it says {@code "protect": false}):
 * the firewall's own policy, watch and config files (a project's {@code .agent-trace.json} can turn
 * enforce into shadow, the user's {@code ~/.config/agent-trace/} names the default policy), the trace
 * store, and the files through which an agent
 * is configured to run hooks and MCP servers. An agent that could rewrite any of them could switch
 * the firewall off (an emptied {@code .agent-scope.json} reloaded), or have its next session start
 * without the proxy.
 *
 * <p>Two forms: names matched at any depth and outside the root ({@code .agent-scope.json},
 * {@code .mcp.json}, {@code .claude/settings*.json}, ...), for single-file writes; and concrete
 * locations (the policy file in force, the trace store, each name under the root and the home
 * directory), so that a command deleting or overwriting a whole tree ({@code rm -rf .},
 * {@code git clean -fdx}, {@code unzip -o}) is caught when the tree holds one of them.
 */
final class ProtectedPaths {
    /** Names any project or home directory may hold; deny-style (case-insensitive) globs. */
    static final List<String> NAMES = List.of(".agent-scope.json", ".agent-watch.json", ".watch-rules.json", ".agent-trace.json",
            "**/.config/agent-trace", ".agent-traces", ".agent-strace", ".windsurf",
            ".mcp.json", "**/.claude/settings*.json", "**/.claude/hooks", ".claude.json", ".cursor", "**/.gemini/settings.json",
            ".codex", "**/.vscode/mcp.json", "**/.codeium/windsurf/mcp_config.json", "**/.continue/config.json", ".github/hooks");
    private static final List<String> UNDER_ROOT_AND_HOME = List.of(".agent-scope.json", ".agent-watch.json", ".watch-rules.json",
            ".agent-trace.json", ".config/agent-trace", ".windsurf", ".agent-traces",
            ".agent-strace", ".mcp.json", ".claude/settings.json", ".claude/settings.local.json", ".claude/hooks",
            ".claude.json", ".cursor", ".gemini/settings.json", ".codex", ".vscode/mcp.json", ".codeium/windsurf/mcp_config.json", ".github/hooks");
    private static final List<PathGlob> GLOBS = compile();

    private final List<String> locations;

    ProtectedPaths(JudgeContext context) {
        List<String> l = new ArrayList<>();
        for (Path p : context.protectedFiles()) {
            l.add(p.toString());
        }
        for (String name : UNDER_ROOT_AND_HOME) {
            l.add(context.root() + "/" + name);
            l.add(context.home() + "/" + name);
            if (context.serverHome() != null) {
                l.add(context.serverHome() + "/" + name);
            }
        }
        this.locations = List.copyOf(l);
    }

    private static List<PathGlob> compile() {
        List<PathGlob> globs = new ArrayList<>();
        for (String n : NAMES) {
            globs.add(PathGlob.compile(n, true));
        }
        return List.copyOf(globs);
    }

    /** The protected name or location the path is, or lies inside; null if none. */
    String protecting(NormalisedPath path, PathNormaliser paths) {
        for (PathGlob g : GLOBS) {
            if (g.matches(path, paths, false)) {
                return g.text();
            }
        }
        for (String l : locations) {
            if (isUnder(path.absolute(), l)) {
                return l;
            }
        }
        return null;
    }

    /** A protected location inside the tree at {@code dir} (or the tree itself), or null. */
    String insideTree(String dir) {
        for (String l : locations) {
            if (isUnder(l, dir)) {
                return l;
            }
        }
        return null;
    }

    static boolean isUnder(String path, String dir) {
        if (path.equalsIgnoreCase(dir)) {
            return true;
        }
        if (dir.equals("/")) {
            return true;
        }
        return path.length() > dir.length() && path.regionMatches(true, 0, dir, 0, dir.length()) && path.charAt(dir.length()) == '/';
    }
}
