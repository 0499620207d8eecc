package dev.portolan.ui.internal.view;

import org.eclipse.jface.resource.ImageDescriptor;
import org.eclipse.jface.resource.ResourceLocator;

import dev.portolan.ui.PortolanUi;

/**
 * The icons of the Portolan UI (bundles/dev.portolan.ui/icons, drawn by releng/icons/DrawIcons.java; each has an
 * {@code @2x} version that JFace picks on high-DPI screens). The commands get theirs from plugin.xml
 * ({@code org.eclipse.ui.commandImages}); code that builds its own actions uses these.
 */
public final class Icons {

    public static final String VIEW = "icons/portolan.png";
    public static final String STOP = "icons/stop.png";
    public static final String RESTART = "icons/restart.png";
    public static final String OPEN_DOCS = "icons/open_docs.png";

    private Icons() {
    }

    /** The descriptor of one of this bundle's icons; the "missing image" descriptor when it is not there. */
    public static ImageDescriptor descriptor(String path) {
        return ResourceLocator.imageDescriptorFromBundle(PortolanUi.PLUGIN_ID, path)
                .orElseGet(ImageDescriptor::getMissingImageDescriptor);
    }
}
