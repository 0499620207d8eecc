package dev.portolan.core.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;

import dev.portolan.api.launch.LaunchException;

/**
 * The command of the bundled sample Java backend ({@code dev.portolan.backend.sample.SampleBackend.command()}), the
 * default when no backend command is configured. Looked up through {@code DynamicImport-Package}: the backend bundle
 * itself builds on core, so a static import would be a build cycle.
 */
final class DefaultBackend {

    static final String CLASS = "dev.portolan.backend.sample.SampleBackend";

    private DefaultBackend() {
    }

    @SuppressWarnings("unchecked")
    static List<String> command() throws LaunchException {
        try {
            Class<?> c = DefaultBackend.class.getClassLoader().loadClass(CLASS);
            Method m = c.getMethod("command", String[].class);
            return List.copyOf((List<String>) m.invoke(null, (Object) new String[0]));
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            throw new LaunchException("no backend command is configured (Preferences > Portolan, PortolanSettings."
                    + "backendCommand) and the bundled sample backend (bundle dev.portolan.backend) is not installed",
                    e);
        } catch (InvocationTargetException e) {
            throw new LaunchException("cannot build the sample backend's command line: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new LaunchException("the bundled sample backend has no usable command(String...): " + e, e);
        }
    }
}
