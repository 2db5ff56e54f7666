package dev.agenttrace.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Options are checked where they are made, so an embedding program gets the same refusals as the CLI. */
class HttpProxyOptionsTest {

    @Test
    void anUpstreamThatIsNotAnHttpUrlWithAHostIsRefusedWithTheFix() {
        for (String bad : List.of("ftp://h/mcp", "file:///tmp/x", "http:///mcp", "localhost:3001")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HttpProxyOptions.upstreamUrl(bad), bad);
            assertTrue(e.getMessage().contains("is not an http(s) URL with a host") && e.getMessage().contains("http://127.0.0.1:3001/mcp"),
                    e.getMessage());
        }
        IllegalArgumentException syntax = assertThrows(IllegalArgumentException.class, () -> HttpProxyOptions.upstreamUrl("http://h/a b"));
        assertTrue(syntax.getMessage().contains("is not a URL"), syntax.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HttpProxyOptions.defaults(URI.create("mailto:a@b")));
        assertEquals(URI.create("https://[::1]:8443/mcp"), HttpProxyOptions.upstreamUrl("https://[::1]:8443/mcp"));
    }

    @Test
    void portsLimitsAndAllowedHostsAreCheckedByEveryBuilder() {
        HttpProxyOptions ok = HttpProxyOptions.defaults(URI.create("http://127.0.0.1:3001/mcp"));
        assertThrows(IllegalArgumentException.class, () -> ok.withPort(65536));
        assertThrows(IllegalArgumentException.class, () -> ok.withPort(-1));
        assertThrows(IllegalArgumentException.class, () -> ok.withLimits(1023, 4096));
        for (String bad : List.of("", "http://h", "h:80", "a b", "[fd00::2", "u@h", "h/p")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ok.withAllowedHosts(List.of(bad)), bad);
            assertTrue(e.getMessage().startsWith("--allow-host '" + bad + "' is not a host name"), e.getMessage());
        }
        assertEquals(List.of("mcp.lan", "[fd00::2]", "192.168.1.20"),
                ok.withAllowedHosts(List.of("mcp.lan", "[fd00::2]", "192.168.1.20")).allowedHosts());
        assertEquals(0, ok.withPort(0).port());
    }
}
