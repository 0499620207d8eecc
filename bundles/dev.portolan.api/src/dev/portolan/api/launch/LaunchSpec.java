package dev.portolan.api.launch;

import org.jspecify.annotations.Nullable;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.portolan.api.Announcement;

/**
 * How to launch a sidecar. Build with {@link #builder(String...)}.
 *
 * @param command             executable and arguments
 * @param workingDirectory    working directory, {@code null} for the current one
 * @param environment         variables added to the inherited environment
 * @param mode                {@code sidecar} (default) or {@code standalone}
 * @param fixedPort           port passed as {@code API_PORT}, {@code null} to let the backend choose
 * @param announcementTimeout how long to wait for the announcement
 * @param restartPolicy       what to do on unexpected exit
 * @param gracefulStopTimeout how long a stop waits for the backend's own graceful exit before escalating: after
 *                            {@code sidecar shutdown} and stdin EOF when it announced its port, after SIGTERM when it
 *                            never did (a server that does not speak the protocol, e.g. an adopted one)
 * @param outputBufferLines   ring-buffer size per stream
 * @param adoption            adoption of children that do not announce (output patterns, process ownership); @since
 *                            0.1.4
 * @param assignPort          whether the launcher reserves a port (a cross-process lease) and tells the child through
 *                            {@code API_PORT}, {@code PORT} and {@code {port}} in the arguments; also on when an
 *                            argument contains {@code {port}}; a {@code fixedPort} or an {@code API_PORT} in the
 *                            spec's environment wins; @since 0.1.4
 * @param reloadOn            files or directories whose changes reload the sidecar (a graceful restart, state
 *                            {@link SidecarState#RELOADING}); empty: no reload; @since 0.1.4
 */
public record LaunchSpec(List<String> command, @Nullable Path workingDirectory, Map<String, String> environment,
        String mode, @Nullable Integer fixedPort, Duration announcementTimeout, RestartPolicy restartPolicy, Duration gracefulStopTimeout,
        int outputBufferLines, AdoptionPolicy adoption, boolean assignPort, List<Path> reloadOn) {

    /** The placeholder an argument may contain for an assigned port. */
    public static final String PORT_PLACEHOLDER = "{port}";

    /** Without adoption and port assignment (as before 0.1.4). */
    public LaunchSpec(List<String> command, @Nullable Path workingDirectory, Map<String, String> environment,
            String mode, @Nullable Integer fixedPort, Duration announcementTimeout, RestartPolicy restartPolicy, Duration gracefulStopTimeout,
            int outputBufferLines) {
        this(command, workingDirectory, environment, mode, fixedPort, announcementTimeout, restartPolicy,
                gracefulStopTimeout, outputBufferLines, AdoptionPolicy.OFF, false, List.of());
    }

    public LaunchSpec {
        Objects.requireNonNull(adoption, "adoption");
        reloadOn = List.copyOf(reloadOn);
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command is empty");
        }
        environment = Map.copyOf(environment);
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(announcementTimeout, "announcementTimeout");
        Objects.requireNonNull(restartPolicy, "restartPolicy");
        Objects.requireNonNull(gracefulStopTimeout, "gracefulStopTimeout");
        if (outputBufferLines < 1) {
            throw new IllegalArgumentException("outputBufferLines must be >= 1: " + outputBufferLines);
        }
    }

    /** The same spec with one more environment variable (replacing a value it had). @since 0.1.5 */
    public LaunchSpec withEnv(String name, String value) {
        Map<String, String> env = new java.util.HashMap<>(environment);
        env.put(name, value);
        return new LaunchSpec(command, workingDirectory, env, mode, fixedPort, announcementTimeout, restartPolicy,
                gracefulStopTimeout, outputBufferLines, adoption, assignPort, reloadOn);
    }

    public static Builder builder(String... command) {
        return new Builder(List.of(command));
    }

    public static Builder builder(List<String> command) {
        return new Builder(command);
    }

    /** Builder for {@link LaunchSpec}; defaults: sidecar mode, 30 s announcement timeout, no restarts, 5 s stop. */
    public static final class Builder {
        private final List<String> command;
        private @Nullable Path workingDirectory;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private String mode = Announcement.MODE_SIDECAR;
        private @Nullable Integer fixedPort;
        private Duration announcementTimeout = Duration.ofSeconds(30);
        private RestartPolicy restartPolicy = RestartPolicy.NEVER;
        private Duration gracefulStopTimeout = Duration.ofSeconds(5);
        private int outputBufferLines = 1000;
        private AdoptionPolicy adoption = AdoptionPolicy.OFF;
        private boolean assignPort;
        private final List<Path> reloadOn = new ArrayList<>();

        Builder(List<String> command) {
            this.command = new ArrayList<>(command);
        }

        public Builder workingDirectory(@Nullable Path dir) {
            this.workingDirectory = dir;
            return this;
        }

        public Builder env(String name, String value) {
            environment.put(name, value);
            return this;
        }

        public Builder environment(Map<String, String> vars) {
            environment.putAll(vars);
            return this;
        }

        public Builder mode(String value) {
            this.mode = value;
            return this;
        }

        public Builder fixedPort(@Nullable Integer port) {
            this.fixedPort = port;
            return this;
        }

        public Builder announcementTimeout(Duration value) {
            this.announcementTimeout = value;
            return this;
        }

        public Builder restartPolicy(RestartPolicy value) {
            this.restartPolicy = value;
            return this;
        }

        public Builder gracefulStopTimeout(Duration value) {
            this.gracefulStopTimeout = value;
            return this;
        }

        public Builder outputBufferLines(int value) {
            this.outputBufferLines = value;
            return this;
        }

        /** @since 0.1.4 */
        public Builder adoption(AdoptionPolicy value) {
            this.adoption = value;
            return this;
        }

        /** @since 0.1.4 */
        public Builder assignPort(boolean value) {
            this.assignPort = value;
            return this;
        }

        /** Adds files or directories whose changes reload the sidecar. @since 0.1.4 */
        public Builder reloadOn(List<Path> paths) {
            reloadOn.addAll(paths);
            return this;
        }

        public LaunchSpec build() {
            return new LaunchSpec(command, workingDirectory, environment, mode, fixedPort, announcementTimeout,
                    restartPolicy, gracefulStopTimeout, outputBufferLines, adoption, assignPort, reloadOn);
        }
    }
}
