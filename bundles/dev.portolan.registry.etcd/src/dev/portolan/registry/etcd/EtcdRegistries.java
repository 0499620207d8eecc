package dev.portolan.registry.etcd;

import java.util.Map;
import java.util.Optional;

import dev.portolan.api.registry.Registry;
import dev.portolan.core.registry.RemoteInstances;
import dev.portolan.registry.etcd.internal.EtcdRegistry;
import dev.portolan.registry.etcd.internal.EtcdSettings;

/**
 * The etcd registry a process was configured with, for code that runs outside OSGi services (a backend registering
 * itself, the command line). Inside the front end use the {@link Registry} service with {@code registry.id=etcd}.
 *
 * @since 0.1.0
 */
public final class EtcdRegistries {

    /** The variable that selects the registry ({@code etcd://…}, {@code etcd+https://…}, {@code local} or unset). */
    public static final String VARIABLE = RemoteInstances.REGISTRY_VARIABLE;

    private EtcdRegistries() {
    }

    /**
     * The etcd registry named by {@code value} ({@code PORTOLAN_REGISTRY} syntax, with the {@code PORTOLAN_ETCD_*}
     * variables of {@code env}); empty when {@code value} is unset, blank or {@code local}.
     *
     * @throws IllegalArgumentException naming the variable, the value and the expected form when it is not valid
     */
    public static Optional<Registry> of(String value, Map<String, String> env) {
        return of(VARIABLE, value, env);
    }

    /** {@link #of(String, Map)} for a value from {@code source} (a variable or an option such as {@code --registry}). */
    public static Optional<Registry> of(String source, String value, Map<String, String> env) {
        if (value == null || value.isBlank() || "local".equals(value.strip())) {
            return Optional.empty();
        }
        return Optional.of(new EtcdRegistry(EtcdSettings.parse(source, value.strip(), env)));
    }

    /**
     * Checks a {@code PORTOLAN_REGISTRY} value (and the {@code PORTOLAN_ETCD_*} variables of {@code env}) without
     * connecting.
     *
     * @throws IllegalArgumentException naming the variable, the value and the expected form when it is not valid
     */
    public static void check(String value, Map<String, String> env) {
        if (value != null && !value.isBlank() && !"local".equals(value.strip())) {
            EtcdSettings.parse(value.strip(), env);
        }
    }

    /** {@link #of} for {@code env.get("PORTOLAN_REGISTRY")}. */
    public static Optional<Registry> fromEnvironment(Map<String, String> env) {
        return of(env.get(VARIABLE), env);
    }
}
