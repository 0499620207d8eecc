package dev.portolan.backend.tests;

import static dev.portolan.backend.tests.Backends.awaitAnnouncement;
import static dev.portolan.backend.tests.Backends.get;
import static dev.portolan.backend.tests.Backends.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.portolan.api.Announcement;
import dev.portolan.backend.sample.SampleBackend;
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
        try {
            for (int i = 0; i < 8; i++) {
                // default range (no PORTOLAN_PORT_RANGE / --range); API_PORT cleared in case the caller has one
                children.add(ChildProcess.start(null,
                        Backends.withEnv(List.of("-u", "API_PORT", "-u", "PORTOLAN_PORT_RANGE", "PORTOLAN_TOKEN=b" + i),
                                SampleBackend.command())));
            }
            Set<Integer> ports = new HashSet<>();
            for (int i = 0; i < children.size(); i++) {
                ChildProcess child = children.get(i);
                Announcement a = awaitAnnouncement(child);
                ports.add(a.port());
                JsonNode health = json(get(a.healthUrl()));
                assertEquals("b" + i, health.get("token").asText(), "backend " + i + " answers on its own port");
                assertEquals(child.process().pid(), health.get("pid").asLong());
                assertEquals(a.port(), health.get("port").asInt());
            }
            assertEquals(8, ports.size(), "distinct ports: " + ports);
        } finally {
            children.forEach(ChildProcess::close);
        }
    }
}
