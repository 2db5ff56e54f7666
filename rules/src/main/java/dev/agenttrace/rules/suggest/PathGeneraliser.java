package dev.agenttrace.rules.suggest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Paths read (or written) to allow-list globs: each path exactly, except that a directory under
 * which at least {@link PolicySuggester#DIRECTORY_THRESHOLD} distinct paths were touched becomes
 * {@code dir/**}. The deepest such directory wins and its paths are taken out before its parents
 * are counted, so {@code src/a/x, src/a/y, src/a/z, src/b/w} gives {@code src/a/**} and
 * {@code src/b/w}, not {@code src/**}. Never collapsed: the project root itself (only a tree read
 * of the whole root, such as a Grep without a path, allows {@code **}), the home directory, and
 * absolute directories less than two levels deep ({@code /usr/**} is never learned).
 */
final class PathGeneraliser {
    private PathGeneraliser() {
    }

    /** @return glob to the evidence for it, in a stable order */
    static Map<String, Evidence> generalise(Map<String, Evidence> paths, int threshold) {
        Map<String, Evidence> out = new LinkedHashMap<>();
        Map<String, Evidence> open = new TreeMap<>(paths);
        if (open.containsKey(".")) {
            Evidence all = open.remove(".");
            // a read of the whole root covers every relative path
            open.entrySet().removeIf(e -> {
                if (isRelative(e.getKey())) {
                    all.addAll(e.getValue());
                    return true;
                }
                return false;
            });
            out.put("**", all);
        }
        while (true) {
            String best = null;
            int bestDepth = -1;
            Map<String, Integer> counts = new TreeMap<>();
            for (String p : open.keySet()) {
                for (String dir : ancestors(p)) {
                    counts.merge(dir, 1, Integer::sum);
                }
            }
            for (Map.Entry<String, Integer> c : counts.entrySet()) {
                int depth = depth(c.getKey());
                if (c.getValue() >= threshold && depth > bestDepth) {
                    best = c.getKey();
                    bestDepth = depth;
                }
            }
            if (best == null) {
                break;
            }
            Evidence e = new Evidence();
            String prefix = best + "/";
            List<String> covered = new ArrayList<>();
            for (Map.Entry<String, Evidence> p : open.entrySet()) {
                if (p.getKey().startsWith(prefix) || p.getKey().equals(best)) {
                    e.addAll(p.getValue());
                    covered.add(p.getKey());
                }
            }
            covered.forEach(open::remove);
            out.put(Patterns.escapeGlob(best) + "/**", e);
        }
        for (Map.Entry<String, Evidence> p : open.entrySet()) {
            out.merge(Patterns.exactPath(p.getKey()), p.getValue(), (a, b) -> {
                a.addAll(b);
                return a;
            });
        }
        return out;
    }

    private static boolean isRelative(String p) {
        return !p.startsWith("/") && !p.startsWith("~");
    }

    /** Directories that may be collapsed to, deepest last: never the root, the home directory, or "/" and its children. */
    private static List<String> ancestors(String path) {
        List<String> out = new ArrayList<>();
        int minimum = path.startsWith("/") ? 3 : path.startsWith("~/") ? 2 : 1; // segments of "/a/b", "~/a", "a"
        String[] parts = path.split("/");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < parts.length - 1; i++) {
            if (i > 0) {
                b.append('/');
            }
            b.append(parts[i]);
            if (i + 1 >= minimum) {
                out.add(b.toString());
            }
        }
        return out;
    }

    private static int depth(String dir) {
        return dir.split("/").length;
    }
}
