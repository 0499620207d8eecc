package dev.portolan.core.internal;

import java.util.List;
import java.util.OptionalInt;

import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.discovery.PortolanSettings;
import dev.portolan.api.launch.AdoptionPolicy;
import dev.portolan.api.launch.DefaultBackendCommand;
import dev.portolan.api.launch.LaunchException;
import dev.portolan.api.launch.LaunchSpec;
import dev.portolan.api.launch.RestartPolicy;
import dev.portolan.core.registry.RuntimeDirectory;

/** The launch specs of the backend service: the configured backend's, and the port rules of {@code API_PORT}. */
final class BackendSpecs {

    private BackendSpecs() {
    }

    /**
     * The spec of the configured backend: the configured command, else the bundled sample backend; announcement
     * timeout {@code PORTOLAN_START_TIMEOUT} / the start-timeout preference; with {@code API_PORT=N} in the front
     * end's environment ({@code pin}) the sidecar is told N ({@link LaunchSpec#fixedPort()}); adopted when the
     * settings hold output patterns or a health path other than {@code /health}.
     */
    static LaunchSpec configured(PortolanSettings s, OptionalInt pin, DefaultBackendCommand defaultCommand)
            throws LaunchException {
        List<String> command = s.backendCommand();
        if (command.isEmpty()) {
            if (defaultCommand == null) {
                throw new LaunchException("no backend command is configured (Preferences > Portolan, PortolanSettings."
                        + "backendCommand) and no default backend is installed (the bundled sample backend, bundle "
                        + "dev.portolan.backend, registers one)");
            }
            command = defaultCommand.command();
        }
        // the sidecar allocates from the range this front end scans
        LaunchSpec.Builder b = LaunchSpec.builder(command).workingDirectory(s.backendDirectory())
                .restartPolicy(RestartPolicy.DEFAULT)
                .env(EnvironmentVariables.PORTOLAN_PORT_RANGE, s.range().toString()).env("PYTHONUNBUFFERED", "1")
                .env(RuntimeDirectory.ENV, RuntimeDirectory.resolve().toString()) // registers where we look
                .announcementTimeout(s.startTimeout()).fixedPort(pin.isPresent() ? pin.getAsInt() : null);
        if (!s.outputPatterns().isEmpty() || !s.healthPath().equals(AdoptionPolicy.DEFAULT_HEALTH_PATH)) {
            // the user told how the configured backend says where it listens, or where its health is: adopt it
            // (verified as always)
            b.adoption(AdoptionPolicy.DEFAULT.withPatterns(s.outputPatterns()).withHealthPath(s.healthPath()));
        }
        return b.build();
    }

    /**
     * {@code spec} with the pinned port ({@code API_PORT=N} in the front end's environment) as its fixed port: the
     * front end only ever looks at N, so the sidecar must use N.
     *
     * @throws LaunchException when the spec asks for another fixed port
     */
    static LaunchSpec pinned(LaunchSpec spec, OptionalInt pin) throws LaunchException {
        if (pin.isEmpty() || spec.fixedPort() != null && spec.fixedPort() == pin.getAsInt()) {
            return spec;
        }
        if (spec.fixedPort() != null && spec.fixedPort() != 0) {
            throw new LaunchException("the launch asks for port " + spec.fixedPort() + " but "
                    + EnvironmentVariables.API_PORT + "=" + pin.getAsInt() + " pins the backend to port "
                    + pin.getAsInt(), LaunchException.Reason.INVALID_SPEC);
        }
        return new LaunchSpec(spec.command(), spec.workingDirectory(), spec.environment(), spec.mode(),
                pin.getAsInt(), spec.announcementTimeout(), spec.restartPolicy(), spec.gracefulStopTimeout(),
                spec.outputBufferLines(), spec.adoption(), spec.assignPort(), spec.reloadOn());
    }

    /**
     * N instances need N ports: a port that {@code API_PORT} ({@code pin}), an {@code API_PORT} in the spec's
     * environment or the spec's fixed port pins is refused, naming it.
     *
     * @throws IllegalArgumentException when {@code instances} > 1 and a port is pinned
     */
    static void refuseFixedPort(LaunchSpec spec, int instances, OptionalInt pin) {
        String apiPort = spec.environment().get(EnvironmentVariables.API_PORT);
        String pinned = pin.isPresent() ? EnvironmentVariables.API_PORT + "=" + pin.getAsInt()
                : apiPort != null ? EnvironmentVariables.API_PORT + "=" + apiPort + " in the launch environment"
                : spec.fixedPort() != null && spec.fixedPort() != 0 ? "the launch's fixed port " + spec.fixedPort()
                : null;
        if (instances > 1 && pinned != null) {
            throw new IllegalArgumentException(pinned + " pins the backend to one port, but " + instances
                    + " instances need a port each: unset " + EnvironmentVariables.API_PORT
                    + " (every instance then takes a free port of its own) or run one instance");
        }
    }
}
