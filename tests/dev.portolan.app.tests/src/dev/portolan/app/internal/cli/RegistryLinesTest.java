package dev.portolan.app.internal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.api.registry.RegistryEvent;
import dev.portolan.api.registry.RegistryEvent.Kind;
import dev.portolan.tests.common.SigningBackend;

/**
 * The lines of a registry watch when the watch and its starting listing overlap (the watch is set up first, so an
 * instance can reach both): each instance is printed once, in the order its changes happened. Real entries of real
 * loopback servers that sign their challenges; the events are handed over as the printer thread receives them.
 */
class RegistryLinesTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final RegistryLines lines = new RegistryLines(true, new PrintStream(bytes, true, StandardCharsets.UTF_8),
            null);

    private List<String> printed() throws Exception {
        ObjectMapper json = new ObjectMapper();
        return bytes.toString(StandardCharsets.UTF_8).lines().map(l -> {
            try {
                JsonNode n = json.readTree(l);
                return n.path("event").asText() + " " + n.path("instance_id").asText() + " "
                        + n.path("verification").asText("-");
            } catch (Exception e) {
                throw new AssertionError(l, e);
            }
        }).toList();
    }

    @Test
    void aListedInstanceIsNotPrintedAgainWhenItsRegistrationIsReportedLate() throws Exception {
        try (SigningBackend a = SigningBackend.real()) {
            InstanceEntry e = a.entry("web", "web-1", a.identity());
            lines.listed(List.of(e));
            lines.changed(new RegistryEvent(Kind.REGISTERED, e, "late"));
            assertEquals(List.of("listed web-1 verified"), printed());
        }
    }

    @Test
    void anInstanceAnEventMentionedBeforeTheListingIsNotListed() throws Exception {
        try (SigningBackend a = SigningBackend.real(); SigningBackend b = SigningBackend.real();
                SigningBackend c = SigningBackend.real()) {
            InstanceEntry joined = a.entry("web", "web-1", a.identity());
            InstanceEntry left = b.entry("web", "web-2", b.identity());
            InstanceEntry stays = c.entry("web", "web-3", c.identity());
            lines.changed(new RegistryEvent(Kind.REGISTERED, joined, "new"));
            lines.changed(new RegistryEvent(Kind.DEREGISTERED, left, "gone"));
            // the listing was read before those changes reached the printer: it still has web-2, and web-1 too
            lines.listed(List.of(joined, left, stays));
            assertEquals(List.of("registered web-1 verified", "deregistered web-2 -", "listed web-3 verified"),
                    printed());
        }
    }

    @Test
    void anInstanceThatLeavesAndRegistersAgainIsPrintedEachTime() throws Exception {
        try (SigningBackend a = SigningBackend.real()) {
            InstanceEntry e = a.entry("web", "web-1", a.identity());
            lines.listed(List.of(e));
            lines.changed(new RegistryEvent(Kind.DEREGISTERED, e, "gone"));
            lines.changed(new RegistryEvent(Kind.REGISTERED, e, "back"));
            assertEquals(List.of("listed web-1 verified", "deregistered web-1 -", "registered web-1 verified"),
                    printed());
        }
    }
}
