package dev.portolan.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.portolan.api.discovery.DiscoveryResult;
import dev.portolan.api.launch.LaunchException;
import dev.portolan.core.discovery.Troubleshooting;
import dev.portolan.core.discovery.Troubleshooting.Case;

/** The hints for the failure cases say what happened, the likely cause and what to do (checked by meaning). */
class TroubleshootingTest {

    @Test
    void everyHintNamesTheConsoleAndAnAction() {
        for (Case c : Case.values()) {
            assertTrue(c.hint().contains("sidecar console"), c + ": " + c.hint());
            // a sidecar that exited is started again, not discovered
            assertTrue(c == Case.SIDECAR_EXITED || c == Case.START_TIMEOUT || c.hint().contains("Refresh Discovery"),
                    c + ": " + c.hint());
            assertTrue(c.hint().contains("Likely") && c.hint().contains("Do:"), c + ": " + c.hint());
        }
        assertTrue(Case.DISCOVERY_TIMEOUT.hint().contains("PORT_DISCOVERY_TIMEOUT"), Case.DISCOVERY_TIMEOUT.hint());
        assertTrue(Case.DISCOVERY_TIMEOUT.hint().contains("python3-fastapi"));
        // a sidecar's start has its own timeout: the discovery timeout does not lengthen it
        assertTrue(Case.START_TIMEOUT.hint().contains("PORTOLAN_START_TIMEOUT")
                && Case.START_TIMEOUT.hint().contains("`./portolan run --timeout")
                && !Case.START_TIMEOUT.hint().contains("PORT_DISCOVERY_TIMEOUT")
                && Case.START_TIMEOUT.hint().contains("start it again"), Case.START_TIMEOUT.hint());
        assertTrue(Case.API_NOT_AVAILABLE.hint().contains("python3-fastapi"));
        assertTrue(Case.SIDECAR_EXITED.hint().startsWith("the backend exited while starting")
                && Case.SIDECAR_EXITED.hint().contains("start it again"), Case.SIDECAR_EXITED.hint());
        // servers that answer but are no healthy backend (other programs' dev servers) are not "nothing answers"
        assertTrue(Case.API_NOT_AVAILABLE.hint().startsWith("no healthy backend answers")
                && Case.API_NOT_AVAILABLE.hint().contains("`./portolan ports`"), Case.API_NOT_AVAILABLE.hint());
        // and such a server is one the user can pin (it is never taken unpinned: it proves nothing)
        assertTrue(Case.API_NOT_AVAILABLE.hint().contains("API_PORT=<port> or Override Endpoint"),
                Case.API_NOT_AVAILABLE.hint());
    }

    @Test
    void failuresMapToTheirCase() {
        assertEquals(Optional.of(Case.DISCOVERY_TIMEOUT),
                Troubleshooting.of(new DiscoveryResult(Optional.empty(), List.of(), Duration.ofSeconds(5), true)));
        assertEquals(Optional.of(Case.API_NOT_AVAILABLE),
                Troubleshooting.of(new DiscoveryResult(Optional.empty(), List.of(), Duration.ofSeconds(1), false)));
        assertEquals(Optional.of(Case.START_TIMEOUT), Troubleshooting.of(new LaunchException("announcement timed "
                + "out", LaunchException.Reason.ANNOUNCEMENT_TIMEOUT)));
        assertEquals(Optional.of(Case.START_TIMEOUT), Troubleshooting.ofMessage("sidecar-1: announcement timed out: "
                + "nothing acceptable from /usr/bin/python3 (pid 42) within 1 s; no stderr output"));
        assertEquals(Optional.of(Case.SIDECAR_EXITED), Troubleshooting.of(new LaunchException("exited with 1",
                LaunchException.Reason.EXITED_BEFORE_ANNOUNCING)));
        assertEquals(Optional.of(Case.SIDECAR_EXITED), Troubleshooting.of(new LaunchException("crash loop: ...",
                LaunchException.Reason.CRASH_LOOP)));
        // the status line of a failed start: its quoted output does not make it another case
        assertEquals(Optional.of(Case.SIDECAR_EXITED), Troubleshooting.ofMessage("sidecar-1: /usr/bin/python3 (pid "
                + "42) exited with code 1 before announcing; last stderr lines: | ConnectionRefusedError: refused"));
        assertEquals(Optional.of(Case.CONNECTION_REFUSED),
                Troubleshooting.ofMessage("health check of http://127.0.0.1:8009 failed: connection refused"));
        assertEquals(Optional.of(Case.DISCOVERY_TIMEOUT),
                Troubleshooting.ofMessage("discovery timed out after 5000 ms; scan: nothing answers"));
        assertEquals(Optional.of(Case.API_NOT_AVAILABLE), Troubleshooting.ofMessage("no backend found; scan: ..."));
        assertEquals(Optional.empty(), Troubleshooting.ofMessage("found by scan"));
        assertEquals("found by scan", Troubleshooting.withHint("found by scan"));
        assertTrue(Troubleshooting.withHint("no backend found").contains("\nhint: " + Case.API_NOT_AVAILABLE.hint()));
    }
}
