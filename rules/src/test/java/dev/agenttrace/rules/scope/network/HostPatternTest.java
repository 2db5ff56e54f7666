package dev.agenttrace.rules.scope.network;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HostPatternTest {

    private static boolean allows(String pattern, String host) {
        return HostPattern.compile(pattern).matches(HostName.parse(host));
    }

    @Test
    void matchesExactNamesAfterCanonicalisation() {
        assertTrue(allows("localhost", "LOCALHOST."));
        assertFalse(allows("localhost", "localhost.evil.com"));
        assertFalse(allows("localhost", "127.0.0.1"));
        assertTrue(allows("bücher.example", "xn--bcher-kva.example"));
    }

    @Test
    void leadingStarDotMeansAnySubdomainButNotTheApex() {
        assertTrue(allows("*.internal.example", "a.internal.example"));
        assertTrue(allows("*.internal.example", "a.b.internal.example"));
        assertFalse(allows("*.internal.example", "internal.example"));
        assertFalse(allows("*.internal.example", "internal.example.evil.com"));
        assertFalse(allows("api-*.example.com", "api-x.evil.com.example.com"));
        assertTrue(allows("api-*.example.com", "api-eu.example.com"));
    }

    @Test
    void comparesIpLiteralsAsAddressesAndSupportsCidr() {
        assertTrue(allows("127.0.0.1", "2130706433"));
        assertTrue(allows("::1", "[0:0::1]"));
        assertTrue(allows("10.0.0.0/8", "10.200.3.4"));
        assertFalse(allows("10.0.0.0/8", "11.0.0.1"));
        assertTrue(allows("fd00::/8", "fd12::1"));
    }

    @Test
    void rejectsUrlsPortsAndBadBlocksWithAFix() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HostPattern.compile("https://api.example.com/x"))
                .getMessage().contains("write \"api.example.com\""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HostPattern.compile("localhost:8080"))
                .getMessage().contains("write \"localhost\""));
        assertThrows(IllegalArgumentException.class, () -> HostPattern.compile("10.0.0.0/40"));
        assertThrows(IllegalArgumentException.class, () -> HostPattern.compile("a..b"));
    }
}
