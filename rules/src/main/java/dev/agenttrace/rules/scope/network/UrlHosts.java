package dev.agenttrace.rules.scope.network;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds URLs in text and the hosts they would reach.
 *
 * <p>URL parsers disagree on hostile input: for {@code http://evil.com\@localhost/} a browser goes
 * to evil.com and an RFC 3986 parser to localhost; for {@code http://localhost#@evil.com} curl and
 * Python's old urllib have differed. Rather than bet on one reading, every plausible reading is
 * returned and the caller judges each: a URL passes only if every host it could reach is allowed.
 * Userinfo is always dropped ({@code http://localhost@evil.com} is evil.com), ports are dropped, and
 * the host is canonicalised by {@link HostName}.
 */
public final class UrlHosts {
    private static final Pattern URL = Pattern.compile("(?i)(?<![a-z0-9+.\\-])([a-z][a-z0-9+.\\-]{0,30})://[^\\s\"'<>`]*");
    private static final Pattern SCP_LIKE = Pattern.compile("^(?:[^@/:\\s]+@)?([^@/:\\s\\[\\]]+|\\[[0-9a-fA-F:.%]+\\]):(?!//).*");

    private UrlHosts() {
    }

    /** A URL found in text, with its scheme in lower case. */
    public record FoundUrl(String scheme, String text) {
        public boolean isFile() {
            return scheme.equals("file");
        }
    }

    /** Every {@code scheme://...} in the text, in order. */
    public static List<FoundUrl> findUrls(String text) {
        if (text.indexOf("://") < 0) {
            return List.of();
        }
        List<FoundUrl> out = new ArrayList<>();
        Matcher m = URL.matcher(text);
        while (m.find()) {
            out.add(new FoundUrl(m.group(1).toLowerCase(Locale.ROOT), trimTrailing(m.group())));
        }
        return out;
    }

    /**
     * Drops what closes the text around a URL rather than the URL: an unbalanced {@code )} (the end
     * of {@code $(curl http://x)} or of a parenthesised remark) and sentence punctuation.
     */
    private static String trimTrailing(String url) {
        String u = url;
        while (!u.isEmpty()) {
            char last = u.charAt(u.length() - 1);
            if (last == ')' && count(u, '(') < count(u, ')')) {
                u = u.substring(0, u.length() - 1);
            } else if (last == ',' || last == ';' || last == '!' || last == '?' || last == ':') {
                u = u.substring(0, u.length() - 1);
            } else {
                return u;
            }
        }
        return u;
    }

    private static int count(String s, char c) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == c) {
                n++;
            }
        }
        return n;
    }

    /** True if the text starts with {@code scheme://}. */
    public static boolean hasScheme(String text) {
        return schemeEnd(text) >= 0;
    }

    /**
     * Where a scheme and {@code ://} at the start end, else -1: a letter, at most 30 letters,
     * digits, {@code + . -}, then {@code ://} (the regex {@code (?i)^[a-z][a-z0-9+.\-]{0,30}://},
     * without one: every word of a command that may reach the network is asked).
     */
    static int schemeEnd(String text) {
        int n = text.length();
        if (n == 0 || !isAsciiLetter(text.charAt(0))) {
            return -1;
        }
        int i = 1;
        while (i < n && i <= 31 && isSchemeChar(text.charAt(i))) {
            i++;
        }
        if (i > 31) {
            return -1; // more than 30 scheme characters after the first
        }
        return text.startsWith("://", i) ? i + 3 : -1;
    }

    private static boolean isAsciiLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static boolean isSchemeChar(char c) {
        return isAsciiLetter(c) || c >= '0' && c <= '9' || c == '+' || c == '.' || c == '-';
    }

    /**
     * The hosts a URL could reach. A text without a scheme is read as {@code http://text}, which is
     * what curl, wget and fetch tools do with {@code evil.com/x}.
     */
    public static List<HostName> hostsOf(String url) {
        String rest = url.trim();
        int schemeEnd = schemeEnd(rest);
        if (schemeEnd >= 0) {
            rest = rest.substring(schemeEnd);
        } else if (rest.startsWith("//")) {
            rest = rest.substring(2);
        }
        Set<HostName> hosts = new LinkedHashSet<>();
        // Reading 1 (WHATWG, browsers): the authority ends at / \ ? or #.
        String whatwg = authority(rest, "/\\?#");
        addHost(hosts, whatwg);
        // Reading 2 (RFC 3986 parsers that do not stop at \ or #, curl before 7.x): only / ends it.
        String rfc = authority(rest, "/");
        if (!rfc.equals(whatwg)) {
            addHost(hosts, rfc);
        }
        return new ArrayList<>(hosts);
    }

    /** The host of an scp-style remote ({@code git@github.com:o/r.git}, {@code host:path}), else null. */
    public static HostName scpHost(String text) {
        if (hasScheme(text)) {
            return null;
        }
        Matcher m = SCP_LIKE.matcher(text);
        if (!m.matches()) {
            return null;
        }
        return HostName.parse(m.group(1));
    }

    private static String authority(String rest, String terminators) {
        int end = rest.length();
        for (int i = 0; i < rest.length(); i++) {
            if (terminators.indexOf(rest.charAt(i)) >= 0) {
                end = i;
                break;
            }
        }
        return rest.substring(0, end);
    }

    private static void addHost(Set<HostName> hosts, String authority) {
        String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
        String host;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            host = close < 0 ? hostPort.substring(1) : hostPort.substring(0, close + 1);
        } else {
            int colon = hostPort.indexOf(':');
            host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        }
        HostName parsed = HostName.parse(host);
        if (parsed != null) {
            hosts.add(parsed);
        }
    }
}
