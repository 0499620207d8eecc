package dev.portolan.backend;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.portolan.api.Announcement;
import dev.portolan.api.EnvironmentVariables;
import dev.portolan.api.Subscription;
import dev.portolan.api.registry.InstanceEntry;
import dev.portolan.core.discovery.StateDirectory;
import dev.portolan.core.registry.EntryFiles;
import dev.portolan.core.registry.ProcessCommandLine;
import dev.portolan.core.registry.RuntimeDirectory;

/**
 * Registers a running backend in the local registry ({@code docs/protocol.md}, "Instance registry"): one 0600 entry
 * file under the runtime directory, removed by {@link Subscription#close()} (clean exit). Service from
 * {@value #SERVICE_VARIABLE} (default {@value InstanceEntry#DEFAULT_SERVICE}); {@code PORTOLAN_RUNTIME_DIR} /
 * {@code XDG_RUNTIME_DIR} / {@code XDG_STATE_HOME} from the backend's environment.
 */
public final class BackendRegistration {

    /** The variable naming the service a backend registers under. */
    public static final String SERVICE_VARIABLE = "PORTOLAN_SERVICE";

    private BackendRegistration() {
    }

    /**
     * The service named by {@value #SERVICE_VARIABLE} in {@code env}, else {@value InstanceEntry#DEFAULT_SERVICE}.
     *
     * @throws BackendConfigException naming the value and the rule when it is not a valid service name
     */
    public static String service(Map<String, String> env) throws BackendConfigException {
        String s = env.get(SERVICE_VARIABLE);
        if (s == null || s.isBlank()) {
            return InstanceEntry.DEFAULT_SERVICE;
        }
        try {
            return InstanceEntry.checkService(s.strip());
        } catch (IllegalArgumentException e) {
            throw new BackendConfigException(SERVICE_VARIABLE + ": " + e.getMessage(), e);
        }
    }

    /**
     * The instance id a front end gave this backend ({@code PORTOLAN_INSTANCE_ID}, e.g. {@code default-2}) when it is
     * valid ({@link InstanceEntry#INSTANCE_ID}, not starting with '.'), else empty.
     */
    public static java.util.Optional<String> instanceId(Map<String, String> env) {
        return instanceIdProblem(env).isPresent() ? java.util.Optional.empty()
                : java.util.Optional.ofNullable(env.get(EnvironmentVariables.PORTOLAN_INSTANCE_ID))
                        .map(String::strip).filter(s -> !s.isEmpty());
    }

    /** What is wrong with {@code PORTOLAN_INSTANCE_ID} in {@code env} (naming the variable and the value), if anything. */
    public static java.util.Optional<String> instanceIdProblem(Map<String, String> env) {
        String v = env.get(EnvironmentVariables.PORTOLAN_INSTANCE_ID);
        if (v == null || v.isBlank() || InstanceEntry.INSTANCE_ID.matcher(v.strip()).matches()
                && !v.strip().startsWith(".")) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(EnvironmentVariables.PORTOLAN_INSTANCE_ID + "='" + v
                + "' is invalid: use 1-128 characters of [A-Za-z0-9._-], not starting with '.'; registering under a"
                + " generated instance id");
    }

    /**
     * The entry of this process for an announced backend; its instance id is {@code PORTOLAN_INSTANCE_ID} when valid,
     * else {@code <port>-<pid>-<started ms>}.
     */
    public static InstanceEntry entry(String service, Announcement a, String host, RegistryIdentity identity,
            Map<String, String> env) {
        ProcessHandle self = ProcessHandle.current();
        Instant started = a.startedAt() != null ? a.startedAt() : Instant.now();
        String token = env.get(EnvironmentVariables.PORTOLAN_API_TOKEN);
        return new InstanceEntry(InstanceEntry.SCHEMA, service,
                instanceId(env).orElse(a.port() + "-" + self.pid() + "-" + started.toEpochMilli()), a.url(), host, a.port(), self.pid(),
                self.info().startInstant().map(Instant::toEpochMilli).orElse(null), a.mode(), a.version(), started,
                ProcessCommandLine.current(), identity.identity(),
                token == null || token.isBlank() ? null : token.strip());
    }

    /** {@code e} announcing {@code host} (the host other machines use) instead of its local address. */
    static InstanceEntry at(InstanceEntry e, String host) {
        if (host.equals(e.host())) {
            return e;
        }
        return new InstanceEntry(e.schema(), e.service(), e.instanceId(), Announcement.baseUri(host, e.port()), host,
                e.port(), e.pid(), e.processStart(), e.mode(), e.version(), e.startedAt(), e.command(), e.identity(),
                e.apiToken());
    }

    /** Writes the entry; the handle removes it. */
    public static Subscription register(InstanceEntry entry, Map<String, String> env) throws IOException {
        Path runtime = RuntimeDirectory.resolve(System.getProperty(RuntimeDirectory.PROPERTY), env,
                StateDirectory.resolve(System.getProperty(StateDirectory.PROPERTY), env,
                        System.getProperty("user.home")));
        EntryFiles.write(runtime, entry);
        return new Subscription() {
            private final AtomicBoolean closed = new AtomicBoolean();

            @Override
            public void close() {
                if (closed.compareAndSet(false, true)) { // once, and no monitor held while the file goes
                    EntryFiles.remove(runtime, entry);
                }
            }
        };
    }
}
