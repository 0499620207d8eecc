package dev.portolan.core.internal;

import dev.portolan.api.BackendCredentials;
import dev.portolan.api.Endpoint;
import dev.portolan.api.Verification;
import dev.portolan.api.launch.FoundBy;
import dev.portolan.api.launch.LaunchHandle;
import dev.portolan.api.launch.SidecarAnnouncement;

/**
 * What the tracker gets for an accepted announcement of a sidecar we launched: its endpoint (with the child's pid) and
 * the credentials its health checks prove. Shared by the single sidecar and every instance of an {@link InstancePool}.
 *
 * @param endpoint    the announced endpoint; its source says how the launcher found it ({@code announcement},
 *                    {@code output} or {@code process}: {@link dev.portolan.api.launch.FoundBy#id()}, the names
 *                    {@code run}'s {@code found_by} uses)
 * @param credentials an announcement that proved a secret: health checks go on proving the same identity (a
 *                    process-verified one proved none, its backend does not speak the protocol); the API token is
 *                    ours either way
 */
record AnnouncedSidecar(Endpoint endpoint, BackendCredentials credentials) {

    /** The sources of endpoints of sidecars we launched: every {@link FoundBy#id()}. */
    static final java.util.Set<String> SOURCES = java.util.Arrays.stream(FoundBy.values()).map(FoundBy::id)
            .collect(java.util.stream.Collectors.toUnmodifiableSet());

    static AnnouncedSidecar of(LaunchHandle h, SidecarAnnouncement a) {
        String how = a.foundBy().id();
        Endpoint e = Endpoint.of(a.announcement(), how, a.verified()).withSource(how, a.verification());
        if (e.pid() == null) {
            e = e.withPid(a.pid());
        }
        BackendCredentials c = h.credentials();
        boolean secret = a.verification() == Verification.CHALLENGE || a.verification() == Verification.TOKEN_ECHO;
        return new AnnouncedSidecar(e, secret ? c : new BackendCredentials(null, c.apiToken(), null, false));
    }
}
