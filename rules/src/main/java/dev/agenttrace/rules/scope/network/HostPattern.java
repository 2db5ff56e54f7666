package dev.agenttrace.rules.scope.network;

import java.net.IDN;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One entry of {@code network.allow}, compiled once.
 *
 * <p>Forms: an exact host ({@code localhost}, {@code api.example.com}), compared after the same
 * canonicalisation as the host being judged (case, trailing dot, IDN); a glob where {@code *}
 * matches within one DNS label and a leading {@code *.} matches one or more labels, so
 * {@code *.internal.example} allows {@code a.internal.example} and {@code a.b.internal.example} but
 * not {@code internal.example} itself nor {@code internal.example.evil.com}; an IP literal
 * ({@code 127.0.0.1}, {@code ::1}, compared as addresses, so {@code 2130706433} matches
 * {@code 127.0.0.1}); a CIDR block ({@code 10.0.0.0/8}, {@code fd00::/8}).
 *
 * <p>{@code localhost} is a name like any other: it does not allow {@code 127.0.0.1}, which must
 * be listed itself. Ports and schemes are not part of a host pattern; the parser rejects them.
 */
public final class HostPattern {
    private final String text;
    private final Pattern nameRegex;
    private final byte[] network;
    private final int prefixLength;

    private HostPattern(String text, Pattern nameRegex, byte[] network, int prefixLength) {
        this.text = text;
        this.nameRegex = nameRegex;
        this.network = network;
        this.prefixLength = prefixLength;
    }

    /**
     * @throws IllegalArgumentException with a message that says what to write instead, if the
     *                                  entry has a scheme, a port, a path, or a bad CIDR
     */
    public static HostPattern compile(String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("the host pattern is empty; remove the empty string");
        }
        if (UrlHosts.hasScheme(t)) {
            HostName h = UrlHosts.hostsOf(t).stream().findFirst().orElse(null);
            throw new IllegalArgumentException("a host pattern is a host name, not a URL; write \""
                    + (h == null ? "host.example" : h.canonical()) + "\" (schemes, ports and paths are not matched)");
        }
        int slash = t.indexOf('/');
        if (slash >= 0) {
            return cidr(text, t, slash);
        }
        byte[] address = literal(t);
        if (address != null) {
            return new HostPattern(text, null, address, address.length * 8);
        }
        if (t.indexOf(':') >= 0) {
            String host = t.substring(0, t.indexOf(':'));
            throw new IllegalArgumentException("a host pattern has no port; write \"" + host + "\" (every port of an allowed host is allowed)");
        }
        boolean leadingAnyLabels = t.startsWith("*.");
        String body = leadingAnyLabels ? t.substring(2) : t;
        while (body.endsWith(".")) {
            body = body.substring(0, body.length() - 1);
        }
        StringBuilder regex = new StringBuilder(leadingAnyLabels ? "(?:[^.]+\\.)+" : "");
        boolean first = true;
        for (String label : body.split("\\.", -1)) {
            if (label.isEmpty()) {
                throw new IllegalArgumentException("the host pattern \"" + text + "\" has an empty label (\"..\"); remove the extra dot");
            }
            if (!first) {
                regex.append("\\.");
            }
            first = false;
            regex.append(labelRegex(label));
        }
        return new HostPattern(text, Pattern.compile(regex.toString()), null, 0);
    }

    private static String labelRegex(String label) {
        if (label.equals("*")) {
            return "[^.]+";
        }
        StringBuilder b = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            if (c == '*' || c == '?') {
                b.append(Pattern.quote(canonicalLabel(literal.toString())));
                literal.setLength(0);
                b.append(c == '*' ? "[^.]*" : "[^.]");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            b.append(Pattern.quote(canonicalLabel(literal.toString())));
        }
        return b.toString().replace("\\Q\\E", "");
    }

    private static String canonicalLabel(String literal) {
        if (literal.isEmpty()) {
            return literal;
        }
        String lower = literal.toLowerCase(Locale.ROOT);
        try {
            return IDN.toASCII(lower, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return lower;
        }
    }

    private static byte[] literal(String t) {
        String s = t.startsWith("[") && t.endsWith("]") ? t.substring(1, t.length() - 1) : t;
        if (s.indexOf(':') >= 0) {
            byte[] v6 = IpLiterals.parseIpv6(s);
            if (v6 == null) {
                return null;
            }
            byte[] v4 = IpLiterals.mappedIpv4(v6);
            return v4 != null ? v4 : v6;
        }
        // Only a dotted quad counts as an IP pattern; "1234" or "10.1" are too easy to write by mistake.
        if (s.chars().filter(c -> c == '.').count() == 3) {
            return IpLiterals.parseIpv4(s);
        }
        return null;
    }

    private static HostPattern cidr(String text, String t, int slash) {
        byte[] address = literal(t.substring(0, slash));
        int bits;
        try {
            bits = Integer.parseInt(t.substring(slash + 1));
        } catch (NumberFormatException e) {
            bits = -1;
        }
        if (address == null || bits < 0 || bits > address.length * 8) {
            throw new IllegalArgumentException("\"" + text + "\" is neither a host nor a CIDR block; write a host "
                    + "(\"api.example.com\"), an address (\"10.0.0.1\") or a block (\"10.0.0.0/8\"); paths are not matched");
        }
        return new HostPattern(text, null, address, bits);
    }

    public String text() {
        return text;
    }

    public boolean matches(HostName host) {
        if (network != null) {
            byte[] a = host.address();
            if (a == null || a.length != network.length) {
                return false;
            }
            int full = prefixLength / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixLength % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (a[full] & mask) == (network[full] & mask);
        }
        return nameRegex.matcher(host.canonical()).matches();
    }

    @Override
    public String toString() {
        return text;
    }
}
