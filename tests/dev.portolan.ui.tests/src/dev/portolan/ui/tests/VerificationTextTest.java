package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.portolan.api.Verification;
import dev.portolan.ui.internal.view.VerificationText;

/** How the Backend Status view words an endpoint's identity, also when {@code API_PORT} pins its port. */
class VerificationTextTest {

    @Test
    void anEndpointOnThePortApiPortPinsSaysSo() {
        assertEquals("pinned by API_PORT (not checked)", VerificationText.of(Verification.USER, true));
        assertEquals("yes (challenge-response), pinned by API_PORT", VerificationText.of(Verification.CHALLENGE,
                true));
        assertEquals("pinned by the user (not checked)", VerificationText.of(Verification.USER, false));
        assertEquals(VerificationText.of(Verification.PROCESS), VerificationText.of(Verification.PROCESS, false));
    }
}
