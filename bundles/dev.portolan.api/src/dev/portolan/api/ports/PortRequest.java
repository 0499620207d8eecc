package dev.portolan.api.ports;

import org.jspecify.annotations.Nullable;

import java.net.InetAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.portolan.api.PortRange;

/**
 * What to reserve. Build with {@link #builder()}.
 *
 * @param range            ports to try in order before falling back to an OS-assigned port
 * @param excluded         ports never to hand out
 * @param bindAddress      address to bind, {@code null} for loopback (127.0.0.1, checked free on ::1 as well)
 * @param fallbackToOs     whether to bind port 0 when the whole range is taken
 * @param environment      the environment to read {@code API_PORT} from ({@code null}: ignore {@code API_PORT})
 */
public record PortRequest(PortRange range, Set<Integer> excluded, @Nullable InetAddress bindAddress,
        boolean fallbackToOs, @Nullable Map<String, String> environment) {

    public PortRequest {
        Objects.requireNonNull(range, "range");
        excluded = Set.copyOf(excluded);
        environment = environment == null ? null : Map.copyOf(environment);
    }

    /** The default request: 8008-8020 on loopback, OS fallback, {@code API_PORT} from the process environment. */
    public static PortRequest defaults() {
        return builder().environment(System.getenv()).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link PortRequest}. */
    public static final class Builder {
        private PortRange range = PortRange.DEFAULT;
        private Set<Integer> excluded = Set.of();
        private @Nullable InetAddress bindAddress;
        private boolean fallbackToOs = true;
        private @Nullable Map<String, String> environment;

        public Builder range(PortRange value) {
            this.range = Objects.requireNonNull(value);
            return this;
        }

        public Builder exclude(Set<Integer> ports) {
            this.excluded = Set.copyOf(ports);
            return this;
        }

        public Builder bindAddress(@Nullable InetAddress address) {
            this.bindAddress = address;
            return this;
        }

        public Builder fallbackToOs(boolean value) {
            this.fallbackToOs = value;
            return this;
        }

        /** Environment to read {@code API_PORT} from; {@code null} ignores {@code API_PORT}. */
        public Builder environment(Map<String, String> env) {
            this.environment = env;
            return this;
        }

        public PortRequest build() {
            return new PortRequest(range, excluded, bindAddress, fallbackToOs, environment);
        }
    }
}
