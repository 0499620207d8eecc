package dev.portolan.api.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portolan.api.ports.PortStatus.Listener;

/**
 * {@link Listener#reaching}: which listening sockets of one port take a connection to an address. A port number alone
 * does not say who answers: a server on {@code ::1} and another process on {@code 127.0.0.1} can share one.
 */
class ListenerReachingTest {

    private static final InetAddress V4 = literal("127.0.0.1");
    private static final InetAddress V6 = literal("::1");

    private static InetAddress literal(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static Listener at(String address, long pid) {
        return new Listener(address, pid, null);
    }

    @Test
    void aSocketBoundToOneLoopbackAddressTakesOnlyThatAddress() {
        Listener mine = at("::1", 1);
        Listener other = at("127.0.0.1", 2);
        List<Listener> port = List.of(other, mine);
        assertEquals(List.of(other), Listener.reaching(port, V4));
        assertEquals(List.of(mine), Listener.reaching(port, V6));
        assertEquals(List.of(), Listener.reaching(List.of(at("127.0.0.2", 3)), V4), "another IPv4 loopback address");
    }

    @Test
    void aWildcardTakesItsFamilyAndAnIpv6WildcardTakesIpv4OnlyWhenNoIpv4SocketDoes() {
        Listener any4 = at("0.0.0.0", 1);
        Listener any6 = at("::", 2);
        assertEquals(List.of(any4), Listener.reaching(List.of(any4), V4));
        assertEquals(List.of(), Listener.reaching(List.of(any4), V6));
        assertEquals(List.of(any6), Listener.reaching(List.of(any6), V4), "a dual-stack socket");
        assertEquals(List.of(any6), Listener.reaching(List.of(any6), V6));
        // both: the IPv6 one is IPv6-only (the OS would refuse the IPv4 bind otherwise), or it loses to the IPv4 one
        assertEquals(List.of(any4), Listener.reaching(List.of(any6, any4), V4));
        assertEquals(List.of(any6), Listener.reaching(List.of(any6, any4), V6));
        Listener exact = at("127.0.0.1", 3);
        assertEquals(List.of(exact), Listener.reaching(List.of(any6, exact), V4));
    }

    @Test
    void anIpv4MappedAddressIsItsIpv4AddressAndAnUnreadableAddressTakesEverything() {
        Listener mapped = at("::ffff:127.0.0.1", 1);
        assertEquals(List.of(mapped), Listener.reaching(List.of(mapped), V4));
        assertEquals(List.of(), Listener.reaching(List.of(mapped), V6));
        Listener star = at("*", 2); // an OS tool's wildcard of unknown family: never looked up as a name
        Listener named = at("localhost", 3);
        assertEquals(List.of(star, named), Listener.reaching(List.of(star, named), V4));
        assertEquals(List.of(star, named, at("::1", 4)), Listener.reaching(List.of(star, named, at("::1", 4)), V6));
    }

    @Test
    void severalAddressesTakeEachReachingSocketOnceInTheOrderOfTheList() {
        Listener a = at("::1", 1);
        Listener b = at("127.0.0.2", 2);
        Listener c = at("127.0.0.1", 3);
        Listener any = at("0.0.0.0", 4);
        assertEquals(List.of(a, c), Listener.reaching(List.of(a, b, c), V4, V6));
        assertEquals(List.of(a, c), Listener.reaching(List.of(a, b, c), V6, V4, V6));
        assertEquals(List.of(any), Listener.reaching(List.of(any), V4, V4));
        assertEquals(List.of(), Listener.reaching(List.of(a, b, c)));
    }
}
