package dev.portolan.api.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.osgi.framework.FrameworkUtil;

import dev.portolan.api.Announcement;
import dev.portolan.api.Endpoint;
import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.PortRange;

class ModelTest {

    @Test
    void runsInsideOsgiAsFragmentOfTheApiBundle() {
        var bundle = FrameworkUtil.getBundle(ModelTest.class);
        assertNotNull(bundle, "test class must be loaded by an OSGi bundle");
        assertEquals("dev.portolan.api", bundle.getSymbolicName());
    }

    @Test
    void defaultRangeIsTheSeeds() {
        assertEquals(new PortRange(8008, 8020), PortRange.DEFAULT);
        assertEquals(13, PortRange.DEFAULT.size());
        assertEquals("8008-8020", PortRange.DEFAULT.toString());
    }

    @Test
    void parsesRanges() {
        assertEquals(new PortRange(9000, 9010), PortRange.parse(" 9000 - 9010 "));
        assertEquals(new PortRange(9000, 9000), PortRange.parse("9000"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "abc", "9010-9000", "0-10", "1-70000", "-", "8008-" })
    void rejectsBadRangesNamingTheText(String text) {
        var e = assertThrows(IllegalArgumentException.class, () -> PortRange.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
        assertEquals(e.getMessage().indexOf("invalid port range"), e.getMessage().lastIndexOf("invalid port range"),
                "said once: " + e.getMessage());
        // the same expectation whatever is wrong (not a number, reversed, out of bounds)
        assertTrue(e.getMessage().endsWith("': expected FIRST-LAST with 1 <= FIRST <= LAST <= 65535, e.g. 8008-8020"),
                "says what is expected: " + e.getMessage());
    }

    @Test
    void seedAnnouncementUrls() {
        Announcement a = Announcement.of("sidecar", "127.0.0.1", 8009);
        assertEquals(URI.create("http://127.0.0.1:8009"), a.url());
        assertEquals(URI.create("http://127.0.0.1:8009/docs"), a.docsUrl());
        assertEquals(URI.create("http://127.0.0.1:8009/health"), a.healthUrl());
        assertTrue(a.isPortInfo());
    }

    @Test
    void ipv6LiteralsAreBracketed() {
        assertEquals(URI.create("http://[::1]:8010/health"), Announcement.of("sidecar", "::1", 8010).healthUrl());
    }

    @Test
    void rejectsPortsOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> Announcement.of("sidecar", "127.0.0.1", 0));
        assertThrows(IllegalArgumentException.class, () -> Announcement.of("sidecar", "127.0.0.1", 65536));
    }

    @Test
    void endpointFromAnnouncementKeepsPid() {
        Announcement a = Announcement.of("sidecar", "127.0.0.1", 8011).withDetails(42L, "t", "1", null);
        Endpoint e = Endpoint.of(a, "announcement", true);
        assertEquals(8011, e.port());
        assertEquals(42L, e.pid());
        assertEquals("scan", e.withSource("scan", false).source());
    }

    @Test
    void debugFlagValues() {
        assertTrue(EnvironmentVariables.isTrue("true"));
        assertTrue(EnvironmentVariables.isTrue(" 1 "));
        assertFalse(EnvironmentVariables.isTrue("false"));
        assertFalse(EnvironmentVariables.isTrue(null));
    }
}
