package dev.agenttrace.rules.config;

import com.fasterxml.jackson.core.JsonToken;
import dev.agenttrace.rules.config.LocatedJson.Arr;
import dev.agenttrace.rules.config.LocatedJson.Field;
import dev.agenttrace.rules.config.LocatedJson.Node;
import dev.agenttrace.rules.config.LocatedJson.Obj;
import dev.agenttrace.rules.config.LocatedJson.Val;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The defaults of the {@code agent-trace} commands, so that mcp.json lines stay short: the user's
 * file ({@code $XDG_CONFIG_HOME/agent-trace/config.json}, else {@code ~/.config/agent-trace/config.json})
 * and the project's ({@code .agent-trace.json} in the project root), the project's winning key by key.
 * A command-line option beats both. Paths are relative to the file that names them; {@code ~/} is the
 * home directory.
 *
 * <pre>
 * { "trace_dir": "~/.agent-traces",
 *   "policy": ".agent-scope.json", "policy_mode": "shadow",
 *   "watch": [".agent-watch.json"],
 *   "redact": true,
 *   "retention": { "keep_days": 30, "max_size": "2G" },
 *   "export": { "otlp_endpoint": "http://127.0.0.1:4318" } }
 * </pre>
 *
 * Parsing is strict, with the policy's {@code file:line:column} errors: an unknown key (with "did
 * you mean"), a value of the wrong type or a duplicate key stops the command before it does anything.
 */
public record AgentTraceConfig(Path traceDir, Path policy, String policyMode, List<Path> watch, Boolean redact,
        Integer keepDays, Long maxSizeBytes, String otlpEndpoint, List<String> sources) {
    public static final String PROJECT_FILE = ".agent-trace.json";
    static final List<String> KEYS = List.of("trace_dir", "policy", "policy_mode", "watch", "redact", "retention", "export");
    static final List<String> RETENTION_KEYS = List.of("keep_days", "max_size");
    static final List<String> EXPORT_KEYS = List.of("otlp_endpoint");

    public static final AgentTraceConfig NONE = new AgentTraceConfig(null, null, null, null, null, null, null, null, List.of());

    /** The user's file, then the project's, for a process with this working directory, environment and home. */
    public static AgentTraceConfig load(Path workingDir, Map<String, String> env, Path home) throws ConfigException {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path user = (xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".config")).resolve("agent-trace/config.json");
        AgentTraceConfig c = read(user, home).orElse(NONE);
        Path project = projectFile(workingDir.toAbsolutePath().normalize());
        if (project != null && !project.equals(user)) {
            c = c.overriddenBy(read(project, home).orElse(NONE));
        }
        return c;
    }

    /** The nearest {@code .agent-trace.json} at or above the working directory, up to its git root; or null. */
    public static Path projectFile(Path wd) {
        for (Path d = wd; d != null; d = d.getParent()) {
            Path f = d.resolve(PROJECT_FILE);
            if (Files.isRegularFile(f)) {
                return f;
            }
            if (Files.exists(d.resolve(".git"))) {
                return null; // the project root, without a file of its own
            }
        }
        return null;
    }

    /** This file's settings, or empty when it does not exist. */
    public static java.util.Optional<AgentTraceConfig> read(Path file, Path home) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return java.util.Optional.empty();
        } catch (IOException e) {
            throw new ConfigException(file.toString(), 0, 0, "cannot read the config file (" + e.getMessage() + ")",
                    "check its permissions, or remove it");
        }
        return java.util.Optional.of(parse(text, file.toString(), file.toAbsolutePath().getParent(), home));
    }

    private static final LocatedJson.Kind<ConfigException> JSON = new LocatedJson.Kind<>(ConfigException::new,
            "trace_dir", "text after the closing }", "remove it; the file holds one object");

    /** Parses one file's text; relative paths resolve against {@code base}. */
    public static AgentTraceConfig parse(String text, String source, Path base, Path home) throws ConfigException {
        Node root = LocatedJson.parse(text, source, JSON);
        return new Reader(source, base, home).document(root);
    }

    /** This config with every key that {@code other} sets taken from it. */
    AgentTraceConfig overriddenBy(AgentTraceConfig o) {
        List<String> src = new ArrayList<>(sources);
        src.addAll(o.sources);
        return new AgentTraceConfig(o.traceDir != null ? o.traceDir : traceDir, o.policy != null ? o.policy : policy,
                o.policyMode != null ? o.policyMode : policyMode, o.watch != null ? o.watch : watch,
                o.redact != null ? o.redact : redact, o.keepDays != null ? o.keepDays : keepDays,
                o.maxSizeBytes != null ? o.maxSizeBytes : maxSizeBytes, o.otlpEndpoint != null ? o.otlpEndpoint : otlpEndpoint,
                List.copyOf(src));
    }

    /** Where {@code trace_dir} came from, for the start line. */
    public String source() {
        return sources.isEmpty() ? "no config file" : String.join(" and ", sources);
    }

    /** "2G", "500M", "64k", "1000" (bytes), or null when it is not a size. */
    public static Long parseSize(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT);
        if (t.endsWith("B")) {
            t = t.substring(0, t.length() - 1);
        }
        long unit = 1;
        if (!t.isEmpty()) {
            char last = t.charAt(t.length() - 1);
            int shift = switch (last) {
                case 'K' -> 10;
                case 'M' -> 20;
                case 'G' -> 30;
                case 'T' -> 40;
                default -> 0;
            };
            if (shift > 0) {
                unit = 1L << shift;
                t = t.substring(0, t.length() - 1).trim();
            }
        }
        try {
            double v = Double.parseDouble(t);
            return v < 0 || Double.isNaN(v) || Double.isInfinite(v) ? null : (long) (v * unit);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static final class Reader {
        final String source;
        final Path base;
        final Path home;
        Path traceDir;
        Path policy;
        String policyMode;
        List<Path> watch;
        Boolean redact;
        Integer keepDays;
        Long maxSize;
        String otlp;

        Reader(String source, Path base, Path home) {
            this.source = source;
            this.base = base;
            this.home = home;
        }

        AgentTraceConfig document(Node root) throws ConfigException {
            if (!(root instanceof Obj top)) {
                String fix = "write {\"trace_dir\": \"~/.agent-traces\"} or another of: " + String.join(", ", KEYS);
                if (root == null) {
                    throw new ConfigException(source, 1, 1, "the file is empty", fix);
                }
                throw error(root, "the file must hold one JSON object", fix);
            }
            object(top, KEYS, this::topLevel);
            return new AgentTraceConfig(traceDir, policy, policyMode, watch, redact, keepDays, maxSize, otlp, List.of(source));
        }

        interface FieldReader {
            void read(String key, Node value) throws ConfigException;
        }

        void object(Obj o, List<String> known, FieldReader reader) throws ConfigException {
            for (Field f : o.fields) {
                if (!known.contains(f.key())) {
                    String near = Spelling.nearest(f.key(), known);
                    throw new ConfigException(source, f.line(), f.column(), "unknown key \"" + f.key() + "\"",
                            near != null ? "did you mean \"" + near + "\"?" : "use one of: " + String.join(", ", known));
                }
                reader.read(f.key(), f.value());
            }
        }

        void topLevel(String key, Node v) throws ConfigException {
            switch (key) {
                case "trace_dir" -> traceDir = path(key, v);
                case "policy" -> policy = path(key, v);
                case "policy_mode" -> {
                    String m = string(key, v);
                    if (!m.equals("enforce") && !m.equals("shadow")) {
                        throw error(v, "policy_mode \"" + m + "\" is not a mode", "use \"enforce\" or \"shadow\"");
                    }
                    policyMode = m;
                }
                case "watch" -> {
                    if (!(v instanceof Arr names)) {
                        throw error(v, "watch must be an array of file names", "write \"watch\": [\".agent-watch.json\"]");
                    }
                    List<Path> files = new ArrayList<>();
                    for (Node name : names.items) {
                        files.add(path("watch", name));
                    }
                    watch = List.copyOf(files);
                }
                case "redact" -> {
                    if (!(v instanceof Val b && b.isBoolean())) {
                        throw error(v, "redact must be true or false", "write \"redact\": true");
                    }
                    redact = b.text.equals("true");
                }
                case "retention" -> object(expectObject(key, v, "{\"keep_days\": 30, \"max_size\": \"2G\"}"),
                        RETENTION_KEYS, this::retention);
                default -> object(expectObject(key, v, "{\"otlp_endpoint\": \"http://127.0.0.1:4318\"}"),
                        EXPORT_KEYS, (k, value) -> otlp = string(k, value));
            }
        }

        void retention(String key, Node v) throws ConfigException {
            if (key.equals("keep_days")) {
                Long days = v instanceof Val n && n.token == JsonToken.VALUE_NUMBER_INT ? wholeNumber(n.text) : null;
                if (days == null || days < 1 || days > 36500) {
                    throw error(v, "keep_days must be a whole number of days, 1 or more", "write \"keep_days\": 30");
                }
                keepDays = days.intValue();
            } else {
                Long size = v instanceof Val n && n.token == JsonToken.VALUE_NUMBER_INT ? wholeNumber(n.text)
                        : v instanceof Val s && s.isString() ? parseSize(s.text) : null;
                if (size == null || size < 1) {
                    throw error(v, "max_size must be a size such as \"500M\" or \"2G\" (or bytes)", "write \"max_size\": \"2G\"");
                }
                maxSize = size;
            }
        }

        /** Digits as written; null when they do not fit a long. */
        static Long wholeNumber(String digits) {
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                return null;
            }
        }

        Obj expectObject(String key, Node v, String example) throws ConfigException {
            if (!(v instanceof Obj o)) {
                throw error(v, key + " must be an object", "write \"" + key + "\": " + example);
            }
            return o;
        }

        String string(String key, Node v) throws ConfigException {
            if (!(v instanceof Val s && s.isString()) || s.text.isBlank()) {
                throw error(v, key + " must be a non-empty string", "put the value in double quotes");
            }
            return s.text;
        }

        Path path(String key, Node v) throws ConfigException {
            String s = string(key, v);
            if (s.equals("~") || s.startsWith("~/")) {
                return home.resolve(s.length() == 1 ? "" : s.substring(2)).normalize();
            }
            return base.resolve(s).normalize();
        }

        ConfigException error(Node at, String problem, String fix) {
            return new ConfigException(source, at.line, at.column, problem, fix);
        }
    }
}
