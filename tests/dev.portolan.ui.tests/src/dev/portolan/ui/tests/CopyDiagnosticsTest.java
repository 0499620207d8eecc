package dev.portolan.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.eclipse.swt.dnd.Clipboard;
import org.eclipse.swt.dnd.TextTransfer;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.handlers.IHandlerService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.PortRange;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.EndpointState;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.tests.common.OsgiServices;
import dev.portolan.ui.PortolanUi;
import dev.portolan.ui.internal.diagnostics.DiagnosticsReport;
import dev.portolan.ui.internal.diagnostics.SettingSources;

/**
 * Copy Diagnostics (docs/ui.md) with the real services and the bundled sample backend running as our sidecar: the
 * command puts the report on the real clipboard; and the report builder and its redaction on their own.
 */
class CopyDiagnosticsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static BackendService backend;
    private static EndpointTracker tracker;
    private static SettingsService settings;

    @BeforeAll
    static void services() throws Exception {
        backend = OsgiServices.await(CopyDiagnosticsTest.class, BackendService.class, TIMEOUT);
        tracker = OsgiServices.await(CopyDiagnosticsTest.class, EndpointTracker.class, TIMEOUT);
        settings = OsgiServices.await(CopyDiagnosticsTest.class, SettingsService.class, TIMEOUT);
    }

    @AfterAll
    static void stopBackend() throws Exception {
        await("backend stopped", backend.stop());
    }

    @Test
    void theCommandCopiesACompleteReportWithoutSecrets() throws Exception {
        Ui.showStatusView();
        if (backend.sidecar().map(h -> h.state().isTerminal()).orElse(true)) {
            await("backend started", backend.start());
        }
        LaunchHandle sidecar = backend.sidecar().orElseThrow();
        Ui.until("tracker connected to our sidecar", TIMEOUT,
                () -> tracker.current().state() == EndpointState.AVAILABLE && sidecar.lastAnnouncement().isPresent()
                        && tracker.current().endpoint().port() == sidecar.lastAnnouncement().get().announcement().port(),
                () -> tracker.current().toString());
        int port = sidecar.lastAnnouncement().orElseThrow().announcement().port();
        long pid = sidecar.pid().orElseThrow();
        String bearer = tracker.bearerToken().orElseThrow();

        PlatformUI.getWorkbench().getService(IHandlerService.class).executeCommand(PortolanUi.COMMAND_COPY_DIAGNOSTICS,
                null);
        Ui.joinPortolanJobs(TIMEOUT);
        Clipboard clipboard = new Clipboard(Ui.display());
        String report;
        try {
            report = (String) clipboard.getContents(TextTransfer.getInstance());
        } finally {
            clipboard.dispose();
        }
        assertTrue(report != null && report.startsWith("# Portolan diagnostics"), String.valueOf(report));
        // versions, Java, OS
        assertTrue(report.contains("| dev.portolan.launch | "), report);
        assertTrue(report.contains("- Java: " + System.getProperty("java.version")), report);
        assertTrue(report.contains("- OS: " + System.getProperty("os.name")), report);
        // settings and their sources
        assertTrue(report.contains("| range | " + settings.effective().range() + " | "), report);
        assertTrue(report.contains("| discovery timeout | "), report);
        // the instance with its port and pid; the tracked endpoint
        assertTrue(report.contains("| default-1 | "), report);
        assertTrue(report.contains(" | " + port + " | " + pid + " | "), "port and pid in the instances table:\n" + report);
        assertTrue(report.contains("- url: http://127.0.0.1:" + port), report);
        // the sidecar's log file and its last lines
        String file = sidecar.logFile().orElseThrow().toString();
        assertTrue(report.contains("- file: " + file), report);
        assertTrue(report.contains("[portolan] start "), "the log tail is in the report:\n" + report);
        assertTrue(report.contains(" [out] "), "stdout lines of the sidecar:\n" + report);
        assertTrue(report.contains("## Recent events"), report);
        assertTrue(report.contains("## Registries") && report.contains("local "), report);
        // no secret of the launch or the tracker
        assertFalse(report.contains(bearer), "the bearer token must not be copied");
        BackendCredentials c = sidecar.credentials();
        for (String secret : new String[] { c.identityKey(), c.apiToken(), c.token(), sidecar.token() }) {
            if (secret != null) {
                assertFalse(report.contains(secret), "a launch secret was copied");
            }
        }
    }

    @Test
    void redactionRemovesKnownSecretsAndTokenLookingValues() {
        String text = "Authorization: Bearer abcdefghijklmnop\n{\"type\":\"port_info\",\"token\":\"s3cr3t-token-value\"}\n"
                + "PORTOLAN_TOKEN=zzzzzzzzzz and the key K3yK3yK3yK3y here; short 'abc' stays";
        String out = DiagnosticsReport.redact(text, Set.of("K3yK3yK3yK3y", "abc"));
        assertFalse(out.contains("abcdefghijklmnop") || out.contains("s3cr3t-token-value") || out.contains("zzzzzzzzzz")
                || out.contains("K3yK3yK3yK3y"), out);
        assertTrue(out.contains("Bearer [redacted]") && out.contains("\"token\":\"[redacted]\"")
                && out.contains("PORTOLAN_TOKEN=[redacted]") && out.contains("short 'abc' stays"), out);
    }

    @Test
    void settingSourcesNameTheEnvironmentVariableTheConfigurationOrTheDefault() {
        PortolanSettings configured = PortolanSettings.DEFAULTS.withStartTimeout(Duration.ofSeconds(90))
                .withHealthPath("/actuator/health");
        PortolanSettings effective = new PortolanSettings(new PortRange(24000, 24010), configured.discoveryTimeout(),
                configured.healthInterval(), configured.debug(), configured.overridePort(), configured.backendCommand(),
                configured.backendDirectory(), configured.autoStartBackend(), configured.startTimeout(),
                configured.instances(), List.of(), configured.healthPath());
        var rows = SettingSources.of(effective, configured, Map.of("PORTOLAN_PORT_RANGE", "24000-24010"));
        assertEquals(new DiagnosticsReport.Setting("range", "24000-24010", "environment PORTOLAN_PORT_RANGE"), rows.get(0));
        assertEquals(new DiagnosticsReport.Setting("start timeout", "90000 ms", "configured"), rows.get(2));
        assertEquals("default", rows.get(1).source());
        assertEquals(new DiagnosticsReport.Setting("output patterns", "–", "default"), rows.get(rows.size() - 2));
        assertEquals(new DiagnosticsReport.Setting("health path (adopted backends)", "/actuator/health", "configured"),
                rows.get(rows.size() - 1));
        String report = DiagnosticsReport.build(new DiagnosticsReport.Input(Instant.EPOCH, "0.1.1",
                Map.of("dev.portolan.ui", "0.1.1"), "25", "Linux", rows, List.of("X='y' is bad"), null, List.of(),
                List.of(), List.of(), List.of(), null, Set.of()));
        assertTrue(report.contains("| range | 24000-24010 | environment PORTOLAN_PORT_RANGE |"), report);
        assertTrue(report.contains("- problem: X='y' is bad"), report);
        assertTrue(report.contains("No endpoint tracker is running.") && report.contains("No metrics service"), report);
    }

    private static <T> T await(String what, CompletableFuture<T> f) throws Exception {
        Ui.until(what, TIMEOUT, f::isDone);
        return f.get();
    }
}
