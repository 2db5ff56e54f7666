package dev.agenttrace.rules.scope.shell;

import dev.agenttrace.rules.scope.network.HostName;
import dev.agenttrace.rules.scope.network.UrlHosts;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The hosts a simple command may contact: every {@code scheme://} URL in any of its words (a
 * command cannot tell data from code, so {@code python -c "urlopen('http://x')"} counts), and the
 * bare hosts that network programs take as operands: {@code curl evil.com}, {@code wget x},
 * {@code ssh user@host}, {@code scp f host:}, {@code nc host 443}, {@code ping host},
 * {@code dig @server name}, {@code git clone git@host:o/r}, and curl's {@code --url} and
 * {@code --proxy} values.
 */
public final class CommandNetworkAccess {
    private static final Set<String> URL_OPERANDS = Set.of("curl", "wget", "http", "https", "xh", "xhs", "httpie", "aria2c", "lynx", "links", "w3m");
    private static final Set<String> FIRST_HOST_OPERAND = Set.of("ssh", "mosh", "nc", "ncat", "netcat", "telnet", "ping",
            "ping6", "traceroute", "traceroute6", "tracepath", "mtr", "nslookup", "host", "whois", "ftp", "sftp");
    private static final Set<String> REMOTE_OPERANDS = Set.of("scp", "rsync", "sftp", "git");
    private static final Set<String> HTTP_METHODS = Set.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");

    private CommandNetworkAccess() {
    }

    public static List<NetworkTarget> of(ResolvedCommand resolved) {
        List<NetworkTarget> out = new ArrayList<>();
        for (ShellWord w : resolved.command().words()) {
            for (UrlHosts.FoundUrl url : UrlHosts.findUrls(w.text())) {
                if (!url.isFile()) {
                    add(out, url.text(), UrlHosts.hostsOf(url.text()), "URL");
                }
            }
        }
        for (Redirection r : resolved.command().redirections()) {
            // bash opens /dev/tcp/HOST/PORT as a socket
            String t = r.target().text();
            if (t.startsWith("/dev/tcp/") || t.startsWith("/dev/udp/")) {
                String host = t.substring(9);
                int slash = host.indexOf('/');
                host = slash < 0 ? host : host.substring(0, slash);
                add(out, t, single(host), "bash " + t.substring(0, 8));
            }
        }
        if (!resolved.runsProgram()) {
            return out;
        }
        Invocation inv = resolved.innermost();
        String program = inv.binary();
        ParsedArguments parsed = OptionConventions.parse(inv);
        List<String> positionals = parsed.positionals();
        if (URL_OPERANDS.contains(program)) {
            boolean httpie = program.startsWith("http") || program.startsWith("xh");
            boolean urlSeen = false;
            for (String p : positionals) {
                if (httpie) {
                    // httpie: [METHOD] URL [request items...]
                    if (urlSeen || HTTP_METHODS.contains(p)) {
                        continue;
                    }
                    urlSeen = true;
                }
                if (UrlHosts.hasScheme(p)) {
                    continue; // already judged as a URL
                }
                String target = p.startsWith(":") ? "localhost" + p : p; // httpie's ":3000" shorthand
                add(out, p, UrlHosts.hostsOf(target), program);
            }
            for (String v : parsed.valuesOf("--url", "x", "--preproxy", "--socks4", "--socks4a", "--socks5", "--socks5-hostname", "--doh-url")) {
                if (!UrlHosts.hasScheme(v)) {
                    add(out, v, UrlHosts.hostsOf(v), program + " option");
                }
            }
        } else if (FIRST_HOST_OPERAND.contains(program) && !positionals.isEmpty() && !parsed.has("l")) {
            String p = positionals.get(0);
            if (!UrlHosts.hasScheme(p)) {
                String host = p.substring(p.lastIndexOf('@') + 1);
                add(out, p, single(host.indexOf(':') >= 0 && host.indexOf('[') < 0 && host.chars().filter(c -> c == ':').count() == 1
                        ? host.substring(0, host.indexOf(':')) : host), program);
            }
        } else if (program.equals("dig")) {
            for (String p : positionals) {
                if (p.startsWith("@")) {
                    add(out, p, single(p.substring(1)), "dig @server");
                } else if (!p.startsWith("+") && p.indexOf('.') >= 0) {
                    add(out, p, single(p), "dig");
                }
            }
        }
        if (REMOTE_OPERANDS.contains(program)) {
            for (String p : positionals) {
                // host:path never holds whitespace; a commit message such as "fix: x" is not a host
                HostName h = p.chars().anyMatch(Character::isWhitespace) ? null : UrlHosts.scpHost(p);
                if (h != null) {
                    add(out, p, List.of(h), program);
                }
            }
        }
        if (program.equals("ssh") || program.equals("scp")) {
            for (String jump : parsed.valuesOf("J")) {
                for (String hop : jump.split(",")) {
                    add(out, hop, single(hop.substring(hop.lastIndexOf('@') + 1).replaceFirst(":\\d+$", "")), program + " -J");
                }
            }
        }
        return out;
    }

    private static List<HostName> single(String host) {
        HostName h = HostName.parse(host);
        return h == null ? List.of() : List.of(h);
    }

    private static void add(List<NetworkTarget> out, String written, List<HostName> hosts, String how) {
        if (!hosts.isEmpty()) {
            out.add(new NetworkTarget(written, hosts, how));
        }
    }
}
