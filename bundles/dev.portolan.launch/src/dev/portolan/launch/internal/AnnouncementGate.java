package dev.portolan.launch.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.portolan.api.Announcement;
import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.Verification;
import dev.portolan.api.launch.FoundBy;
import dev.portolan.api.launch.OutputLine;
import dev.portolan.core.protocol.IdentityProof;
import dev.portolan.core.protocol.MalformedAnnouncementException;
import dev.portolan.core.registry.RemoteInstances;

/**
 * Decides what a {@code port_info} line on the child's stdout (or the seed's {@code [sidecar] PORT_INFO: {json}}
 * line on either stream) proves (docs/launcher.md, "Announcements"): a v2
 * identity proof for this launch's key and the incarnation's challenge ({@code challenge}), this launch's token
 * ({@code token-echo}), nothing (handed to {@link Adoption}: accepted once the port is held by the child's process
 * tree), or a wrong proof or token, or a URL that is not loopback (rejected with a diagnostic). Runs on the stream's
 * reader thread, without the sidecar's lock; the sidecar takes its lock when it accepts.
 */
final class AnnouncementGate {

    /** The seed template's prefixed form, {@code [sidecar] PORT_INFO: {json}}, accepted on stdout and stderr. */
    static final Pattern SEED_PREFIXED = Pattern.compile("^\\s*\\[sidecar\\]\\s*PORT_INFO:\\s*(\\{.*)$");

    private final Sidecar sidecar;
    private final Adoption adoption;
    private final byte[] tokenBytes;
    private final String identityKey;
    private final String mode;

    AnnouncementGate(Sidecar sidecar, Adoption adoption, String token, String identityKey, String mode) {
        this.sidecar = sidecar;
        this.adoption = adoption;
        this.tokenBytes = token.getBytes(StandardCharsets.UTF_8);
        this.identityKey = identityKey;
        this.mode = mode;
    }

    /** A line of the incarnation's output (reader thread, no lock held). */
    void onLine(Incarnation inc, OutputLine line, boolean truncated) {
        Matcher prefixed = SEED_PREFIXED.matcher(line.text());
        boolean seedForm = prefixed.matches();
        if (line.stream() != OutputLine.Stream.STDOUT && !seedForm) {
            return;
        }
        Optional<Announcement> decoded;
        try {
            decoded = sidecar.codec().decode(seedForm ? prefixed.group(1) : line.text());
        } catch (MalformedAnnouncementException e) {
            inc.portInfoSeen = true;
            sidecar.reject(inc, "ignored a malformed port_info line: " + e.getMessage());
            return;
        }
        if (decoded.isEmpty()) {
            return;
        }
        inc.portInfoSeen = true;
        if (truncated) {
            sidecar.reject(inc, "ignored a port_info line longer than the line bound (truncated)");
            return;
        }
        Announcement a = decoded.get();
        if (!RemoteInstances.isLoopback(a.url())) {
            // a sidecar runs on this machine, and front ends here use loopback endpoints only: announcing a name or
            // another address would make the endpoint one that every reader of the local registry ignores (a name is
            // also a lookup whose answer may be anywhere)
            sidecar.reject(inc, "rejected an announcement of port " + a.port() + ": "
                    + RemoteInstances.loopbackOnlyMessage("announced endpoint", a.url()) + "; a backend that other "
                    + "machines use as well listens on every interface and announces 127.0.0.1 here (PORTOLAN_BIND_HOST"
                    + "=0.0.0.0 with PORTOLAN_ADVERTISE_HOST)");
            return;
        }
        Verification verification;
        if (a.proof() != null) {
            if (!IdentityProof.verify(identityKey, inc.challenge, a.port(), a.proof())) {
                sidecar.reject(inc, "rejected an announcement of port " + a.port() + " (" + a.url()
                        + "): its identity proof does not match this launch's identity key and challenge");
                return;
            }
            verification = Verification.CHALLENGE;
        } else if (sidecar.v2Proven()) {
            sidecar.reject(inc, "rejected an announcement of port " + a.port() + " (" + a.url() + ") without an "
                    + "identity proof: this sidecar proved itself with protocol v2 before, a downgrade is not accepted");
            return;
        } else if (a.token() == null) {
            verification = null; // proves nothing: adopted once its port is held by the child's process tree
        } else if (MessageDigest.isEqual(a.token().getBytes(StandardCharsets.UTF_8), tokenBytes)) {
            verification = Verification.TOKEN_ECHO;
        } else {
            sidecar.reject(inc, "rejected an announcement of port " + a.port() + " (" + a.url()
                    + "): its token does not match this launch's " + EnvironmentVariables.PORTOLAN_TOKEN + " (got '"
                    + FailureText.abbreviate(a.token()) + "')");
            return;
        }
        if (!a.mode().equals(mode)) {
            sidecar.diagnostic("the backend announces mode '" + a.mode() + "' but was launched as '" + mode + "'");
        }
        long pid = inc.pid().orElse(inc.process.pid());
        sidecar.pendingAdoption(inc, verification == null ? a : null); // a proven announcement ends any pending one
        if (verification == null) {
            adoption.start(inc, a, pid);
        } else {
            sidecar.accept(inc, a, verification, pid, null, FoundBy.ANNOUNCEMENT);
        }
    }
}
