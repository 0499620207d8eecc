package dev.portolan.ui.internal.handlers;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.runtime.ServiceCaller;
import org.eclipse.swt.dnd.Clipboard;
import org.eclipse.swt.dnd.TextTransfer;
import org.eclipse.swt.dnd.Transfer;
import org.eclipse.swt.widgets.Display;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.discovery.ApiClient;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.BackendService.ManagedInstance;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.discovery.SettingsService;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.metrics.PortolanMetrics;
import dev.portolan.ui.internal.WorkbenchServices;
import dev.portolan.ui.internal.diagnostics.DiagnosticsReport;
import dev.portolan.ui.internal.diagnostics.SettingSources;
import dev.portolan.ui.internal.model.BackendStatusModel;
import dev.portolan.ui.internal.model.InstanceTable;

/**
 * Copy Diagnostics: gathers what the services know (in a Job: log tails wait briefly for their writer), builds the
 * {@link DiagnosticsReport} and puts it on the clipboard as text.
 */
public final class CopyDiagnosticsHandler extends AbstractHandler {

    private static final ServiceCaller<PortolanMetrics> METRICS = new ServiceCaller<>(CopyDiagnosticsHandler.class,
            PortolanMetrics.class);

    @Override
    public Object execute(ExecutionEvent event) {
        Display display = Display.getCurrent() != null ? Display.getCurrent() : Display.getDefault();
        BackendJob.schedule("Copying Portolan diagnostics", "copy diagnostics", m -> {
            String report = DiagnosticsReport.build(gather());
            CompletableFuture<String> copied = new CompletableFuture<>();
            display.asyncExec(() -> {
                if (display.isDisposed()) {
                    copied.completeExceptionally(new IllegalStateException("the display is gone"));
                    return;
                }
                Clipboard clipboard = new Clipboard(display);
                try {
                    clipboard.setContents(new Object[] { report }, new Transfer[] { TextTransfer.getInstance() });
                    copied.complete(report);
                } finally {
                    clipboard.dispose();
                }
            });
            return copied;
        }, r -> "copied " + r.lines().count() + " lines to the clipboard");
        return null;
    }

    /** Everything the report shows, read from the services now. */
    static DiagnosticsReport.Input gather() {
        Bundle own = FrameworkUtil.getBundle(CopyDiagnosticsHandler.class);
        Map<String, String> bundles = new TreeMap<>();
        if (own != null && own.getBundleContext() != null) {
            for (Bundle b : own.getBundleContext().getBundles()) {
                if (b.getSymbolicName() != null && b.getSymbolicName().startsWith("dev.portolan")) {
                    bundles.put(b.getSymbolicName(), b.getVersion().toString());
                }
            }
        }
        Set<String> secrets = new HashSet<>();
        var tracker = WorkbenchServices.tracker();
        var backend = WorkbenchServices.backend();
        List<ManagedInstance> managed = backend.map(BackendService::managedInstances).orElse(List.of());
        List<DiagnosticsReport.SidecarLog> logs = new ArrayList<>();
        for (ManagedInstance i : managed) {
            LaunchHandle h = i.handle();
            secrets(secrets, h.credentials());
            secrets.add(h.token());
            logs.add(new DiagnosticsReport.SidecarLog(i.instanceId(), h.logFile().orElse(null),
                    h.logTail(DiagnosticsReport.LOG_LINES), h.failure().map(Throwable::getMessage).orElse(null)));
        }
        InstanceTable table = new InstanceTable();
        tracker.ifPresent(t -> {
            t.bearerToken().ifPresent(secrets::add);
            t.instances().forEach(s -> t.bearerToken(s.instanceId()).ifPresent(secrets::add));
            table.instancesChanged(t.instances());
        });
        table.loadChanged(WorkbenchServices.api().map(ApiClient::load).orElse(List.of()));
        table.managedChanged(managed.stream().map(InstanceTable.Managed::of).toList());
        var settings = WorkbenchServices.settings();
        return new DiagnosticsReport.Input(Instant.now(), own == null ? "unknown" : own.getVersion().toString(),
                bundles, System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ") "
                        + System.getProperty("java.home"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                settings.map(s -> SettingSources.of(s.effective(), s.configured(), s.environmentOverrides()))
                        .orElse(List.of()),
                settings.map(SettingsService::problems).orElse(List.of()),
                tracker.map(EndpointTracker::current).orElse(null), table.rows(),
                WorkbenchServices.model().map(BackendStatusModel::registryLocations).orElse(List.of()),
                WorkbenchServices.model().map(m -> m.snapshot().events()).orElse(List.of()), logs,
                METRICS.current().map(PortolanMetrics::scrape).orElse(null), secrets);
    }

    private static void secrets(Set<String> out, BackendCredentials c) {
        if (c == null) {
            return;
        }
        for (String s : new String[] { c.identityKey(), c.apiToken(), c.token() }) {
            if (s != null) {
                out.add(s);
            }
        }
    }
}
