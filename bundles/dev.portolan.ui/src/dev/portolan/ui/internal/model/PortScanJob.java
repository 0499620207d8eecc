package dev.portolan.ui.internal.model;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;

import dev.portolan.api.PortRange;
import dev.portolan.api.ports.PortInspector;
import dev.portolan.api.ports.PortOccupancy;
import dev.portolan.api.ports.PortStatus;
import dev.portolan.ui.PortolanUi;
import dev.portolan.ui.internal.model.StatusSnapshot.PortRow;
import dev.portolan.ui.internal.view.Formats;

/**
 * Scans the port range off the UI thread (a system Job of {@link PortolanUi#JOB_FAMILY}) and hands the rows of the
 * status view's port table to the model; rescheduling while it runs makes it run once more.
 */
final class PortScanJob extends Job {

    /** What one scan looks at; {@code inspector} may be null (no scan then). */
    record Target(PortRange range, int backendPort, PortInspector inspector) {
    }

    private final Supplier<Target> target;
    private final Consumer<List<PortRow>> result;

    PortScanJob(Supplier<Target> target, Consumer<List<PortRow>> result) {
        super("Scanning the Portolan port range");
        this.target = target;
        this.result = result;
        setSystem(true);
    }

    @Override
    protected IStatus run(IProgressMonitor monitor) {
        Target t = target.get();
        if (t.inspector() == null) {
            return Status.OK_STATUS;
        }
        Set<Long> ours = PortOccupancy.ourProcesses();
        List<PortRow> rows = t.inspector().inspect(t.range()).stream().map(p -> row(p, t.backendPort(), ours))
                .toList();
        if (monitor.isCanceled()) {
            return Status.CANCEL_STATUS;
        }
        result.accept(rows);
        return Status.OK_STATUS;
    }

    @Override
    public boolean belongsTo(Object family) {
        return PortolanUi.JOB_FAMILY.equals(family);
    }

    /**
     * One row: {@code backend} for the tracked endpoint's port, {@code ours} for another port that this front end or
     * one of its processes listens on (another instance of our backend, a sidecar of another service; the occupancy
     * chart's "by us"), else the inspector's state.
     */
    private static PortRow row(PortStatus p, int backendPort, Set<Long> ours) {
        String state = p.port() == backendPort ? "backend" : switch (p.state()) {
        case FREE -> "free";
        case LISTENING -> p.listeners().stream().anyMatch(l -> l.pid() != null && ours.contains(l.pid())) ? "ours"
                : "listening";
        case IN_USE -> "in use";
        };
        String holder = p.listeners().stream()
                .map(l -> (l.pid() == null ? "another user's process" : "pid " + l.pid())
                        + (l.command() == null ? "" : " " + Formats.command(l.command())) + " on " + l.address())
                .distinct().collect(Collectors.joining("; "));
        return new PortRow(p.port(), state, holder);
    }
}
