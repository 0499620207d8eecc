package dev.portolan.app.internal;

import java.util.Locale;

import org.eclipse.core.runtime.IProduct;
import org.eclipse.core.runtime.Platform;
import org.eclipse.ui.branding.IProductConstants;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

/**
 * What Help ▸ About Portolan shows: the product's name and version (the version of the bundle that defines the
 * running product, i.e. of this build; nothing hard-coded), its about text (product property {@code aboutText} in
 * plugin.xml), and the Java and Eclipse platform it runs on.
 */
public final class AboutText {

    private AboutText() {
    }

    /** The running product's name, {@code Portolan} when no product runs (e.g. a plain OSGi test). */
    public static String productName() {
        IProduct p = Platform.getProduct();
        return p != null && p.getName() != null ? p.getName() : "Portolan";
    }

    /** The version of the bundle that defines the running product (this bundle when none runs). */
    public static String version() {
        IProduct p = Platform.getProduct();
        Bundle b = p != null && p.getDefiningBundle() != null ? p.getDefiningBundle()
                : FrameworkUtil.getBundle(AboutText.class);
        return b == null ? "unknown (not running in OSGi)" : b.getVersion().toString();
    }

    /** The whole text of the About dialog. */
    public static String text() {
        IProduct p = Platform.getProduct();
        String about = p == null ? null : p.getProperty(IProductConstants.ABOUT_TEXT);
        Bundle workbench = Platform.getBundle("org.eclipse.ui.workbench");
        StringBuilder s = new StringBuilder();
        s.append(productName()).append('\n');
        s.append("Version ").append(version()).append("\n\n");
        if (about != null && !about.isBlank()) {
            s.append(about.strip()).append("\n\n");
        }
        s.append("Java ").append(System.getProperty("java.version")).append(" (")
                .append(System.getProperty("java.vendor")).append("), ")
                .append(System.getProperty("os.name")).append(' ')
                .append(System.getProperty("os.arch").toLowerCase(Locale.ROOT)).append('\n');
        s.append("Eclipse workbench ").append(workbench == null ? "not installed" : workbench.getVersion());
        return s.toString();
    }
}
