package dev.agenttrace.rules.scope.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class HostNameTest {

    private static String canonical(String host) {
        return HostName.parse(host).canonical();
    }

    private static List<String> hosts(String url) {
        return UrlHosts.hostsOf(url).stream().map(HostName::canonical).collect(Collectors.toList());
    }

    @Test
    void foldsCaseTrailingDotsPercentEncodingAndIdn() {
        assertEquals("evil.com", canonical("EVIL.COM."));
        assertEquals("evil.com", canonical("%65vil.com"));
        assertEquals("xn--bcher-kva.example", canonical("BÜCHER.example"));
        assertEquals("a.b", canonical("a\u3002b"));
    }

    @Test
    void readsEveryIpv4SpellingTheCLibraryAccepts() {
        for (String s : List.of("127.0.0.1", "2130706433", "0x7f000001", "0x7f.1", "127.1", "0177.0.0.1", "0177.0.0.01")) {
            assertEquals("127.0.0.1", canonical(s), s);
        }
        assertFalse(HostName.parse("1.2.3.4.5").isIp());
        assertFalse(HostName.parse("1e100.net").isIp());
    }

    @Test
    void readsIpv6IncludingMappedIpv4() {
        assertEquals("::1", canonical("[::1]"));
        assertEquals("::1", canonical("0:0:0:0:0:0:0:1"));
        assertEquals("2001:db8::1", canonical("[2001:DB8:0:0::1]"));
        assertEquals("169.254.169.254", canonical("[::ffff:169.254.169.254]"));
        assertEquals("127.0.0.1", canonical("::ffff:7f00:1"));
    }

    @Test
    void dropsUserinfoAndPortAndJudgesEveryReadingOfAmbiguousUrls() {
        assertEquals(List.of("evil.com"), hosts("http://localhost@evil.com/"));
        assertEquals(List.of("evil.com"), hosts("http://user:pw@evil.com:8080/x"));
        assertTrue(hosts("http://evil.com\\@localhost/").contains("evil.com"));
        assertTrue(hosts("http://localhost#@evil.com/").contains("evil.com"));
        assertEquals(List.of("::1"), hosts("http://[::1]:3000/"));
        assertEquals(List.of("evil.com"), hosts("evil.com/path"));
        assertEquals(List.of("medium.com"), hosts("https://medium.com/@user/post"));
    }

    @Test
    void findsUrlsInTextAndScpStyleRemotes() {
        assertEquals(2, UrlHosts.findUrls("see http://a.com and 'https://b.com/x'").size());
        assertEquals("github.com", UrlHosts.scpHost("git@github.com:o/r.git").canonical());
        assertEquals(null, UrlHosts.scpHost("src/main.py"));
    }
}
