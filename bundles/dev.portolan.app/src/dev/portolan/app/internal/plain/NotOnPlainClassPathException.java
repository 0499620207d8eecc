package dev.portolan.app.internal.plain;

/**
 * The service asked for comes from a component that needs a real OSGi framework (its BundleContext, a
 * configuration, a factory): the caller should run in one instead.
 */
public final class NotOnPlainClassPathException extends Exception {

    private static final long serialVersionUID = 1L;

    public NotOnPlainClassPathException(String message) {
        super(message);
    }
}
