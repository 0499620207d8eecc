package dev.portolan.ui.internal.model;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.portolan.api.Endpoint;
import dev.portolan.api.discovery.EndpointStatus;
import dev.portolan.api.launch.SidecarState;

/**
 * Everything the Backend Status view and the status-bar badge show, as one immutable value built by
 * {@link BackendStatusModel}. Views only format it.
 *
 * @param endpoint the tracker's status, {@code null} when no endpoint tracker service is registered
 * @param sidecar  the managed sidecar, {@code null} when none runs
 * @param events   recent discovery events, newest first
 * @param ports    the configured port range, one row per port (empty until the first scan finished)
 * @param range    the scanned range as text, e.g. {@code 8008-8020}
 */
public record StatusSnapshot(EndpointStatus endpoint, SidecarInfo sidecar, List<StatusEvent> events,
        List<PortRow> ports, String range) {

    public StatusSnapshot {
        events = List.copyOf(events);
        ports = List.copyOf(ports);
    }

    /** Nothing known yet. */
    public static final StatusSnapshot EMPTY = new StatusSnapshot(null, null, List.of(), List.of(), "");

    public Optional<Endpoint> currentEndpoint() {
        return endpoint == null ? Optional.empty() : endpoint.endpointOptional();
    }

    /** The badge: a short state word users see (view, status bar, tests). */
    public Badge badge() {
        if (endpoint == null) {
            return Badge.NO_SERVICE;
        }
        return switch (endpoint.state()) {
        case DISCOVERING -> Badge.DISCOVERING;
        case AVAILABLE -> Badge.CONNECTED;
        case UNAVAILABLE -> Badge.UNAVAILABLE;
        case OVERRIDDEN -> Badge.OVERRIDDEN;
        };
    }

    /** Presentation of an {@link EndpointState}. */
    public enum Badge {
        DISCOVERING("discovering"), CONNECTED("connected"), UNAVAILABLE("unavailable"), OVERRIDDEN("overridden"),
        NO_SERVICE("no discovery service");

        private final String label;

        Badge(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * The sidecar this front end manages.
     *
     * @param pid          process id of the current incarnation, {@code null} when not running
     * @param state        its lifecycle state
     * @param started      when the current incarnation started
     * @param restartCount restarts so far
     * @param command      the launch command's arguments, for display
     */
    public record SidecarInfo(Long pid, SidecarState state, Instant started, int restartCount, List<String> command) {

        public SidecarInfo {
            command = List.copyOf(command);
        }
    }

    /**
     * One row of the events table: a discovery strategy's outcome, a change of the tracker, a launcher event of our
     * sidecar or the result of a command of the UI.
     *
     * @param time    when it happened
     * @param source  the strategy's name, or {@code discovery} / {@code tracker} / {@code launcher} /
     *                {@code announcement} / the UI command for events that no strategy produced
     * @param result  e.g. {@code WON}, {@code FAILED}, {@code AVAILABLE}
     * @param elapsed how long it took, {@code null} when not applicable
     * @param detail  endpoint found or why not
     */
    public record StatusEvent(Instant time, String source, String result, Duration elapsed, String detail) {
    }

    /**
     * One row of the port-range table.
     *
     * @param port   the port
     * @param state  {@code free}, {@code listening}, {@code backend} (the tracked endpoint) or {@code unknown}
     * @param holder the holding process ({@code pid command}) when known
     */
    public record PortRow(int port, String state, String holder) {
    }
}
