package dev.portolan.ports.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.portolan.api.PortRange;
import dev.portolan.api.ports.PortFinder;
import dev.portolan.api.ports.PortRequest;
import dev.portolan.api.ports.PortReservation;
import dev.portolan.tests.common.OsgiServices;

class PortFinderServiceTest {

    private final PortFinder finder = OsgiServices.await(PortFinderServiceTest.class, PortFinder.class,
            Duration.ofSeconds(10));

    @Test
    void reservationHoldsARealBoundLoopbackSocket() throws Exception {
        try (PortReservation r = finder.reserve(PortRequest.builder().range(new PortRange(20100, 20140)).build())) {
            assertTrue(r.address().getAddress().isLoopbackAddress(), "bound on loopback: " + r.address());
            try (SocketChannel c = SocketChannel.open(new InetSocketAddress(r.address().getAddress(), r.port()))) {
                assertTrue(c.isConnected(), "the reserved port accepts connections while held");
            }
        }
    }

    @Test
    void aHeldPortIsNotHandedOutAgain() throws Exception {
        PortRequest req = PortRequest.builder().range(new PortRange(20150, 20190)).build();
        try (PortReservation first = finder.reserve(req); PortReservation second = finder.reserve(req)) {
            assertNotEquals(first.port(), second.port());
        }
    }

    @Test
    void exhaustedRangeFallsBackToAnOsAssignedPort() throws Exception {
        PortRequest one = PortRequest.builder().range(new PortRange(20195, 20195)).build();
        try (PortReservation held = finder.reserve(one); PortReservation fallback = finder.reserve(one)) {
            assertEquals(20195, held.port());
            assertTrue(fallback.port() != 20195 && !fallback.inRange(), "fallback outside the range: " + fallback.port());
        }
    }
}
