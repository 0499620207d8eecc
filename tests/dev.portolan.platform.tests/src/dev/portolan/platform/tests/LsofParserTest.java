package dev.portolan.platform.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portolan.platform.ListeningSocket;
import dev.portolan.platform.internal.LsofParser;

class LsofParserTest {

    @Test
    void capturedLinuxOutputWithSeveralListenersPerPortAndAnOddProcessName() {
        List<String> skipped = new ArrayList<>();
        List<ListeningSocket> s = LsofParser.parse(Samples.read("lsof-linux-captured.txt"), skipped);
        assertEquals(List.of(), skipped);
        assertEquals(11, s.size(), s.toString());
        assertEquals(new ListeningSocket("127.0.0.1", 18009, 11385L, "back end (v2)"), s.get(0));
        assertEquals(new ListeningSocket("::1", 18009, 11385L, "back end (v2)"), s.get(1));
        assertEquals(new ListeningSocket("0.0.0.0", 18010, 11385L, "back end (v2)"), s.get(2), "* with tIPv4");
        assertEquals(new ListeningSocket("::", 18010, 11385L, "back end (v2)"), s.get(3), "* with tIPv6");
        // the forked child holds the inherited sockets too, and a second socket on 18011 of its own
        assertEquals(3, s.stream().filter(l -> l.port() == 18011).count());
        assertEquals(2, s.stream().filter(l -> l.port() == 18011 && l.pid() == 11386L).count());
        assertEquals(new ListeningSocket("::1", 18009, 11386L, "back end (v2)"), s.get(6));
    }

    @Test
    void macosOutputWithFdFieldsUnknownFieldsAndAMalformedName() {
        List<String> skipped = new ArrayList<>();
        List<ListeningSocket> s = LsofParser.parse(Samples.read("lsof-macos-synthetic.txt"), skipped);
        assertEquals(List.of("nlocalhost"), skipped);
        assertEquals(List.of(new ListeningSocket("0.0.0.0", 7000, 412L, "ControlCe"),
                new ListeningSocket("::", 7000, 412L, "ControlCe"),
                new ListeningSocket("127.0.0.1", 8009, 8801L, "Código Helper"),
                new ListeningSocket("::1", 8009, 8801L, "Código Helper"),
                new ListeningSocket("127.0.0.1", 8009, 8802L, "python3.12"),
                new ListeningSocket("fe80::1%lo0", 8010, 8802L, "python3.12"),
                new ListeningSocket("::", 8020, 9000L, "java")), s);
    }

    @Test
    void aNameBeforeAnyProcessAndABadPidAreSkipped() {
        List<String> skipped = new ArrayList<>();
        List<ListeningSocket> s = LsofParser.parse("n127.0.0.1:1\npabc\ncx\nn127.0.0.1:2\np7\r\nn*:3\n", skipped);
        assertEquals(List.of("n127.0.0.1:1", "pabc", "n127.0.0.1:2"), skipped);
        assertEquals(List.of(new ListeningSocket("*", 3, 7L, null)), s, "no t field: the wildcard stays *");
    }
}
