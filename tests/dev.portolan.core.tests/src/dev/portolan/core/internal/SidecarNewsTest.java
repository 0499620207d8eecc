package dev.portolan.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.portolan.api.Endpoint;
import dev.portolan.api.Verification;

/** How the tracker words our sidecar's endpoint by how the launcher found it. */
class SidecarNewsTest {

    @Test
    void aServerFoundOnItsSocketIsAdoptedUnlessItProvedItselfByChallenge() {
        Endpoint announced = Endpoint.at("127.0.0.1", 8009, "announcement", true).withSource("announcement",
                Verification.CHALLENGE);
        assertEquals("announced by our sidecar default-2", SidecarNews.howFound(announced, " default-2"));
        Endpoint uvicorn = Endpoint.at("127.0.0.1", 8009, "process", true).withSource("process", Verification.PROCESS);
        assertEquals("adopted: our sidecar's process tree listens on this port", SidecarNews.howFound(uvicorn, ""));
        Endpoint printed = Endpoint.at("127.0.0.1", 8009, "output", true).withSource("output", Verification.PROCESS);
        assertEquals("adopted: our sidecar printed this port, and its process tree listens there",
                SidecarNews.howFound(printed, ""));
        // the Python reference backend serves before its port_info line is read, and answers the probe's challenge
        Endpoint reference = Endpoint.at("127.0.0.1", 8009, "process", true).withSource("process",
                Verification.CHALLENGE);
        assertEquals("our sidecar web-1 serves on this port and proved its identity (challenge) before its port_info "
                + "line was read", SidecarNews.howFound(reference, " web-1"));
    }
}
