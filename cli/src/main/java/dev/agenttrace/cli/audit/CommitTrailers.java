package dev.agenttrace.cli.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The coding agents a repository's recent history names: commit trailers ({@code Co-Authored-By:
 * Claude <noreply@anthropic.com>}, {@code Co-authored-by: Cursor Agent}, {@code Generated-by:
 * Aider}, ...), authors ({@code Jane (aider)}, {@code copilot-swe-agent[bot]}) and the "Generated
 * with [Claude Code]" line. Read with the local {@code git log} only, bounded in commits, bytes and
 * time; the repository is hostile, so its config cannot make git run anything (no signature
 * checks, no pager, no fsmonitor) or reach the network (no lazy fetch in a partial clone), and the
 * caller's {@code GIT_*} variables cannot point it elsewhere.
 */
public final class CommitTrailers {
    public static final int DEFAULT_COMMITS = 200;
    static final int MAX_BYTES = 4 << 20;
    static final long TIMEOUT_SECONDS = 10;
    private static final char RECORD = '\u001e';
    private static final char FIELD = '\u0000';

    /** The trailer keys under which agents sign their commits. */
    private static final Pattern TRAILER = Pattern.compile(
            "(?im)^(co-authored-by|generated-by|generated-with|assisted-by|ai-assisted-by|made-with|authored-by)[ \\t]*:[ \\t]*(.+)$");
    /** An author that is a bot or writes from an agent vendor's address; a person merely named Claude is not one. */
    private static final Pattern AGENT_AUTHOR = Pattern.compile(
            "(?i)\\(aider\\)|\\[bot\\]|@anthropic\\.com|@cursor\\.com|@aider\\.chat|@openai\\.com|@codeium\\.com|@windsurf\\.com");
    private static final Pattern GENERATED_LINE = Pattern.compile(
            "(?im)^\\W{0,4}generated (?:with|by) \\[?(claude code|cursor|aider|codex|gemini|copilot|windsurf)\\b.*$");

    /** What names each agent in a trailer value or an author, lower-cased; first match wins. */
    private static final Map<String, Pattern> NAMES = new LinkedHashMap<>();

    static {
        // aider first: its trailer names the model, which may be a Claude ("aider (claude-sonnet-4) <noreply@aider.chat>")
        NAMES.put("aider", Pattern.compile("\\baider\\b|@aider\\.chat"));
        NAMES.put("claude-code", Pattern.compile("\\bclaude\\b|noreply@anthropic\\.com"));
        NAMES.put("cursor", Pattern.compile("\\bcursor\\b|cursoragent@cursor\\.com"));
        NAMES.put("copilot", Pattern.compile("\\bcopilot\\b|copilot-swe-agent"));
        NAMES.put("codex", Pattern.compile("\\bcodex\\b"));
        NAMES.put("gemini", Pattern.compile("\\bgemini\\b"));
        NAMES.put("windsurf", Pattern.compile("\\bwindsurf\\b|\\bcodeium\\b"));
    }

    /** One agent found: in how many of the commits read, and the first evidence (commit and line). */
    public record Found(String agent, int commits, String example) {
    }

    /**
     * @param found   each agent named
     * @param read    how many commits were read
     * @param problem why the history could not be read (null when it was, or when {@code dir} is no git repository or git is absent)
     */
    public record Result(List<Found> found, int read, String problem) {
        static Result none(String problem) {
            return new Result(List.of(), 0, problem);
        }
    }

    private CommitTrailers() {
    }

    /** The agents in the last {@code commits} commits of {@code dir}, when it is a git repository ({@code .git} in it). */
    public static Result read(Path dir, int commits) {
        if (!Files.exists(dir.resolve(".git"), LinkOption.NOFOLLOW_LINKS)) {
            return Result.none(null);
        }
        ProcessBuilder pb = new ProcessBuilder("git", "--no-pager", "-c", "log.showSignature=false", "-c", "core.fsmonitor=false",
                "-c", "protocol.allow=never", // a partial clone must not fetch what it lacks
                "-c", "log.mailmap=false", "-C", dir.toString(), "log", "-n", String.valueOf(commits), "--no-color", "--no-show-signature",
                "--format=%h%x00%an <%ae>%x00%B%x1e");
        pb.environment().keySet().removeIf(k -> k.startsWith("GIT_"));
        pb.environment().put("GIT_TERMINAL_PROMPT", "0");
        pb.environment().put("GIT_NO_LAZY_FETCH", "1");
        pb.redirectErrorStream(false);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return Result.none(null); // no git on this machine: there is nothing to read, which is not the repository's fault
        }
        try {
            p.getOutputStream().close();
            Thread watchdog = new Thread(() -> {
                try {
                    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                }
            }, "audit-tools-git-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            String out = readBounded(p.getInputStream());
            boolean exited = p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!exited) {
                p.destroyForcibly();
                return Result.none("git log did not answer in " + TIMEOUT_SECONDS + " s; commit trailers not audited");
            }
            if (p.exitValue() != 0 && out.isEmpty()) {
                return Result.none("git log exited with " + p.exitValue() + " (a repository without commits, or one git does not trust: "
                        + "see 'git config safe.directory'); commit trailers not audited");
            }
            return parse(out);
        } catch (IOException e) {
            p.destroyForcibly();
            return Result.none("git log could not be read: " + e.getMessage() + "; commit trailers not audited");
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return Result.none("interrupted while reading git log; commit trailers not audited");
        }
    }

    private static String readBounded(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(8192);
        byte[] chunk = new byte[8192];
        int n;
        while ((n = in.read(chunk)) > 0) {
            buf.write(chunk, 0, Math.min(n, MAX_BYTES - buf.size()));
            if (buf.size() >= MAX_BYTES) {
                break; // the commits read so far are judged; the rest is left unread
            }
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    /** The agents in {@code git log --format=%h%x00%an <%ae>%x00%B%x1e} output. */
    static Result parse(String log) {
        Map<String, int[]> counts = new LinkedHashMap<>();
        Map<String, String> examples = new LinkedHashMap<>();
        int read = 0;
        for (String record : log.split(String.valueOf(RECORD))) {
            String r = record.strip();
            if (r.isEmpty()) {
                continue;
            }
            String[] f = r.split(String.valueOf(FIELD), 3);
            if (f.length < 3) {
                continue; // cut by the byte bound
            }
            read++;
            String hash = f[0];
            List<String[]> evidence = new ArrayList<>();
            if (f[1].toLowerCase(Locale.ROOT).contains("(aider)")) {
                evidence.add(new String[] {"aider", "author " + f[1]});
            } else if (AGENT_AUTHOR.matcher(f[1]).find()) {
                evidence.add(new String[] {null, "author " + f[1]});
            }
            Matcher t = TRAILER.matcher(f[2]);
            while (t.find()) {
                evidence.add(new String[] {null, t.group(1) + ": " + t.group(2).strip()});
            }
            Matcher g = GENERATED_LINE.matcher(f[2]);
            while (g.find()) {
                evidence.add(new String[] {agentOf(g.group(1)), g.group().strip()});
            }
            java.util.Set<String> inThisCommit = new java.util.HashSet<>();
            for (String[] e : evidence) {
                String agent = e[0] != null ? e[0] : agentOf(e[1].substring(e[1].indexOf(' ') + 1));
                if (agent != null && inThisCommit.add(agent)) {
                    counts.computeIfAbsent(agent, k -> new int[1])[0]++;
                    examples.putIfAbsent(agent, hash + " " + e[1]);
                }
            }
        }
        List<Found> found = new ArrayList<>();
        for (String agent : NAMES.keySet()) {
            if (counts.containsKey(agent)) {
                found.add(new Found(agent, counts.get(agent)[0], clean(examples.get(agent))));
            }
        }
        return new Result(List.copyOf(found), read, null);
    }

    private static String agentOf(String text) {
        String v = text.toLowerCase(Locale.ROOT);
        for (Map.Entry<String, Pattern> n : NAMES.entrySet()) {
            if (n.getValue().matcher(v).find()) {
                return n.getKey();
            }
        }
        return null;
    }

    /** History is someone else's text: one line, no control characters, bounded. */
    private static String clean(String s) {
        String one = s.replaceAll("\\p{Cntrl}", " ").strip();
        return one.length() <= 160 ? one : one.substring(0, 159) + "…";
    }
}
