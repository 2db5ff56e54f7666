package dev.agenttrace.mcp;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A tool call's arguments, read leniently where a client may send a number as {@code 20.0} or a
 * single type where a list is expected, and strictly where a wrong value would silently change
 * the answer (an unparseable time is an error, not "no bound").
 */
final class Arguments {
    private final Map<String, Object> args;

    Arguments(Map<String, Object> args) {
        this.args = args == null ? Map.of() : args;
    }

    String string(String key) {
        Object v = args.get(key);
        return v == null ? null : v.toString();
    }

    String required(String key) {
        String v = string(key);
        if (v == null || v.isBlank()) {
            throw new BadArgument("'" + key + "' is required: give a session id, a unique prefix of one, or 'latest'"
                    + " (list_sessions shows them)");
        }
        return v;
    }

    Integer integer(String key) {
        Object v = args.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Number n) {
            return n.intValue();
        }
        try {
            return Integer.valueOf(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new BadArgument("'" + key + "' must be an integer, not " + v);
        }
    }

    int limit(String key, int dflt, int max) {
        Integer v = integer(key);
        if (v == null) {
            return dflt;
        }
        if (v < 1) {
            throw new BadArgument("'" + key + "' must be at least 1, not " + v);
        }
        return Math.min(v, max);
    }

    Boolean bool(String key) {
        Object v = args.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        return Boolean.parseBoolean(v.toString());
    }

    /** A string or a list of strings, as a list (empty when absent). */
    List<String> strings(String key) {
        Object v = args.get(key);
        List<String> out = new ArrayList<>();
        if (v instanceof Collection<?> c) {
            c.forEach(x -> out.add(String.valueOf(x)));
        } else if (v != null && !v.toString().isBlank()) {
            out.add(v.toString());
        }
        return out;
    }

    /** Epoch seconds from a number or an ISO-8601 time ({@code 2026-05-01T12:00:00Z}). */
    Double time(String key) {
        Object v = args.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        String s = v.toString().trim();
        try {
            return Double.valueOf(s);
        } catch (NumberFormatException ignored) {
            // not a number: try a date
        }
        try {
            Instant i = s.endsWith("Z") ? Instant.parse(s) : OffsetDateTime.parse(s).toInstant();
            return i.getEpochSecond() + i.getNano() / 1e9;
        } catch (DateTimeParseException e) {
            throw new BadArgument("'" + key + "' must be epoch seconds or an ISO-8601 time such as 2026-05-01T12:00:00Z, not '" + s + "'");
        }
    }

    /** An argument a user can fix; its message goes back to the client as an isError result. */
    static final class BadArgument extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadArgument(String message) {
            super(message);
        }
    }
}
