package dev.portolan.app.internal.cli;

import java.time.Duration;

import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;

/** Gets Portolan's DS services for the headless commands (OSGi registry, or the plain class path's runtime). */
final class CliServices {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static volatile ServiceSource source;

    private CliServices() {
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
     * {@code PORT_DISCOVERY_TIMEOUT=abc}) is a usage error naming the variable and the value, not a silent default.
     */
    static void requireValidEnvironment() throws MissingServiceException, InterruptedException, UsageException {
        java.util.List<String> problems = get(dev.portolan.api.discovery.SettingsService.class).problems();
        if (!problems.isEmpty()) {
            throw new UsageException(String.join("; ", problems));
        }
    }

    /**
     * The best service of {@code type}: from the OSGi service registry, or, when the command runs on the plain class
     * path ({@link PlainMain}), from its component runtime.
     */
    static <T> T get(Class<T> type) throws MissingServiceException, InterruptedException {
        ServiceSource s = source;
        return (s != null ? s : OsgiServices.INSTANCE).get(type);
    }

    /** Where {@link #get} finds services when not in OSGi; set once, before the command runs. */
    static void use(ServiceSource s) {
        source = s;
    }

    /** Finds a service by its interface. */
    interface ServiceSource {
        <T> T get(Class<T> type) throws MissingServiceException, InterruptedException;
    }

    /** The OSGi service registry of this bundle (the Equinox path). */
    private static final class OsgiServices implements ServiceSource {
        static final OsgiServices INSTANCE = new OsgiServices();

        @Override
        public <T> T get(Class<T> type) throws MissingServiceException, InterruptedException {
            BundleContext ctx = FrameworkUtil.getBundle(CliServices.class).getBundleContext();
            ServiceTracker<T, T> t = new ServiceTracker<>(ctx, type, null);
            t.open(); // kept open for the life of the command: closing would release the service
            T service = t.waitForService(WAIT.toMillis());
            if (service == null) {
                throw new MissingServiceException("the " + type.getSimpleName() + " service did not start within "
                        + WAIT.toSeconds() + " s (is the Declarative Services runtime org.apache.felix.scr running?)");
            }
            return service;
        }
    }
}
