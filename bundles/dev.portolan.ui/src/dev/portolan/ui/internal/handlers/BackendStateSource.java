package dev.portolan.ui.internal.handlers;

import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.core.runtime.jobs.IJobChangeEvent;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.core.runtime.jobs.JobChangeAdapter;
import org.eclipse.ui.AbstractSourceProvider;
import org.eclipse.ui.ISources;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

import dev.portolan.api.Subscription;
import dev.portolan.api.discovery.BackendService;
import dev.portolan.api.discovery.EndpointTracker;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.core.discovery.EndpointCache;
import dev.portolan.ui.PortolanUi;
import dev.portolan.ui.internal.UiThread;
import dev.portolan.ui.internal.WorkbenchServices;
import dev.portolan.ui.internal.model.BackendStatusModel;

/**
 * Publishes the backend's state to the workbench's evaluation service, so that the Portolan commands are enabled by
 * {@code <enabledWhen>} expressions in plugin.xml (extension point {@code org.eclipse.ui.services}):
 * <ul>
 * <li>{@value #BACKEND_STATE}: {@code stopped}, {@code starting}, {@code running} or {@code stopping} (our sidecars
 * and the Start/Stop/Restart Jobs in progress, see {@link #backendState});</li>
 * <li>{@value #ENDPOINT_STATE}: the tracker's {@code EndpointState} name, {@code NONE} without a tracker;</li>
 * <li>{@value #OVERRIDE_SET}: whether a manual override is set;</li>
 * <li>{@value #CACHED_ENDPOINT}: whether the cache strategy's endpoint file exists.</li>
 * </ul>
 * Fed by the {@link BackendStatusModel}'s change events (tracker, launcher, command results), by the Job manager
 * (Portolan Jobs scheduled and done) and by the cache file's directory ({@link CacheFileWatch}: a headless command or
 * the user may write or delete it): an event only posts one coalesced update to the UI thread, which reads the
 * services there (no lock of ours held) and fires the variables that changed.
 */
public final class BackendStateSource extends AbstractSourceProvider {

    public static final String BACKEND_STATE = "dev.portolan.ui.backendState";
    public static final String ENDPOINT_STATE = "dev.portolan.ui.endpointState";
    public static final String OVERRIDE_SET = "dev.portolan.ui.overrideSet";
    public static final String CACHED_ENDPOINT = "dev.portolan.ui.cachedEndpoint";

    public static final String STOPPED = "stopped";
    public static final String STARTING = "starting";
    public static final String RUNNING = "running";
    public static final String STOPPING = "stopping";

    private static final String[] NAMES = { BACKEND_STATE, ENDPOINT_STATE, OVERRIDE_SET, CACHED_ENDPOINT };

    private final AtomicBoolean updatePending = new AtomicBoolean();
    private final JobChangeAdapter jobs = new JobChangeAdapter() {
        @Override
        public void scheduled(IJobChangeEvent event) {
            jobChanged(event);
        }

        @Override
        public void done(IJobChangeEvent event) {
            jobChanged(event);
        }
    };
    private final ServiceTracker<BackendStatusModel, Subscription> models;
    /** Written and read on the UI thread only (getCurrentState is called there by the evaluation service). */
    private volatile Map<String, Object> state;
    private volatile boolean disposed;
    /** The cache file appearing or going away (another process may write or delete it); null when not watched. */
    private final CacheFileWatch cacheWatch;

    public BackendStateSource() {
        state = compute();
        Job.getJobManager().addJobChangeListener(jobs);
        CacheFileWatch w;
        try {
            w = CacheFileWatch.of(EndpointCache.atDefaultLocation().file(), this::update);
        } catch (RuntimeException badStateDirectory) {
            w = null; // the cache strategy reports it; Clear Cache stays off
        }
        cacheWatch = w;
        Bundle bundle = FrameworkUtil.getBundle(BackendStateSource.class);
        BundleContext context = bundle == null ? null : bundle.getBundleContext();
        models = context == null ? null : new ServiceTracker<>(context, BackendStatusModel.class, null) {
            @Override
            public Subscription addingService(ServiceReference<BackendStatusModel> reference) {
                BackendStatusModel model = context.getService(reference);
                if (model == null) {
                    return null;
                }
                Subscription s = model.addListener(BackendStateSource.this::update);
                update();
                return s;
            }

            @Override
            public void removedService(ServiceReference<BackendStatusModel> reference, Subscription s) {
                s.close();
                context.ungetService(reference);
                update();
            }
        };
        if (models != null) {
            models.open();
        }
    }

    @Override
    public Map<String, Object> getCurrentState() {
        return new HashMap<>(state);
    }

    @Override
    public String[] getProvidedSourceNames() {
        return NAMES.clone();
    }

    @Override
    public void dispose() {
        disposed = true;
        Job.getJobManager().removeJobChangeListener(jobs);
        if (cacheWatch != null) {
            cacheWatch.close();
        }
        if (models != null) {
            models.close();
        }
    }

    private void jobChanged(IJobChangeEvent event) {
        if (event.getJob() instanceof BackendJob<?>) {
            update();
        }
    }

    /** Any thread: one update of the variables on the UI thread, coalescing the events that arrive meanwhile. */
    private void update() {
        if (!disposed && updatePending.compareAndSet(false, true) && !UiThread.async(this::recompute)) {
            updatePending.set(false); // no workbench (yet, or any more): the next event tries again
        }
    }

    private void recompute() {
        updatePending.set(false);
        if (disposed) {
            return;
        }
        Map<String, Object> now = compute();
        Map<String, Object> changed = new HashMap<>();
        for (String name : NAMES) {
            if (!Objects.equals(state.get(name), now.get(name))) {
                changed.put(name, now.get(name));
            }
        }
        state = now;
        if (!changed.isEmpty()) {
            fireSourceChanged(ISources.WORKBENCH, changed);
        }
    }

    /** Reads the services now (UI thread, no lock of ours held). */
    private static Map<String, Object> compute() {
        List<SidecarState> sidecars = WorkbenchServices.backend().map(BackendService::managedInstances)
                .orElse(List.of()).stream().map(m -> m.handle().state()).toList();
        boolean starting = false;
        boolean stopping = false;
        for (Job job : Job.getJobManager().find(PortolanUi.JOB_FAMILY)) {
            if (job instanceof BackendJob<?> b) {
                starting |= b.what().equals("start") || b.what().equals("restart");
                stopping |= b.what().equals("stop");
            }
        }
        EndpointTracker tracker = WorkbenchServices.tracker().orElse(null);
        Map<String, Object> m = new HashMap<>();
        m.put(BACKEND_STATE, backendState(sidecars, starting, stopping));
        m.put(ENDPOINT_STATE, tracker == null ? "NONE" : tracker.current().state().name());
        m.put(OVERRIDE_SET, tracker != null && tracker.overrideSet());
        m.put(CACHED_ENDPOINT, cachedEndpoint());
        return m;
    }

    private static boolean cachedEndpoint() {
        try {
            return Files.exists(EndpointCache.atDefaultLocation().file());
        } catch (RuntimeException badStateDirectory) {
            return false; // e.g. an invalid portolan.state.dir: the cache strategy reports it, Clear Cache is off
        }
    }

    /**
     * The value of {@value #BACKEND_STATE}: {@code stopping} while a Stop Job runs, {@code starting} while a Start or
     * Restart Job runs; otherwise {@code running} when one of our sidecars announced itself (a reload counts as
     * running), {@code starting} when one is still starting, {@code stopping} when one is being stopped, else
     * {@code stopped} (none, or all exited or failed).
     */
    public static String backendState(List<SidecarState> sidecars, boolean startJob, boolean stopJob) {
        if (stopJob) {
            return STOPPING;
        }
        if (startJob) {
            return STARTING;
        }
        if (sidecars.stream().anyMatch(s -> s == SidecarState.ANNOUNCED || s == SidecarState.RUNNING
                || s == SidecarState.RELOADING)) {
            return RUNNING;
        }
        if (sidecars.contains(SidecarState.STARTING)) {
            return STARTING;
        }
        return sidecars.contains(SidecarState.STOPPING) ? STOPPING : STOPPED;
    }
}
