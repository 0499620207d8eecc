package dev.portolan.registry.etcd.internal;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import dev.portolan.core.registry.RemoteInstances;

/**
 * Where and how to reach etcd: {@code PORTOLAN_REGISTRY=etcd://host1:2379,host2:2379[/prefix]} (plain HTTP) or
 * {@code etcd+https://…} (TLS, CA from {@code PORTOLAN_ETCD_CA}), user and password file from
 * {@code PORTOLAN_ETCD_USER} / {@code PORTOLAN_ETCD_PASSWORD_FILE}, lease TTL from {@code PORTOLAN_ETCD_TTL}
 * (seconds). See docs/registry.md.
 */
public record EtcdSettings(List<URI> endpoints, String prefix, String user, Path passwordFile, Path caFile,
        Duration callTimeout, Duration leaseTtl, Duration probeInterval) {

    public static final String REGISTRY_VARIABLE = RemoteInstances.REGISTRY_VARIABLE;
    public static final String DEFAULT_PREFIX = "/portolan/v1";
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(2);

    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9._-]+):([0-9]{1,5})");
    private static final Pattern PREFIX = Pattern.compile("(/[A-Za-z0-9._-]+)+");

    public EtcdSettings {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("no etcd endpoint");
        }
    }

    /** Plain HTTP endpoints, default prefix, timeouts and TTL, no credentials (tests, tools). */
    public static EtcdSettings of(List<URI> endpoints, String prefix) {
        return new EtcdSettings(endpoints, prefix, null, null, null, DEFAULT_CALL_TIMEOUT, DEFAULT_TTL,
                DEFAULT_PROBE_INTERVAL);
    }

    public EtcdSettings withLeaseTtl(Duration ttl) {
        return new EtcdSettings(endpoints, prefix, user, passwordFile, caFile, callTimeout, ttl, probeInterval);
    }

    public EtcdSettings withTimeouts(Duration call, Duration probe) {
        return new EtcdSettings(endpoints, prefix, user, passwordFile, caFile, call, leaseTtl, probe);
    }

    public EtcdSettings withCredentials(String userName, Path password, Path ca) {
        return new EtcdSettings(endpoints, prefix, userName, password, ca, callTimeout, leaseTtl, probeInterval);
    }

    /** True if {@code value} names the etcd registry (scheme {@code etcd} or {@code etcd+https}). */
    public static boolean isEtcd(String value) {
        return value != null && (value.startsWith("etcd://") || value.startsWith("etcd+https://"));
    }

    /**
     * Parses a {@code PORTOLAN_REGISTRY} value plus the {@code PORTOLAN_ETCD_*} variables of {@code env}.
     *
     * @throws IllegalArgumentException with a message naming the variable, the value and the expected form
     */
    public static EtcdSettings parse(String value, Map<String, String> env) {
        return parse(REGISTRY_VARIABLE, value, env);
    }

    /** {@link #parse(String, Map)} for a value from {@code source} (a variable or an option), named in errors. */
    public static EtcdSettings parse(String source, String value, Map<String, String> env) {
        boolean tls = value.startsWith("etcd+https://");
        if (!tls && !value.startsWith("etcd://")) {
            throw bad(source, value, "it must be 'local' or start with etcd:// or etcd+https://");
        }
        String rest = value.substring(tls ? "etcd+https://".length() : "etcd://".length());
        int slash = rest.indexOf('/');
        String hosts = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? DEFAULT_PREFIX : rest.substring(slash);
        if (prefix.endsWith("/") && prefix.length() > 1) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        if (!PREFIX.matcher(prefix).matches()) {
            throw bad(source, value, "the key prefix '" + prefix + "' must be like /portolan/v1");
        }
        List<URI> endpoints = new ArrayList<>();
        for (String hp : hosts.split(",", -1)) {
            var m = HOST_PORT.matcher(hp);
            if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
                throw bad(source, value, "'" + hp + "' is not host:port");
            }
            endpoints.add(URI.create((tls ? "https://" : "http://") + hp));
        }
        String user = blankToNull(env.get("PORTOLAN_ETCD_USER"));
        Path password = file(env, "PORTOLAN_ETCD_PASSWORD_FILE");
        if ((user == null) != (password == null)) {
            throw new IllegalArgumentException("PORTOLAN_ETCD_USER and PORTOLAN_ETCD_PASSWORD_FILE go together: set "
                    + "both (user name, file holding the password) or neither");
        }
        Path ca = file(env, "PORTOLAN_ETCD_CA");
        if (ca != null && !tls) {
            throw bad(source, value, "PORTOLAN_ETCD_CA is set: use etcd+https://");
        }
        Duration ttl = DEFAULT_TTL;
        String ttlText = blankToNull(env.get("PORTOLAN_ETCD_TTL"));
        if (ttlText != null) {
            try {
                ttl = Duration.ofSeconds(Long.parseLong(ttlText));
            } catch (NumberFormatException e) {
                ttl = Duration.ZERO;
            }
            if (ttl.getSeconds() < 2 || ttl.getSeconds() > 3600) {
                throw bad("PORTOLAN_ETCD_TTL", ttlText, "it must be a whole number of seconds from 2 to 3600");
            }
        }
        return new EtcdSettings(endpoints, prefix, user, password, ca, DEFAULT_CALL_TIMEOUT, ttl,
                DEFAULT_PROBE_INTERVAL);
    }

    /** The key prefix of one service's entries, with the trailing slash. */
    public String servicePrefix(String service) {
        return prefix + "/services/" + service + "/";
    }

    /** The key prefix of every service's entries, with the trailing slash. */
    public String servicesPrefix() {
        return prefix + "/services/";
    }

    @Override
    public String toString() {
        return endpoints + prefix;
    }

    private static Path file(Map<String, String> env, String variable) {
        String v = blankToNull(env.get(variable));
        if (v == null) {
            return null;
        }
        Path p = Path.of(v);
        if (!Files.isReadable(p)) {
            throw bad(variable, v, "no readable file there");
        }
        return p;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static IllegalArgumentException bad(String variable, String value, String why) {
        String name = variable.startsWith("--") ? variable + " " : variable + "=";
        return new IllegalArgumentException(name + "'" + value + "' is not valid: " + why
                + " (expected etcd://host:port[,host:port...][/prefix] or etcd+https://..., see docs/registry.md)");
    }
}
