package dev.portolan.ui.internal;

import static dev.portolan.ui.internal.view.FieldGrid.field;

import java.time.Duration;
import java.time.Instant;

import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Group;
import org.eclipse.swt.widgets.Label;

import dev.portolan.api.Endpoint;
import dev.portolan.ui.internal.model.StatusSnapshot;
import dev.portolan.ui.internal.model.StatusSnapshot.SidecarInfo;
import dev.portolan.ui.internal.view.FieldGrid;
import dev.portolan.ui.internal.view.Formats;

/** The Backend Status view's Sidecar panel: the backend process this front end started, if any. */
final class SidecarPanel {

    private final Label pid;
    private final Label state;
    private final Label uptime;
    private final Label restarts;
    private final Label command;

    SidecarPanel(Composite parent) {
        Group sidecar = FieldGrid.group(parent, "Sidecar");
        pid = field(sidecar, "PID:");
        state = field(sidecar, "State:");
        uptime = field(sidecar, "Uptime:");
        restarts = field(sidecar, "Restarts:");
        command = field(sidecar, "Command:");
    }

    /** The sidecar of {@code s}; without one, the pid an announcement of the endpoint gave. */
    void show(StatusSnapshot s) {
        SidecarInfo sc = s.sidecar();
        pid.setText(pidText(sc, s.currentEndpoint().orElse(null)));
        state.setText(sc == null ? "none started" : sc.state().name());
        restarts.setText(sc == null ? "–" : Integer.toString(sc.restartCount()));
        command.setText(sc == null ? "–" : Formats.command(sc.command()));
        command.setToolTipText(sc == null ? null : String.join(" ", sc.command()));
        tick(s);
    }

    /**
     * The sidecar's pid; "–" once it has exited (the endpoint may be another process then: an instance that took
     * over); with no sidecar started, the pid the endpoint's announcement gave.
     */
    static String pidText(SidecarInfo sc, Endpoint e) {
        if (sc != null) {
            return sc.pid() == null ? "–" : Long.toString(sc.pid());
        }
        return e != null && e.pid() != null ? e.pid() + " (announced)" : "–";
    }

    /** The uptime (every second). */
    void tick(StatusSnapshot s) {
        SidecarInfo sc = s.sidecar();
        uptime.setText(sc == null || sc.pid() == null || sc.started() == null ? "–"
                : Formats.uptime(Duration.between(sc.started(), Instant.now())));
    }

    boolean isDisposed() {
        return uptime.isDisposed();
    }
}
