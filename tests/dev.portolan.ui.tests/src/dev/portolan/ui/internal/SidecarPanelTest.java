package dev.portolan.ui.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portolan.api.Endpoint;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.ui.internal.model.StatusSnapshot.SidecarInfo;

/** The Sidecar panel's PID field: our sidecar's pid, never another process's. */
class SidecarPanelTest {

    private static final Endpoint OTHER = Endpoint.at("127.0.0.1", 8008, "registry", true).withPid(15858L);

    @Test
    void anExitedSidecarHasNoPidEvenWhenAnotherInstanceServesTheEndpoint() {
        // seen in the product: after Stop, a registered instance of the service took over; the panel said
        // "PID: 15858 (announced)" beside "State: EXITED", the other process's pid as if it were the sidecar's
        SidecarInfo exited = new SidecarInfo(null, SidecarState.EXITED, null, 0, List.of("java", "SampleBackend"));
        assertEquals("–", SidecarPanel.pidText(exited, OTHER));
        SidecarInfo running = new SidecarInfo(11023L, SidecarState.RUNNING, Instant.EPOCH, 0,
                List.of("java", "SampleBackend"));
        assertEquals("11023", SidecarPanel.pidText(running, OTHER));
    }

    @Test
    void withNoSidecarStartedTheEndpointsAnnouncedPidIsShown() {
        assertEquals("15858 (announced)", SidecarPanel.pidText(null, OTHER));
        assertEquals("–", SidecarPanel.pidText(null, null));
        assertEquals("–", SidecarPanel.pidText(null, OTHER.withPid(null)));
    }
}
