package dev.portolan.backend;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.ServerSocketChannel;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.portolan.api.Announcement;
import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.PortRange;
import dev.portolan.api.Subscription;
import dev.portolan.api.ports.PortAllocationException;
import dev.portolan.api.ports.PortRequest;
import dev.portolan.core.protocol.AnnouncementCodec;
import dev.portolan.ports.BindHost;
import dev.portolan.ports.BindingPortFinder;
import dev.portolan.ports.PortFinders;
import dev.portolan.ports.ServerBinder;
import dev.portolan.ports.ServerReservation;

/**
 * Find + bind + announce for Java backends. Typical use:
 *
 * <pre>{@code
 * JavaBackend backend = JavaBackend.builder().environment(System.getenv()).version("1.0").build();
 * try (ServerReservation<ServerSocketChannel> r = backend.bindChannel()) {
 *     ServerSocketChannel ch = r.server();     // bound and listening: serve on it
 *     backend.announce(r);                      // one flushed port_info line on stdout, after the bind
 *     ...
 * }
 * }</pre>
 *
 * Servers that cannot adopt a bound channel (the JDK's {@code HttpServer}) pass their own {@link ServerBinder} to
 * {@link #bind(ServerBinder)}: the finder's scan binds the server itself, so the announced port is always the one
 * the server holds. Reads {@code API_PORT} (forced port, 0 = OS), {@code PORTOLAN_PORT_RANGE} ({@code FIRST-LAST}),
 * {@code PORTOLAN_BIND_HOST} / {@code PORTOLAN_ADVERTISE_HOST} (opt-in non-loopback bind, {@link BindHost})
 * and the protocol v2 variables ({@link BackendSecurity}: identity key, API token, announcement challenge, allowed
 * origins) from the given environment. The announcement carries the v2 {@code proof} when a key and a challenge were
 * given, and never a token: {@code PORTOLAN_TOKEN} (v1) is ignored.
 * <p>
 * {@link #announce} also registers the backend in the local instance registry ({@link BackendRegistration}: service
 * from {@code PORTOLAN_SERVICE}, an Ed25519 {@link RegistryIdentity} made at start) and, when
 * {@code PORTOLAN_REGISTRY} names one, in the shared etcd registry too ({@link SharedRegistration},
 * docs/registry.md); call {@link #deregister()} on a clean exit.
 */
public final class JavaBackend {

    private final String mode;
    private final Integer forcedPort;
    private final Map<String, String> environment;
    private final PortRange range;
    private final Set<Integer> excluded;
    private final BindingPortFinder finder;
    private final PrintStream out;
    private final String version;
    private final BackendSecurity security;
    private final BindHost bindHost;
    private final Instant startedAt = Instant.now();
    private final String service;
    private final boolean register;
    private final RegistryIdentity registryIdentity = RegistryIdentity.generate();
    private final Object registrationLock = new Object();
    private Subscription registration = Subscription.NONE;
    private final SharedRegistration shared;
    private Subscription sharedRegistration = Subscription.NONE;

    private JavaBackend(Builder b) throws BackendConfigException {
        this.mode = b.mode;
        this.forcedPort = b.port;
        this.environment = b.environment;
        this.excluded = b.excluded;
        this.finder = b.finder != null ? b.finder : PortFinders.create();
        this.out = b.out;
        this.version = b.version;
        this.security = BackendSecurity.fromEnvironment(environment);
        try {
            this.bindHost = BindHost.fromEnvironment(environment);
        } catch (IllegalArgumentException e) {
            throw new BackendConfigException(e.getMessage(), e);
        }
        this.service = BackendRegistration.service(environment);
        BackendRegistration.instanceIdProblem(environment).ifPresent(p -> System.err.println("[portolan] " + p));
        this.register = b.register;
        this.shared = register ? SharedRegistration.fromEnvironment(environment) : null;
        if (forcedPort == null) {
            checkApiPort(environment.get(EnvironmentVariables.API_PORT));
        }
        if (b.range != null) {
            this.range = b.range;
        } else {
            String r = environment.get(EnvironmentVariables.PORTOLAN_PORT_RANGE);
            if (r == null || r.isBlank()) {
                this.range = PortRange.DEFAULT;
            } else {
                try {
                    this.range = PortRange.parse(r);
                } catch (IllegalArgumentException e) {
                    // not e's message, which quotes the value a second time
                    throw new BackendConfigException(EnvironmentVariables.PORTOLAN_PORT_RANGE + "='" + r
                            + "' is invalid: " + PortRange.EXPECTED + " (fix or unset it)", e);
                }
            }
        }
    }

    /**
     * A bad {@code API_PORT} value (not a number, not 0-65535) is a configuration error, not a missing port: only a
     * valid port that cannot be bound is {@link PortAllocationException}.
     */
    private static void checkApiPort(String value) throws BackendConfigException {
        if (value == null || value.isBlank()) {
            return;
        }
        int port;
        try {
            port = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new BackendConfigException(EnvironmentVariables.API_PORT + "='" + value
                    + "' is not a port number: expected 0-65535 (0 = OS-assigned)", e);
        }
        if (port < 0 || port > 65535) {
            throw new BackendConfigException(EnvironmentVariables.API_PORT + "=" + value
                    + " is out of range: expected 0-65535 (0 = OS-assigned)");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The port request this backend allocates with ({@code --port} / {@code API_PORT} / range). */
    public PortRequest request() {
        // only what the finder reads: a request (a record) must never carry the secrets into a message
        Map<String, String> env = new HashMap<>();
        for (String name : new String[] { EnvironmentVariables.API_PORT, EnvironmentVariables.DEBUG_PORT_DISCOVERY }) {
            if (environment.get(name) != null) {
                env.put(name, environment.get(name));
            }
        }
        if (forcedPort != null) {
            env.put(EnvironmentVariables.API_PORT, Integer.toString(forcedPort));
        }
        return PortRequest.builder().range(range).exclude(excluded).bindAddress(bindHost.requestAddress())
                .environment(env).build();
    }

    /** Reserves a port by binding {@code binder}'s server in the finder's scan (bind-and-hold). */
    public <S> ServerReservation<S> bind(ServerBinder<S> binder) throws PortAllocationException {
        try {
            return finder.reserve(request(), binder);
        } catch (PortAllocationException e) {
            if (forcedPort != null && e.getMessage().startsWith(EnvironmentVariables.API_PORT + "=")) {
                throw new PortAllocationException("--port " + e.getMessage()
                        .substring(EnvironmentVariables.API_PORT.length() + 1)
                        .replace("unset " + EnvironmentVariables.API_PORT, "drop --port"), e);
            }
            throw e;
        }
    }

    /** Reserves a port as a bound, listening {@link ServerSocketChannel} to serve on. */
    public ServerReservation<ServerSocketChannel> bindChannel() throws PortAllocationException {
        return bind(ServerBinder.channel());
    }

    /**
     * The announcement for a held port: the seed's fields plus pid, version, start time and (protocol v2) the proof
     * for {@code PORTOLAN_CHALLENGE} on that port; no token.
     */
    public Announcement announcement(ServerReservation<?> reservation) {
        return Announcement.of(mode, localHost(reservation), reservation.port())
                .withDetails(ProcessHandle.current().pid(), null, version, startedAt)
                .withProof(security.announcementProof(reservation.port()));
    }

    /**
     * Prints the announcement of a held (bound) port as one line and flushes it. Call it only once the server holds
     * the socket, and print nothing else to the same stream half-way through a line.
     *
     * @throws IOException when the stream is broken (the parent is gone)
     */
    public Announcement announce(ServerReservation<?> reservation) throws IOException {
        Announcement a = announcement(reservation);
        String line = AnnouncementCodec.standard().encode(a) + "\n";
        synchronized (out) {
            out.print(line);
            out.flush();
            if (out.checkError()) {
                throw new IOException("cannot write the announcement to stdout (is the reader gone?)");
            }
        }
        if (register) {
            String host = localHost(reservation);
            try {
                Subscription s = BackendRegistration.register(
                        BackendRegistration.entry(service, a, host, registryIdentity, environment), environment);
                Subscription before;
                synchronized (registrationLock) {
                    before = registration;
                    registration = s;
                }
                before.close();
            } catch (IOException e) {
                // serving matters more than being listed: say so and go on
                System.err.println("[portolan] cannot register in the local registry: " + e.getMessage()
                        + " (set PORTOLAN_RUNTIME_DIR to a writable directory)");
            }
            // other machines reach it by the advertised host (loopback by default: then only this machine can)
            Subscription s = shared.register(BackendRegistration.at(
                    BackendRegistration.entry(service, a, host, registryIdentity, environment), bindHost.remoteHost()));
            Subscription before;
            synchronized (registrationLock) {
                before = sharedRegistration;
                sharedRegistration = s;
            }
            before.close();
        }
        return a;
    }

    /** The address a client on this machine uses: {@code 127.0.0.1} for a wildcard bind, else the bound one. */
    private String localHost(ServerReservation<?> reservation) {
        return bindHost.address().isAnyLocalAddress() ? bindHost.localHost()
                : reservation.address().getAddress().getHostAddress();
    }

    /** Where it listens and which host it advertises ({@value BindHost#BIND_VARIABLE}, docs/registry.md). */
    public BindHost bindHost() {
        return bindHost;
    }

    /** Removes this backend's registry entry (clean exit); idempotent. */
    public void deregister() {
        Subscription s;
        Subscription remote;
        synchronized (registrationLock) {
            s = registration;
            registration = Subscription.NONE;
            remote = sharedRegistration;
            sharedRegistration = Subscription.NONE;
        }
        s.close();
        remote.close();
    }

    /** The registry identity: its public key is in the entry, {@code /health} signs challenges with it. */
    public RegistryIdentity registryIdentity() {
        return registryIdentity;
    }

    /** The service this backend registers under ({@value BackendRegistration#SERVICE_VARIABLE}). */
    public String service() {
        return service;
    }

    public String mode() {
        return mode;
    }

    /** The protocol v2 rules (identity proof, bearer token, origins, docs login) read from the environment. */
    public BackendSecurity security() {
        return security;
    }

    public String version() {
        return version;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public PortRange range() {
        return range;
    }

    /** Options of a {@link JavaBackend}. */
    public static final class Builder {
        private String mode = Announcement.MODE_SIDECAR;
        private Integer port;
        private Map<String, String> environment = Map.of();
        private PortRange range;
        private Set<Integer> excluded = Set.of();
        private BindingPortFinder finder;
        private PrintStream out = System.out;
        private String version;
        private boolean register = true;

        /** Whether {@link JavaBackend#announce} registers the backend in the local registry (default true). */
        public Builder register(boolean value) {
            this.register = value;
            return this;
        }

        /** {@code sidecar} (default) or {@code standalone}. */
        public Builder mode(String value) {
            this.mode = Objects.requireNonNull(value);
            return this;
        }

        /** A forced port ({@code --port N}; 0 = OS-assigned), overriding {@code API_PORT}; {@code null}: none. */
        public Builder port(Integer value) {
            if (value != null && (value < 0 || value > 65535)) {
                throw new IllegalArgumentException("--port " + value + " is out of range: expected 0-65535");
            }
            this.port = value;
            return this;
        }

        /** Where {@code API_PORT}, {@code PORTOLAN_PORT_RANGE} and the v2 variables come from. */
        public Builder environment(Map<String, String> env) {
            this.environment = Map.copyOf(env);
            return this;
        }

        /** A range that overrides {@code PORTOLAN_PORT_RANGE}. */
        public Builder range(PortRange value) {
            this.range = value;
            return this;
        }

        public Builder exclude(Set<Integer> ports) {
            this.excluded = Set.copyOf(ports);
            return this;
        }

        /** The finder (default: {@link PortFinders#create()}); in OSGi pass the service. */
        public Builder finder(BindingPortFinder value) {
            this.finder = value;
            return this;
        }

        /** Where the announcement goes (default {@code System.out}). */
        public Builder out(PrintStream value) {
            this.out = Objects.requireNonNull(value);
            return this;
        }

        public Builder version(String value) {
            this.version = value;
            return this;
        }

        /**
         * @throws BackendConfigException when {@code PORTOLAN_PORT_RANGE} (named with its value) or a v2 variable
         *                                (named, a secret's value never shown) is invalid
         */
        public JavaBackend build() throws BackendConfigException {
            return new JavaBackend(this);
        }
    }
}
