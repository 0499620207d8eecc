package dev.portolan.platform.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portolan.platform.ListeningSocket;
import dev.portolan.platform.internal.NetTcpConnectionParser;
import dev.portolan.platform.internal.NetstatParser;

class WindowsParsersTest {

    @Test
    void netstatIpv4KeepsOnlyListenersAndEveryListenerOfAPort() {
        List<String> skipped = new ArrayList<>();
        List<ListeningSocket> s = NetstatParser.parse(Samples.read("netstat-tcp-en.txt"), skipped);
        assertEquals(List.of(), skipped);
        assertEquals(List.of(new ListeningSocket("0.0.0.0", 135, 1060L, null),
                new ListeningSocket("0.0.0.0", 445, 4L, null),
                new ListeningSocket("0.0.0.0", 8009, 7312L, null),
                new ListeningSocket("127.0.0.1", 8009, 9120L, null),
                new ListeningSocket("127.0.0.1", 8011, 5120L, null),
                new ListeningSocket("192.168.1.23", 139, 4L, null)), s);
    }

    @Test
    void netstatIpv6WithBracketsAndAZoneIndex() {
        List<String> skipped = new ArrayList<>();
        List<ListeningSocket> s = NetstatParser.parse(Samples.read("netstat-tcpv6-en.txt"), skipped);
        assertEquals(List.of(), skipped);
        assertEquals(List.of(new ListeningSocket("::", 135, 1060L, null),
                new ListeningSocket("::", 8009, 7312L, null),
                new ListeningSocket("::1", 8009, 9120L, null),
                new ListeningSocket("fe80::88a3:7388:e822:ac71%7", 53, 3328L, null)), s);
    }

    @Test
    void aLocalizedNetstatIsReadByColumnNotByTheWordListening() {
        List<String> skipped = new ArrayList<>();
        List<ListeningSocket> s = NetstatParser.parse(Samples.read("netstat-tcp-de.txt"), skipped);
        assertEquals(List.of(new ListeningSocket("0.0.0.0", 135, 1024L, null),
                new ListeningSocket("127.0.0.1", 8009, 9876L, null)), s);
        assertEquals(1, skipped.size(), skipped.toString());
        assertTrue(skipped.get(0).contains("127.0.0.1:8010"), skipped.toString());
    }

    @Test
    void getNetTcpConnectionQuotedCsvOfWindowsPowerShell() {
        List<String> skipped = new ArrayList<>();
        List<ListeningSocket> s = NetTcpConnectionParser.parse(Samples.read("get-nettcpconnection-ps51.csv"),
                skipped);
        assertEquals(List.of(), skipped);
        assertEquals(List.of(new ListeningSocket("::", 135, 1060L, null),
                new ListeningSocket("::1", 8009, 9120L, null),
                new ListeningSocket("0.0.0.0", 8009, 7312L, null),
                new ListeningSocket("127.0.0.1", 8011, 5120L, null),
                new ListeningSocket("0.0.0.0", 135, 1060L, null),
                new ListeningSocket("0.0.0.0", 49664, null, null)), s);
    }

    @Test
    void getNetTcpConnectionUnquotedCsvWithColumnsInAnotherOrder() {
        List<String> skipped = new ArrayList<>();
        List<ListeningSocket> s = NetTcpConnectionParser.parse(
                Samples.read("get-nettcpconnection-ps7-asneeded.csv"), skipped);
        assertEquals(List.of("666,127.0.0.1,port"), skipped);
        assertEquals(List.of(new ListeningSocket("::1", 8009, 9120L, null),
                new ListeningSocket("0.0.0.0", 8009, 7312L, null),
                new ListeningSocket("127.0.0.1", 8011, 5120L, null)), s);
    }

    @Test
    void csvWithoutTheExpectedHeaderYieldsNothingAndSaysWhy() {
        List<String> skipped = new ArrayList<>();
        assertEquals(List.of(), NetTcpConnectionParser.parse("Get-NetTCPConnection : not recognized\r\n", skipped));
        assertEquals(List.of("Get-NetTCPConnection : not recognized"), skipped);
    }
}
