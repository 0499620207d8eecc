package dev.portolan.detect.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.portolan.api.PortRange;
import dev.portolan.api.Verification;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.launch.FoundBy;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.OutputLine;
import dev.portolan.api.launch.SidecarAnnouncement;
import dev.portolan.api.launch.SidecarLauncher;
import dev.portolan.core.internal.BackendServiceImpl;
import dev.portolan.core.internal.DiscoveryServiceImpl;
import dev.portolan.core.internal.EndpointTrackerImpl;
import dev.portolan.core.internal.SettingsServiceImpl;
import dev.portolan.tests.common.Await;
import dev.portolan.tests.common.NaiveServer;
import dev.portolan.tests.common.OsgiServices;

/**
 * The user's output patterns from the settings (preference {@code output_patterns}): a real child that prints its port
 * only in a line of its own making is adopted through them (verified by process ownership and its health), a bad
 * pattern next to them is ignored with a warning while the good one still works, and without the preference the
 * configured backend is not adopted at all (only announcements count, as before). The health path preference
 * ({@code health_path}) alone turns adoption on too, and the child is checked there.
 */
class OutputPatternPreferenceTest {

    static {
        Fixtures.init();
    }

    /** Listens on a free loopback port, answers /health, then prints the port in a line no built-in pattern knows. */
    private static final String CHILD = NaiveServer.onAnyPort("orders-api: accepting calls at tcp %d");
    private static final String GOOD = "accepting calls at tcp (?<port>\\d+)";
    private static final String BAD = "accepting calls at (tcp";
    private static final String ACTUATOR = "/actuator/health";
    /** Healthy on {@link #ACTUATOR} only, 401 elsewhere (Spring Boot behind its security), with a line of its own. */
    private static final String SPRING_LIKE = NaiveServer.onAnyPortHealthyAt(ACTUATOR,
            "orders-api: accepting calls at tcp %d");

    @Test
    void aChildPrintingItsOwnLineIsAdoptedThroughThePreferencePattern() throws Exception {
        SettingsServiceImpl settings = settings();
        settings.update(child(settings, List.of(BAD, GOOD)).withStartTimeout(Duration.ofSeconds(60)));
        assertTrue(settings.warnings().size() == 1 && settings.warnings().get(0).contains("'" + BAD + "'")
                && settings.warnings().get(0).contains("is not a regular expression"), settings.warnings().toString());
        assertEquals(List.of(), settings.problems());
        LaunchSpec spec = backend(settings).configuredSpec();
        assertTrue(spec.adoption().enabled());
        assertEquals(List.of(GOOD), spec.adoption().outputPatterns(), "the bad pattern is left out");

        LaunchHandle h = launcher().launch(spec);
        try {
            SidecarAnnouncement a = Await.result(h.announcement(), Fixtures.WAIT, "adoption of the child");
            Matcher m = Pattern.compile(GOOD).matcher(h.output(OutputLine.Stream.STDOUT).stream()
                    .map(OutputLine::text).filter(t -> t.contains("accepting calls")).findFirst().orElseThrow());
            assertTrue(m.find());
            assertEquals(Integer.parseInt(m.group("port")), a.announcement().port(), "the printed port");
            assertEquals(Verification.PROCESS, a.verification(), "its listener is the child's");
            // the periodic look at the child's sockets may win the race with the line: both are verified the same way
            assertTrue(a.foundBy() == FoundBy.OUTPUT || a.foundBy() == FoundBy.PROCESS, a.foundBy().toString());
        } finally {
            Await.result(h.stop(), Fixtures.WAIT, "stop");
        }
    }

    @Test
    void aChildHealthyOnlyOnItsOwnPathIsAdoptedThroughTheHealthPathPreference() throws Exception {
        SettingsServiceImpl settings = settings();
        settings.update(child(settings, SPRING_LIKE, List.of()).withHealthPath(ACTUATOR)
                .withStartTimeout(Duration.ofSeconds(60)));
        assertEquals(List.of(), settings.warnings());
        LaunchSpec spec = backend(settings).configuredSpec();
        assertTrue(spec.adoption().enabled(), "a health path of its own turns adoption on, as patterns do");
        assertEquals(ACTUATOR, spec.adoption().healthPath());

        LaunchHandle h = launcher().launch(spec);
        try {
            SidecarAnnouncement a = Await.result(h.announcement(), Fixtures.WAIT, "adoption of the child");
            assertEquals(Verification.PROCESS, a.verification(), "its listener is the child's");
            assertEquals(URI.create("http://127.0.0.1:" + a.announcement().port() + ACTUATOR),
                    a.announcement().healthUrl(), "checked where it is healthy (it answers 401 on /health)");
        } finally {
            Await.result(h.stop(), Fixtures.WAIT, "stop");
        }
    }

    @Test
    void withoutThePreferenceTheConfiguredBackendIsNotAdopted() throws Exception {
        SettingsServiceImpl settings = settings();
        settings.update(child(settings, List.of()));
        LaunchSpec spec = backend(settings).configuredSpec();
        assertFalse(spec.adoption().enabled(), "only announcements count for the configured backend by default");
    }

    private static SettingsServiceImpl settings() {
        int first = Fixtures.PORTS.block(4);
        SettingsServiceImpl s = new SettingsServiceImpl(Map.of("PORTOLAN_PORT_RANGE",
                new PortRange(first, first + 3).toString()));
        s.load();
        return s;
    }

    /** The configured settings with the child as the backend command and {@code patterns}. */
    private static PortolanSettings child(SettingsServiceImpl s, List<String> patterns) {
        return child(s, CHILD, patterns);
    }

    /** The configured settings with the Python program {@code child} as the backend command and {@code patterns}. */
    private static PortolanSettings child(SettingsServiceImpl s, String child, List<String> patterns) {
        PortolanSettings c = s.configured();
        return new PortolanSettings(c.range(), c.discoveryTimeout(), c.healthInterval(), c.debug(), null,
                List.of("/usr/bin/python3", "-c", child), null, false, c.startTimeout(), 1, patterns);
    }

    private static BackendServiceImpl backend(SettingsServiceImpl s) {
        EndpointTrackerImpl tracker = new EndpointTrackerImpl(new DiscoveryServiceImpl(s, List.of()), s);
        return new BackendServiceImpl(launcher(), tracker, tracker, s);
    }

    private static SidecarLauncher launcher() {
        return OsgiServices.await(OutputPatternPreferenceTest.class, SidecarLauncher.class, Fixtures.WAIT);
    }
}
