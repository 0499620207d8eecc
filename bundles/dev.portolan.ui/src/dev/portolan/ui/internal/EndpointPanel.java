package dev.portolan.ui.internal;

import static dev.portolan.ui.internal.view.FieldGrid.field;
import static dev.portolan.ui.internal.view.FieldGrid.link;
import static dev.portolan.ui.internal.view.FieldGrid.setLink;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Group;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Link;

import dev.portolan.api.Endpoint;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.core.registry.RemoteInstances;
import dev.portolan.ui.internal.model.StatusSnapshot;
import dev.portolan.ui.internal.view.FieldGrid;
import dev.portolan.ui.internal.view.Formats;
import dev.portolan.ui.internal.view.VerificationText;

/**
 * The Backend Status view's Endpoint panel: where the current endpoint is, how it was found and verified, its latest
 * health check and the registries in use.
 */
final class EndpointPanel {

    private final Supplier<List<String>> registryLocations;
    private final Label port;
    private final Link baseUrl;
    private final Link docsUrl;
    private final Link healthUrl;
    private final Label strategy;
    private final Label verified;
    private final Label latency;
    private final Label lastCheck;
    /** Which registries are in use (local; etcd when configured) and whether the endpoint is on this machine. */
    private final Label registry;

    /** {@code registryLocations}: the registries in use, each with its reachability (read on the UI thread). */
    EndpointPanel(Composite parent, Supplier<List<String>> registryLocations) {
        this.registryLocations = registryLocations;
        Group endpoint = FieldGrid.group(parent, "Endpoint");
        port = field(endpoint, "Port:");
        baseUrl = link(endpoint, "Base URL:");
        docsUrl = link(endpoint, "API docs:");
        healthUrl = link(endpoint, "Health:");
        strategy = field(endpoint, "Found by:");
        verified = field(endpoint, "Verified:");
        latency = field(endpoint, "Health latency:");
        lastCheck = field(endpoint, "Last check:");
        registry = field(endpoint, "Registry:");
    }

    void show(StatusSnapshot s) {
        EndpointStatus st = s.endpoint();
        Endpoint e = s.currentEndpoint().orElse(null);
        port.setText(e == null ? "–" : Integer.toString(e.port()));
        setLink(baseUrl, e == null ? null : e.baseUrl());
        setLink(docsUrl, e == null ? null : e.docsUrl());
        setLink(healthUrl, e == null ? null : e.healthUrl());
        strategy.setText(e == null ? "–" : e.source());
        verified.setText(e == null ? "–" : VerificationText.of(e.verification(), WorkbenchServices.settings()
                .map(SettingsService::pinnedPort).filter(p -> p.isPresent() && p.getAsInt() == e.port()).isPresent()));
        lastCheck.setText(st == null || st.lastCheck() == null ? "–" : Formats.time(st.lastCheck()));
        refresh(s);
    }

    /** What changes without a new snapshot: the health latency and the registries' reachability (every second). */
    void refresh(StatusSnapshot s) {
        showLatency(s.endpoint(), s.currentEndpoint().orElse(null));
        showRegistry(s.currentEndpoint().orElse(null));
    }

    /** The current endpoint's latest health-check latency: its instance's (checked every interval), else the status'. */
    private void showLatency(EndpointStatus st, Endpoint e) {
        Duration d = e == null ? null : WorkbenchServices.instances().flatMap(m -> m.table().latencyOf(e))
                .orElse(st == null ? null : st.latency());
        latency.setText(d == null ? "–" : Formats.millis(d));
    }

    /**
     * The registries in use, each with its reachability (issue 17: "etcd … unreachable since HH:MM:SS (…)" until it
     * answers again).
     */
    private void showRegistry(Endpoint e) {
        List<String> registries = registryLocations.get();
        String text = (registries.isEmpty() ? "none" : String.join(" + ", registries))
                + (e != null && !RemoteInstances.isLoopback(e.baseUrl()) ? "; this endpoint is remote" : "");
        if (!text.equals(registry.getText())) {
            registry.setText(text);
            registry.setToolTipText(text);
            registry.getParent().layout(true, true);
        }
    }

    String portText() {
        return port.getText();
    }

    String foundByText() {
        return strategy.getText();
    }

    String latencyText() {
        return latency.getText();
    }
}
