package dev.portolan.tests.common;

import java.time.Duration;

import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;

/** Obtains services from the real OSGi registry, waiting (with a deadline) for Declarative Services to register them. */
public final class OsgiServices {

    private OsgiServices() {
    }

    /** The bundle context of the bundle that loaded {@code anchor} (a test class in a test fragment: its host). */
    public static BundleContext context(Class<?> anchor) {
        var bundle = FrameworkUtil.getBundle(anchor);
        if (bundle == null) {
            throw new IllegalStateException(anchor + " was not loaded by an OSGi bundle");
        }
        if (bundle.getBundleContext() == null) {
            try {
                bundle.start();
            } catch (org.osgi.framework.BundleException e) {
                throw new IllegalStateException("cannot start " + bundle.getSymbolicName(), e);
            }
        }
        return bundle.getBundleContext();
    }

    /** Waits until a service of {@code type} is registered and returns it; fails after {@code timeout}. */
    public static <T> T await(Class<?> anchor, Class<T> type, Duration timeout) {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context(anchor), type, null);
        tracker.open();
        try {
            T service = tracker.waitForService(timeout.toMillis());
            if (service == null) {
                throw new AssertionError("no " + type.getName() + " service registered within " + timeout
                        + " (is org.apache.felix.scr in the runtime and the component satisfied?)");
            }
            return service;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + type.getName(), e);
        }
        // the tracker stays open for the test's lifetime: closing it would unget the service
    }
}
