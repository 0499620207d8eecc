package dev.portolan.api.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.portolan.api.IpLiteral;

/**
 * {@link IpLiteral}: what is an IP literal, parsed as the JDK parses it, and what is not (which the JDK would hand to
 * the resolver). Every expected address here comes from the JDK's own parser, given only strings it parses.
 */
class IpLiteralTest {

    private static InetAddress jdk(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(literal + " is a literal the JDK parses", e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "127.0.0.1", "0.0.0.0", "255.255.255.255", "10.0.0.5", "::1", "[::1]", "0:0:0:0:0:0:0:1",
            "::", "[::]", "fe80::1", "1:2:3:4:5:6:7:8", "1::", "::8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
            "1:2:3:4:5:6:1.2.3.4", "::1.2.3.4", "ABCD:ef01::", "2001:db8::192.0.2.33", "[2001:DB8:0:0:0:0:0:1]",
            "::ffff:127.0.0.1", "[::ffff:7f00:1]", "::ffff:10.0.0.5" })
    void aLiteralIsTheAddressTheJdkParses(String literal) {
        assertEquals(Optional.of(jdk(literal)), IpLiteral.parse(literal), literal);
    }

    @ParameterizedTest
    @ValueSource(strings = { "127.0.0.256", "127.0.0.01", "1.2.3", "1.2.3.4.5", "1..2.3", "-1.0.0.0", "127.0.0.1 ",
            " ::1", "127.example", "localhost", "LOCALHOST", "my.localhost", "example.org", "g:1", ":::", "1::2::3",
            "[127.0.0.1]", "[]", "[::1", "::1]", "12345::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::",
            "::1:2:3:4:5:6:7:8", ":1::", "1::2:", "1.2.3.4::", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "::g", "::1%",
            "fe80::1%e%1", "fe80::1%eth 0", "\uff11\uff12\uff17.0.0.1", "\u0661::", "" })
    void anythingElseIsNoLiteralAndIsNotLookedUp(String text) {
        assertEquals(Optional.empty(), IpLiteral.parse(text), "'" + text + "'");
        assertFalse(IpLiteral.isLoopback(text), "'" + text + "'");
    }

    @Test
    void aZoneIsCheckedForItsFormAndNotKept() {
        assertEquals(Optional.of(jdk("fe80::1")), IpLiteral.parse("fe80::1%eth0"));
        assertEquals(Optional.of(jdk("fe80::1")), IpLiteral.parse("[fe80::1%2]"));
        assertEquals(Optional.empty(), IpLiteral.parse(null));
    }

    @Test
    void loopbackIsEverySpellingOf127And1AndNoName() {
        for (String loopback : new String[] { "127.0.0.1", "127.1.2.3", "::1", "[::1]", "0:0:0:0:0:0:0:1",
                "[0000:0000::0001]", "::ffff:127.0.0.1" }) {
            assertTrue(IpLiteral.isLoopback(loopback), loopback);
        }
        for (String other : new String[] { "0.0.0.0", "::", "10.0.0.5", "128.0.0.1", "::2", "::ffff:10.0.0.5",
                "::127.0.0.1", "localhost" }) {
            assertFalse(IpLiteral.isLoopback(other), other);
        }
    }

    @Test
    void everyAddressReadsBackFromTheJdksSpellingOfIt() {
        Random random = new Random(19);
        for (int i = 0; i < 2000; i++) {
            byte[] bytes = new byte[i % 2 == 0 ? 4 : 16];
            random.nextBytes(bytes);
            if (i % 7 == 0 && bytes.length == 16) {
                java.util.Arrays.fill(bytes, 2, 2 + random.nextInt(12), (byte) 0); // runs of zero groups
            }
            InetAddress a = address(bytes);
            String text = a.getHostAddress();
            assertEquals(Optional.of(a), IpLiteral.parse(text), text);
            assertEquals(Optional.of(a), IpLiteral.parse(a instanceof Inet6Address ? "[" + text + "]" : text), text);
            if (a instanceof Inet4Address) {
                assertEquals(Optional.of(a), IpLiteral.parse("::ffff:" + text), "::ffff:" + text);
            }
        }
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
