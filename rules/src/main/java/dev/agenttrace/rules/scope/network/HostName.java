package dev.agenttrace.rules.scope.network;

import dev.agenttrace.rules.scope.paths.PathNormaliser;
import java.net.IDN;
import java.util.Locale;

/**
 * A host in the one spelling rules are matched against, so {@code EVIL.com.}, {@code evil.com},
 * {@code %65vil.com} and {@code xn--...} forms of the same name are one name, and
 * {@code 2130706433}, {@code 0x7f.1}, {@code 0177.0.0.1} and {@code [::ffff:127.0.0.1]} are all
 * {@code 127.0.0.1}.
 *
 * @param written   the host as it appeared (for messages)
 * @param canonical lower case, percent-decoded, trailing dots removed, IDN in ASCII (punycode),
 *                  IPv4 in dotted quad, IPv6 in RFC 5952 form without brackets
 * @param ipVersion 4 or 6 for an IP literal, 0 for a name
 * @param address   the address bytes of an IP literal, else null
 */
public record HostName(String written, String canonical, int ipVersion, byte[] address) {

    /**
     * Canonicalises a bare host (no scheme, port or userinfo; IPv6 may be in brackets).
     * Returns null for an empty host.
     */
    public static HostName parse(String written) {
        String h = PathNormaliser.percentDecode(written).trim();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.indexOf(':') >= 0) {
            byte[] v6 = IpLiterals.parseIpv6(h);
            if (v6 != null) {
                byte[] v4 = IpLiterals.mappedIpv4(v6);
                if (v4 != null) {
                    return new HostName(written, IpLiterals.formatIpv4(v4), 4, v4);
                }
                return new HostName(written, IpLiterals.formatIpv6(v6), 6, v6);
            }
        }
        // Ideographic and fullwidth full stops are label separators in IDNA; browsers map them.
        h = h.replace('\u3002', '.').replace('\uFF0E', '.').replace('\uFF61', '.');
        while (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.isEmpty()) {
            return null;
        }
        byte[] v4 = IpLiterals.parseIpv4(h);
        if (v4 != null) {
            return new HostName(written, IpLiterals.formatIpv4(v4), 4, v4);
        }
        String lower = h.toLowerCase(Locale.ROOT);
        String ascii;
        if (isAscii(lower)) {
            // what IDN.toASCII gives an ASCII name: the same text, or an exception (an empty or
            // too long label) after which the name is kept as it is
            ascii = lower;
        } else {
            try {
                ascii = IDN.toASCII(lower, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
            } catch (IllegalArgumentException e) {
                ascii = lower;
            }
        }
        // IDN mapping folds compatibility characters (fullwidth digits, circled numbers) to ASCII,
        // which can turn a "name" into an IPv4 literal.
        byte[] mapped = ascii.equals(lower) ? null : IpLiterals.parseIpv4(ascii);
        if (mapped != null) {
            return new HostName(written, IpLiterals.formatIpv4(mapped), 4, mapped);
        }
        return new HostName(written, ascii, 0, null);
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    public boolean isIp() {
        return ipVersion != 0;
    }

    /** The canonical form, with the written one beside it when they differ ("2130706433 (= 127.0.0.1)"). */
    public String display() {
        String plain = written.toLowerCase(Locale.ROOT);
        if (plain.startsWith("[") && plain.endsWith("]")) {
            plain = plain.substring(1, plain.length() - 1);
        }
        return plain.equals(canonical) ? canonical : written + " (= " + canonical + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostName other && other.canonical.equals(canonical);
    }

    @Override
    public int hashCode() {
        return canonical.hashCode();
    }

    @Override
    public String toString() {
        return canonical;
    }
}
