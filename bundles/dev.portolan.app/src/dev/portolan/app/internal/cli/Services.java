package dev.portolan.app.internal.cli;

import java.time.Duration;

import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;

/** Gets Portolan's DS services from the OSGi registry for the headless commands. */
final class Services {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private Services() {
    }

    /** Thrown when a service does not come up; the CLI exits with {@link ExitCodes#SERVICE_MISSING}. */
    static final class MissingServiceException extends Exception {
        private static final long serialVersionUID = 1L;

        MissingServiceException(String message) {
            super(message);
        }
    }

    /**
     * The command line is strict where the workbench is lenient: an invalid environment value (e.g.
     * {@code PORT_DISCOVERY_TIMEOUT=abc}, {@code PORTOLAN_REGISTRY=etcd://host}) is a usage error naming the variable
     * and the value, not a silent default.
     */
    static void requireValidEnvironment() throws MissingServiceException, InterruptedException, UsageException {
        java.util.List<String> problems = new java.util.ArrayList<>(
                get(dev.portolan.api.discovery.SettingsService.class).problems());
        try {
            dev.portolan.registry.etcd.EtcdRegistries.check(System.getenv(
                    dev.portolan.registry.etcd.EtcdRegistries.VARIABLE), System.getenv());
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new UsageException(String.join("; ", problems));
        }
    }

    static <T> T get(Class<T> type) throws MissingServiceException, InterruptedException {
        return get(type, null);
    }

    /** The service of {@code type} matching the LDAP {@code filter} (null: any). */
    static <T> T get(Class<T> type, String filter) throws MissingServiceException, InterruptedException {
        BundleContext ctx = FrameworkUtil.getBundle(Services.class).getBundleContext();
        ServiceTracker<T, T> t;
        try {
            t = filter == null ? new ServiceTracker<>(ctx, type, null)
                    : new ServiceTracker<>(ctx, ctx.createFilter("(&(objectClass=" + type.getName() + ")" + filter
                            + ")"), null);
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalArgumentException("bad service filter " + filter, e);
        }
        t.open(); // kept open for the life of the command: closing would release the service
        T service = t.waitForService(WAIT.toMillis());
        if (service == null) {
            throw new MissingServiceException("the " + type.getSimpleName() + " service did not start within "
                    + WAIT.toSeconds() + " s (is the Declarative Services runtime org.apache.felix.scr running?)");
        }
        return service;
    }
}
