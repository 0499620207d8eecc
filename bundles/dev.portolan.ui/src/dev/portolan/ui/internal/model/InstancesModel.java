package dev.portolan.ui.internal.model;

import java.util.List;

import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.portolan.api.SubscriptionSlot;
import dev.portolan.api.discovery.ApiClient;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.ui.internal.model.InstanceTable.Managed;

/**
 * Feeds the {@link InstanceTable}: the tracker's instance set is pushed ({@code EndpointTracker.addInstanceListener});
 * the balancer's load ({@code ApiClient.load()}) and the launched instances ({@code BackendService.managedInstances()})
 * are read by {@link #refresh()} in a system Job, never on the UI thread and never under a lock: after every change of
 * the set, and every second while the Backend Status view is visible (its display timer calls {@link #refresh()}).
 */
@Component(service = InstancesModel.class, immediate = true)
public final class InstancesModel {

    private final InstanceTable table = new InstanceTable();
    private final Job poll = new Job("Reading the backend instances' load") {
        @Override
        protected IStatus run(IProgressMonitor monitor) {
            poll();
            return Status.OK_STATUS;
        }
    };

    private volatile BackendService backend;
    private volatile ApiClient api;
    private final SubscriptionSlot trackerSubscription = new SubscriptionSlot();

    public InstancesModel() {
        poll.setSystem(true);
    }

    @Deactivate
    void deactivate() {
        poll.cancel();
        trackerSubscription.clear();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setTracker(EndpointTracker t) {
        trackerSubscription.follow(t, tracker -> tracker.addInstanceListener(set -> {
            table.instancesChanged(set);
            refresh();
        }));
    }

    void unsetTracker(EndpointTracker t) {
        trackerSubscription.clear(t);
        table.instancesChanged(List.of());
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setBackend(BackendService b) {
        backend = b;
        refresh();
    }

    void unsetBackend(BackendService b) {
        if (backend == b) {
            backend = null;
        }
        refresh();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setApi(ApiClient a) {
        api = a;
        refresh();
    }

    void unsetApi(ApiClient a) {
        if (api == a) {
            api = null;
        }
        refresh();
    }

    /** The table the view and the status-bar badge show. */
    public InstanceTable table() {
        return table;
    }

    /** Reads the load and the launched instances again, soon, in a Job (coalesced; never blocks the caller). */
    public void refresh() {
        poll.schedule();
    }

    private void poll() {
        ApiClient a = api;
        BackendService b = backend;
        try {
            table.loadChanged(a == null ? List.of() : a.load());
            table.managedChanged(b == null ? List.of() : b.managedInstances().stream().map(Managed::of).toList());
        } catch (RuntimeException e) {
            ILog.of(InstancesModel.class).warn("Cannot read the backend instances' load: " + e, e);
        }
    }
}
