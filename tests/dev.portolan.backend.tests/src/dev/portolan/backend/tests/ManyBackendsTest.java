package dev.portolan.backend.tests;

import static dev.portolan.backend.tests.Backends.awaitAnnouncement;
import static dev.portolan.backend.tests.Backends.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.portolan.api.Announcement;
import dev.portolan.backend.sample.SampleBackend;
import dev.portolan.core.protocol.IdentityProof;
import dev.portolan.tests.common.ChildProcess;

/**
 * Eight sample backends launched at once on the default range 8008-8020: each gets its own port and announces it.
 * Ports of that range may be busy from outside (other tools, parallel builds), so the test asserts on what the
 * backends report, not on fixed numbers.
 */
class ManyBackendsTest {

    @Test
    void eightBackendsLaunchedAtOnceGetEightDistinctPortsEachAnnouncingItsOwn() throws Exception {
        List<ChildProcess> children = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                // default range (no PORTOLAN_PORT_RANGE / --range); API_PORT cleared in case the caller has one;
                // each backend gets its own identity key (in the environment, not on the command line)
                keys.add(IdentityProof.newSecret());
                children.add(ChildProcess.start(null,
                        Backends.withEnv(List.of("-u", "API_PORT", "-u", "PORTOLAN_PORT_RANGE"), SampleBackend.command()),
                        Map.of("PORTOLAN_IDENTITY_KEY", keys.get(i))));
            }
            Set<Integer> ports = new HashSet<>();
            for (int i = 0; i < children.size(); i++) {
                ChildProcess child = children.get(i);
                Announcement a = awaitAnnouncement(child);
                ports.add(a.port());
                String nonce = IdentityProof.newNonce();
                var response = Backends.HTTP.send(java.net.http.HttpRequest.newBuilder(a.healthUrl())
                        .header(IdentityProof.CHALLENGE_HEADER, nonce).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                JsonNode health = json(response);
                assertTrue(IdentityProof.verify(keys.get(i), nonce, a.port(),
                        response.headers().firstValue(IdentityProof.PROOF_HEADER).orElse(null)),
                        "backend " + i + " answers on its own port");
                assertEquals(child.process().pid(), health.get("pid").asLong());
                assertEquals(a.port(), health.get("port").asInt());
            }
            assertEquals(8, ports.size(), "distinct ports: " + ports);
        } finally {
            children.forEach(ChildProcess::close);
        }
    }
}
