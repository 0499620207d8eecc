package dev.portolan.ports.tests;

import static dev.portolan.tests.common.FreePorts.expectPort;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.portolan.api.PortRange;
import dev.portolan.api.ports.PortFinder;
import dev.portolan.api.ports.PortRequest;
import dev.portolan.api.ports.PortReservation;
import dev.portolan.tests.common.FreePorts;
import dev.portolan.tests.common.OsgiServices;

/** The registered PortFinder service; every test uses ports found free at run time ({@link FreePorts}). */
class PortFinderServiceTest {

    private final PortFinder finder = OsgiServices.await(PortFinderServiceTest.class, PortFinder.class,
            Duration.ofSeconds(60));

    @Test
    void reservationHoldsARealBoundLoopbackSocket() throws Exception {
        TestBand.FREE.onFreeBlock(1, first -> {
            try (PortReservation r = finder.reserve(PortRequest.builder().range(new PortRange(first, first)).build())) {
                expectPort(first, r.port(), "the only port of the range, free when checked");
                assertTrue(r.inRange(), r.toString());
                assertTrue(r.address().getAddress().isLoopbackAddress(), "bound on loopback: " + r.address());
                assertTrue(r.channel().isOpen(), "the reservation holds its channel");
                try (SocketChannel c = SocketChannel.open(new InetSocketAddress(r.address().getAddress(), r.port()));
                        SocketChannel accepted = r.channel().accept()) {
                    // accepted by the reservation's own channel: the socket is really bound and listening
                    assertTrue(c.isConnected(), "the reserved port accepts connections while held");
                    assertNotNull(accepted, "the connection reached the reservation's channel");
                }
            }
        });
    }

    @Test
    void aHeldPortIsNotHandedOutAgain() throws Exception {
        TestBand.FREE.onFreeBlock(2, first -> {
            PortRequest req = PortRequest.builder().range(new PortRange(first, first + 1)).build();
            try (PortReservation one = finder.reserve(req); PortReservation two = finder.reserve(req)) {
                assertNotEquals(one.port(), two.port());
                expectPort(first, one.port(), "first reservation");
                expectPort(first + 1, two.port(), "second reservation, while the first is held");
            }
        });
    }

    @Test
    void exhaustedRangeFallsBackToAnOsAssignedPort() throws Exception {
        TestBand.FREE.onFreeBlock(1, first -> {
            PortRequest one = PortRequest.builder().range(new PortRange(first, first)).build();
            try (PortReservation held = finder.reserve(one); PortReservation fallback = finder.reserve(one)) {
                expectPort(first, held.port(), "the only port of the range");
                assertNotEquals(first, fallback.port());
                assertFalse(fallback.inRange(), "fallback outside the range: " + fallback.port());
                assertTrue(fallback.channel().isOpen(), "the fallback holds a bound channel too");
            }
        });
    }
}
