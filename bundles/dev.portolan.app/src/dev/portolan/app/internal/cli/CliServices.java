package dev.portolan.app.internal.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.util.tracker.ServiceTracker;

import dev.portolan.api.discovery.SettingsService;
import dev.portolan.registry.etcd.EtcdRegistries;

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
     * {@code PORT_DISCOVERY_TIMEOUT=abc}, {@code PORTOLAN_REGISTRY=etcd://host}) is a usage error naming the variable
     * and the value, not a silent default. A corrupt settings file is not the command's fault: it is said on stderr
     * and the command goes on with the defaults, as the workbench does.
     */
    static void requireValidEnvironment() throws MissingServiceException, InterruptedException, UsageException {
        SettingsService settings = get(SettingsService.class);
        for (String p : settings.fileProblems()) {
            System.err.println("portolan: warning: " + p);
        }
        List<String> problems = new ArrayList<>();
        for (String r : settings.environmentProblems()) {
            problems.add(r + " (fix or unset it)");
        }
        try {
            EtcdRegistries.check(System.getenv(EtcdRegistries.VARIABLE), System.getenv());
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw UsageException.ofEnvironment(String.join("; ", problems));
        }
    }

    /**
     * The best service of {@code type}: from the OSGi service registry, or, when the command runs on the plain class
     * path ({@link PlainMain}), from its component runtime.
     */
    static <T> T get(Class<T> type) throws MissingServiceException, InterruptedException {
        return get(type, null);
    }

    /** The best service of {@code type} whose properties match the LDAP {@code filter} (null: any). */
    static <T> T get(Class<T> type, String filter) throws MissingServiceException, InterruptedException {
        ServiceSource s = source;
        return (s != null ? s : OsgiServices.INSTANCE).get(type, filter);
    }

    /** Where {@link #get} finds services when not in OSGi; set once, before the command runs. */
    static void use(ServiceSource s) {
        source = s;
    }

    /** Finds a service by its interface. */
    interface ServiceSource {
        /** The best service of {@code type} matching {@code filter} (null: any). */
        <T> T get(Class<T> type, String filter) throws MissingServiceException, InterruptedException;
    }

    /** The OSGi service registry of this bundle (the Equinox path). */
    private static final class OsgiServices implements ServiceSource {
        static final OsgiServices INSTANCE = new OsgiServices();

        @Override
        public <T> T get(Class<T> type, String filter) throws MissingServiceException, InterruptedException {
            BundleContext ctx = FrameworkUtil.getBundle(CliServices.class).getBundleContext();
            ServiceTracker<T, T> t;
            try {
                t = filter == null ? new ServiceTracker<>(ctx, type, null)
                        : new ServiceTracker<>(ctx,
                                ctx.createFilter("(&(objectClass=" + type.getName() + ")" + filter + ")"), null);
            } catch (InvalidSyntaxException e) {
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
}
