package dev.portolan.core.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.SidecarState;
import dev.portolan.core.discovery.ExpectedToken;

/**
 * The sidecar this front end owns, as discovery and the tracker see it: the {@link LaunchHandle} service the backend
 * service registers with {@link dev.portolan.api.discovery.BackendService#OWN_SIDECAR_FILTER} (an optional, dynamic
 * reference of their components: no reference to the backend service, so no DS cycle), or outside OSGi whatever
 * {@link #use(Supplier)} names.
 */
final class OwnSidecar {

    /** Looked up on first use: a run that logs nothing never starts the JDK's logging back end (~30 ms). */
    private static final class Log {
        static final System.Logger LOG = System.getLogger(OwnSidecar.class.getName());
    }

    private volatile Supplier<Optional<LaunchHandle>> source;

    /** @param source our sidecar's handle as the component's reference sees it */
    OwnSidecar(Supplier<Optional<LaunchHandle>> source) {
        this.source = source;
    }

    /** Outside OSGi: where our sidecar's handle comes from (e.g. {@code backendService::sidecar}). */
    void use(Supplier<Optional<LaunchHandle>> handleSource) {
        source = handleSource;
    }

    Optional<LaunchHandle> handle() {
        return source.get();
    }

    /**
     * What identities are checked against: our sidecar's launch credentials, else the configured ones
     * ({@code PORTOLAN_IDENTITY_KEY} / {@code PORTOLAN_TOKEN} of the front end), else none.
     */
    BackendCredentials expected() {
        Optional<LaunchHandle> h = handle();
        if (h.isPresent()) {
            return h.get().credentials();
        }
        return ExpectedToken.configuredCredentials();
    }

    /**
     * Recovery: the endpoint stopped answering. Only our sidecar that hangs — its process alive while it claims to
     * run, and still alive {@link #HANG_GRACE} later (a killed process stops answering just before it is gone) — is
     * restarted, and only when its restart policy allows restarts. A dead process is the launcher's to
     * handle (its exit event follows, and its restart policy decides); a sidecar that ended for good (stopped, exited
     * with restarts off, crash loop) stays down until the user starts it: recovery never overrides the policy the
     * sidecar was launched with.
     */
    void recover(Endpoint lost) {
        LaunchHandle h = handle().orElse(null);
        if (h == null) {
            return;
        }
        boolean ours = h.lastAnnouncement().map(a -> a.announcement().port() == lost.port()).orElse(false);
        if (!ours || !h.spec().restartPolicy().enabled()) {
            return;
        }
        if (!runs(h) || h.pid().isEmpty()) {
            return; // STARTING/STOPPING: the launcher's restart policy is at work; its announcement reaches the tracker
        }
        long pid = h.pid().getAsLong();
        ProcessHandle process = ProcessHandle.of(pid).orElse(null);
        if (process == null || !process.isAlive()) {
            return;
        }
        // a killed process stops answering a moment before it is gone (and reaped): it is a hang only when it is still
        // there after HANG_GRACE, and the launcher, which sees a death, has not moved on meanwhile (no blocking wait)
        process.onExit().orTimeout(HANG_GRACE.toMillis(), TimeUnit.MILLISECONDS).whenComplete((exited, timeout) -> {
            if (timeout == null || !runs(h) || h.pid().orElse(-1) != pid) {
                return;
            }
            Log.LOG.log(System.Logger.Level.INFO, "sidecar is not answering at " + lost.baseUrl() + ": restarting it");
            h.restart().orTimeout(Duration.ofSeconds(60).toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    /** How long a sidecar that stopped answering must stay alive before recovery calls it hung. */
    static final Duration HANG_GRACE = Duration.ofSeconds(1);

    private static boolean runs(LaunchHandle h) {
        SidecarState state = h.state();
        return state == SidecarState.ANNOUNCED || state == SidecarState.RUNNING;
    }
}
